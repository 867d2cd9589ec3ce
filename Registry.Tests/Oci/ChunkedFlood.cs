using System.Net.Sockets;
using System.Text;

namespace Registry.Tests.Oci;

/// <summary>
/// A raw HTTP/1.1 request whose body is sent chunked (no Content-Length) for as long as the server keeps reading, up to
/// <c>maxBytes</c>: what an HttpClient cannot show, how much the server took before it answered.
/// </summary>
public static class ChunkedFlood
{
    /// <summary>Answers the response as text and the body bytes written before the server answered or closed.</summary>
    public static async Task<(string Response, long Sent)> PutAsync(Uri server, string path, string authorization, string contentType, long maxBytes)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        var stream = client.GetStream();
        var head = $"PUT {path} HTTP/1.1\r\nHost: {server.Authority}\r\nAuthorization: {authorization}\r\nContent-Type: {contentType}\r\nTransfer-Encoding: chunked\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        var reply = new MemoryStream();
        var reading = Task.Run(async () =>
        {
            var buffer = new byte[8192];
            int read;
            try { while ((read = await stream.ReadAsync(buffer)) > 0) lock (reply) reply.Write(buffer, 0, read); }
            catch (Exception e) when (e is IOException or ObjectDisposedException) { } // reset or closed after the answer
        });
        var chunk = Encoding.ASCII.GetBytes(new string(' ', 65536)); // whitespace: still "JSON" as far as it goes
        var frame = Encoding.ASCII.GetBytes("10000\r\n").Concat(chunk).Concat("\r\n"u8.ToArray()).ToArray();
        long sent = 0;
        try
        {
            while (sent < maxBytes && !reading.IsCompleted && !Answered(reply))
            {
                // A server that neither reads nor answers would block this write for good: 5 s is plenty on loopback.
                using var stalled = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await stream.WriteAsync(frame, stalled.Token);
                sent += chunk.Length;
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException) { } // closed after answering, or stopped reading
        // The whole (small) answer: until its JSON body ends or the server closes, 10 s at most.
        for (var waited = 0; waited < 200 && !reading.IsCompleted && !Text(reply).Contains("]}", StringComparison.Ordinal); waited++) await Task.Delay(50);
        return (Text(reply), sent);
    }

    private static string Text(MemoryStream reply)
    {
        lock (reply) return Encoding.UTF8.GetString(reply.ToArray());
    }

    private static bool Answered(MemoryStream reply)
    {
        lock (reply) return reply.Length > 0;
    }
}

using System.Net.Sockets;
using System.Text;

namespace Registry.Tests.Faults;

/// <summary>A response read off a raw socket.</summary>
public sealed record RawResponse(int Status, string Head, string Body)
{
    public override string ToString() => $"{Status} {Body}";
}

/// <summary>
/// HTTP/1.1 over a bare socket, for what HttpClient refuses to do: lie about Content-Length, send broken headers, stop a body
/// halfway and reset the connection, or keep sending a body while the server has already answered.
/// </summary>
public static class RawHttp
{
    /// <summary>
    /// Sends <paramref name="head"/> (request line and headers, without the blank line) and then <paramref name="body"/> in the
    /// background, while reading the answer. Returns null when no complete answer arrives within <paramref name="timeout"/>.
    /// The connection is always closed afterwards (reset, so the server sees an aborted client when the body is unfinished).
    /// </summary>
    public static async Task<RawResponse?> SendAsync(Uri server, string head, ReadOnlyMemory<byte> body, TimeSpan timeout)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(timeout);
        await socket.ConnectAsync(server.Host, server.Port, cts.Token);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var request = Encoding.Latin1.GetBytes(head.TrimEnd('\r', '\n') + "\r\n\r\n");
        var sending = Task.Run(async () =>
        {
            await stream.WriteAsync(request, cts.Token);
            for (var offset = 0; offset < body.Length; offset += 64 * 1024)
                await stream.WriteAsync(body.Slice(offset, Math.Min(64 * 1024, body.Length - offset)), cts.Token);
        }, cts.Token);
        try
        {
            return await ReadResponseAsync(stream, cts.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
        {
            return null;
        }
        finally
        {
            socket.LingerState = new LingerOption(true, 0); // RST: an abrupt client, not a polite one
            socket.Close();
            try { await sending; } catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException) { }
        }
    }

    /// <summary>
    /// Sends <paramref name="head"/> and then, chunked, <paramref name="prefix"/> followed by filler up to
    /// <paramref name="bodyBytes"/>, while reading the answer; sending stops when the answer arrives. Returns the answer
    /// and how many body bytes had been sent by then: far fewer than the body means the server answered without reading it.
    /// </summary>
    public static async Task<(RawResponse? Response, long Sent)> SendChunkedAsync(Uri server, string head, string prefix, long bodyBytes, TimeSpan timeout)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(timeout);
        await socket.ConnectAsync(server.Host, server.Port, cts.Token);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'a');
        var frame = Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n").Concat(chunk).Concat("\r\n"u8.ToArray()).ToArray();
        var sent = 0L;
        var sending = Task.Run(async () =>
        {
            await stream.WriteAsync(Encoding.Latin1.GetBytes(head.TrimEnd('\r', '\n') + "\r\nTransfer-Encoding: chunked\r\n\r\n"), cts.Token);
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"{prefix.Length:x}\r\n{prefix}\r\n"), cts.Token);
            Interlocked.Add(ref sent, prefix.Length);
            while (Interlocked.Read(ref sent) < bodyBytes)
            {
                await stream.WriteAsync(frame, cts.Token);
                Interlocked.Add(ref sent, chunk.Length);
            }
            await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), cts.Token);
        }, cts.Token);
        try
        {
            var response = await ReadResponseAsync(stream, cts.Token);
            return (response, Interlocked.Read(ref sent));
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
        {
            return (null, Interlocked.Read(ref sent));
        }
        finally
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
            try { await sending; } catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException) { }
        }
    }

    /// <summary>Sends the head and the first <paramref name="sent"/> bytes of a body announced as longer, then resets the connection.</summary>
    public static async Task AbortMidBodyAsync(Uri server, string head, ReadOnlyMemory<byte> sent)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.Host, server.Port);
        await socket.SendAsync(Encoding.Latin1.GetBytes(head.TrimEnd('\r', '\n') + "\r\n\r\n"));
        for (var offset = 0; offset < sent.Length; offset += 64 * 1024)
            await socket.SendAsync(sent.Slice(offset, Math.Min(64 * 1024, sent.Length - offset)));
        await Task.Delay(100); // let the server start writing the bytes
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    public static async Task<RawResponse?> ReadResponseAsync(Stream stream, CancellationToken ct)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int headEnd;
        while ((headEnd = IndexOfBlankLine(buffer)) < 0)
        {
            var n = await stream.ReadAsync(chunk, ct);
            if (n == 0) return null;
            buffer.Write(chunk, 0, n);
        }
        var all = buffer.ToArray();
        var head = Encoding.Latin1.GetString(all, 0, headEnd);
        var status = int.Parse(head.Split(' ', 3)[1]);
        var rest = new MemoryStream();
        rest.Write(all, headEnd + 4, all.Length - headEnd - 4);

        var length = Header(head, "Content-Length") is { } cl ? long.Parse(cl) : (long?)null;
        var chunked = Header(head, "Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true;
        while (true)
        {
            if (length is { } l && rest.Length >= l) break;
            if (chunked && EndsChunked(rest)) break;
            if (length is null && !chunked && status is 204 or 304 or (>= 100 and < 200)) break;
            var n = await stream.ReadAsync(chunk, ct);
            if (n == 0) break;
            rest.Write(chunk, 0, n);
        }
        var bytes = rest.ToArray();
        return new RawResponse(status, head, Encoding.UTF8.GetString(chunked ? Dechunk(bytes) : bytes));
    }

    public static string? Header(string head, string name)
    {
        foreach (var line in head.Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim().Equals(name, StringComparison.OrdinalIgnoreCase)) return line[(colon + 1)..].Trim();
        }
        return null;
    }

    private static int IndexOfBlankLine(MemoryStream buffer)
    {
        var span = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        return span.IndexOf("\r\n\r\n"u8);
    }

    private static bool EndsChunked(MemoryStream rest) => rest.GetBuffer().AsSpan(0, (int)rest.Length).EndsWith("0\r\n\r\n"u8);

    private static byte[] Dechunk(byte[] bytes)
    {
        var result = new MemoryStream();
        var i = 0;
        while (i < bytes.Length)
        {
            var eol = bytes.AsSpan(i).IndexOf("\r\n"u8);
            if (eol < 0) break;
            var size = Convert.ToInt32(Encoding.ASCII.GetString(bytes, i, eol).Split(';')[0], 16);
            if (size == 0) break;
            var start = i + eol + 2;
            result.Write(bytes, start, Math.Min(size, bytes.Length - start));
            i = start + size + 2;
        }
        return result.ToArray();
    }
}

using System.Net.Sockets;
using System.Text;

namespace Registry.Tests.Faults;

/// <summary>Requests a client abandons halfway: the raw request head of a presigned PUT, and a download reset mid-way.</summary>
public static class CutOff
{
    /// <summary>The head of a presigned PUT of <paramref name="length"/> bytes, for <see cref="RawHttp.AbortMidBodyAsync"/>.</summary>
    public static string PutHead(string url, long length)
    {
        var uri = new Uri(url);
        return $"PUT {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\nContent-Length: {length}\r\nContent-Type: application/octet-stream";
    }

    /// <summary>Starts a download, reads a little of it and resets the connection.</summary>
    public static async Task DownloadAsync(Uri target, string? range)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 64 * 1024 };
        await socket.ConnectAsync(target.Host, target.Port);
        var head = $"GET {target.PathAndQuery} HTTP/1.1\r\nHost: {target.Authority}\r\n" + (range is null ? "" : $"Range: {range}\r\n") + "\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head));
        var buffer = new byte[64 * 1024];
        var received = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (received < 256 * 1024)
        {
            var n = await socket.ReceiveAsync(buffer, cts.Token);
            if (n == 0) break;
            received += n;
        }
        received.ShouldBeGreaterThan(0);
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }
}

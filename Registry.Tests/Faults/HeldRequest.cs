using System.Net.Sockets;
using System.Text;

namespace Registry.Tests.Faults;

/// <summary>
/// A request whose body the test sends piece by piece, when it chooses: the head now, bytes later, the answer last. This
/// is how a slow or hostile client holds a request open while others race it.
/// </summary>
public sealed class HeldRequest : IAsyncDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private NetworkStream _stream = null!;

    public static async Task<HeldRequest> OpenAsync(Uri url, string method, long contentLength)
    {
        var held = new HeldRequest();
        await held._socket.ConnectAsync(url.Host, url.Port);
        held._stream = new NetworkStream(held._socket, ownsSocket: false);
        var head = $"{method} {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nContent-Length: {contentLength}\r\n\r\n";
        await held._stream.WriteAsync(Encoding.Latin1.GetBytes(head));
        await held._stream.FlushAsync();
        return held;
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            await _stream.WriteAsync(bytes);
            await _stream.FlushAsync();
        }
        catch (IOException) { } // the server may have answered and closed already: what it did is what the test checks
    }

    /// <summary>The answer, or null when none comes within <paramref name="timeout"/>.</summary>
    public async Task<RawResponse?> ResponseAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try { return await RawHttp.ReadResponseAsync(_stream, cts.Token); }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException) { return null; }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }
}

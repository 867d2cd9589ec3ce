using System.Net;

namespace Registry.Tests.Nodes;

/// <summary>
/// A request body that announces all of <c>bytes</c> (Content-Length), sends the first <c>sendFirst</c> of them and then
/// waits until the request is cancelled: an upload caught in the middle, for as long as a test needs to look at it.
/// </summary>
public sealed class StalledBody(byte[] bytes, int sendFirst) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken ct)
    {
        await stream.WriteAsync(bytes.AsMemory(0, sendFirst), ct);
        await stream.FlushAsync(ct);
        await Task.Delay(Timeout.Infinite, ct);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = bytes.Length;
        return true;
    }
}

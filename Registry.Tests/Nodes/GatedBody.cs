using System.Net;

namespace Registry.Tests.Nodes;

/// <summary>A request body that sends its first <paramref name="sendFirst"/> bytes, waits for <paramref name="gate"/>, then sends the rest.</summary>
public sealed class GatedBody(byte[] bytes, int sendFirst, Task gate) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken ct)
    {
        await stream.WriteAsync(bytes.AsMemory(0, sendFirst), ct);
        await stream.FlushAsync(ct);
        await gate.WaitAsync(ct);
        await stream.WriteAsync(bytes.AsMemory(sendFirst), ct);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = bytes.Length;
        return true;
    }
}

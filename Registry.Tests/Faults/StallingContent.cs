using System.Net;

namespace Registry.Tests.Faults;

/// <summary>
/// A request body that sends its first <c>stallAfter</c> bytes, reports that, then waits for <c>resume</c> before sending
/// the rest: a push frozen exactly mid-body, without timing guesses. Content-Length is always the whole length.
/// </summary>
public sealed class StallingContent(byte[] bytes, int stallAfter, Task resume) : HttpContent
{
    private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the first part has been handed to the socket.</summary>
    public Task Stalled => _stalled.Task;

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await stream.WriteAsync(bytes.AsMemory(0, stallAfter));
        await stream.FlushAsync();
        _stalled.TrySetResult();
        await resume;
        await stream.WriteAsync(bytes.AsMemory(stallAfter));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = bytes.LongLength;
        return true;
    }
}

using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Registry.Web.Api;

/// <summary>
/// Kestrel has no sendfile(2): its fallback copies a file to the socket 16 KiB at a time, one pipe flush each. For multi-GB
/// images this feature sends 1 MiB reads instead, while <c>Results.File</c> keeps doing ranges, ETags, HEAD and 416s.
/// </summary>
internal sealed class LargeChunkSendFile(IHttpResponseBodyFeature inner) : IHttpResponseBodyFeature
{
    private const int ChunkSize = 1 << 20;

    public static void Use(HttpContext context)
    {
        if (context.Features.Get<IHttpResponseBodyFeature>() is { } current and not LargeChunkSendFile)
            context.Features.Set<IHttpResponseBodyFeature>(new LargeChunkSendFile(current));
    }

    public Stream Stream => inner.Stream;
    public PipeWriter Writer => inner.Writer;
    public void DisableBuffering() => inner.DisableBuffering();
    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);
    public Task CompleteAsync() => inner.CompleteAsync();

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var remaining = count ?? RandomAccess.GetLength(file) - offset;
        await inner.StartAsync(cancellationToken);
        while (remaining > 0)
        {
            // Read straight into the response pipe's memory (a hint above Kestrel's 4 KiB blocks gets one array of that size):
            // no copy between the page cache and the socket other than the kernel's own.
            var memory = inner.Writer.GetMemory(ChunkSize);
            var read = await RandomAccess.ReadAsync(file, memory[..(int)Math.Min(remaining, Math.Min(memory.Length, ChunkSize))], offset, cancellationToken);
            if (read == 0) throw new IOException($"{path} ended {remaining} bytes early");
            inner.Writer.Advance(read);
            var sent = await inner.Writer.FlushAsync(cancellationToken);
            if (sent.IsCompleted || sent.IsCanceled) return; // the client went away: stop reading the file
            offset += read;
            remaining -= read;
        }
    }
}

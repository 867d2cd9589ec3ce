using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Registry.Web.Api;

/// <summary>
/// Kestrel has no sendfile(2): its fallback copies a file to the socket 16 KiB at a time, one pipe flush each. For multi-GB
/// images this feature sends 1 MiB reads instead, while <c>Results.File</c> keeps doing ranges, ETags, HEAD and 416s.
/// </summary>
internal sealed class LargeChunkSendFile(IHttpResponseBodyFeature inner) : IHttpResponseBodyFeature
{
    private const int ChunkSize = 1 << 20, ManySendsChunkSize = 64 << 10;

    /// <summary>
    /// A job array pulls one image through hundreds of range requests at once. A 1 MiB read each is a large-object-heap
    /// array per send (pooled arrays run out at that concurrency), and 300 of them grew the server's RSS by 300 MiB
    /// (bench/RESULTS.md): beyond this many concurrent sends each reads 64 KiB, an ordinary pooled array.
    /// </summary>
    private const int LargeChunkSends = 16;
    private static int _sending;

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
        Interlocked.Increment(ref _sending);
        try { await SendAsync(file, path, offset, remaining, cancellationToken); }
        finally { Interlocked.Decrement(ref _sending); }
    }

    private async Task SendAsync(Microsoft.Win32.SafeHandles.SafeFileHandle file, string path, long offset, long remaining, CancellationToken cancellationToken)
    {
        while (remaining > 0)
        {
            var chunk = Volatile.Read(ref _sending) <= LargeChunkSends ? ChunkSize : ManySendsChunkSize;
            // Read straight into the response pipe's memory (a hint above Kestrel's 4 KiB blocks gets one array of that size):
            // no copy between the page cache and the socket other than the kernel's own.
            var memory = inner.Writer.GetMemory(chunk);
            var read = await RandomAccess.ReadAsync(file, memory[..(int)Math.Min(remaining, Math.Min(memory.Length, chunk))], offset, cancellationToken);
            if (read == 0) throw new IOException($"{path} ended {remaining} bytes early");
            inner.Writer.Advance(read);
            var sent = await inner.Writer.FlushAsync(cancellationToken);
            if (sent.IsCompleted || sent.IsCanceled) return; // the client went away: stop reading the file
            offset += read;
            remaining -= read;
        }
    }
}

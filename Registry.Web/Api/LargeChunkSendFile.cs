using System.Buffers;
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
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            while (remaining > 0)
            {
                var read = await RandomAccess.ReadAsync(file, buffer.AsMemory(0, (int)Math.Min(remaining, ChunkSize)), offset, cancellationToken);
                if (read == 0) throw new IOException($"{path} ended {remaining} bytes early");
                var sent = await inner.Writer.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                if (sent.IsCompleted || sent.IsCanceled) return; // the client went away: stop reading the file
                offset += read;
                remaining -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

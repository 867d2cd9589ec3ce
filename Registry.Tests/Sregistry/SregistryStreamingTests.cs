using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Data;
using Registry.Core.Storage;
using Registry.Tests.Api;

namespace Registry.Tests.Sregistry;

/// <summary>The <c>/upload</c> body streams to disk: a 1 GiB push leaves the process's memory flat; a cut connection leaves nothing.</summary>
public sealed class SregistryStreamingTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    [Fact]
    public async Task A_1_GiB_push_streams_to_disk_with_memory_flat_and_pulls_back_its_digest()
    {
        const long size = 1L << 30;
        var (_, token) = await factory.CreateUserAsync("ssbig");
        var client = new SregistryClient(factory.BaseAddress, "ssbig", token);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var baseline = process.WorkingSet64;
        long peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                try { await Task.Delay(50, sampling.Token); } catch (OperationCanceledException) { }
            }
        });
        var clock = Stopwatch.StartNew();
        var (status, body) = await client.PushAsync("ssbiglab", "huge", "v1", SifBuilder.Generated(size), size);
        clock.Stop();
        await sampling.CancelAsync();
        await sampler;
        status.ShouldBe(HttpStatusCode.OK, body?.ToJsonString());

        // Server and client share this process: holding the file anywhere would add a GiB; streaming adds buffers only.
        var growth = (peak - baseline) >> 20;
        Console.WriteLine($"1 GiB sregistry push in {clock.Elapsed.TotalSeconds:F1} s, working set growth {growth} MiB");
        growth.ShouldBeLessThan(192);
        var (pulled, manifest) = await client.GetAsync("/api/container/ssbiglab/huge:v1", ("ssbiglab", "huge", "v1"));
        pulled.ShouldBe(HttpStatusCode.OK);
        manifest!["size"]!.GetValue<long>().ShouldBe(size);
        manifest["version"]!.GetValue<string>().ShouldBe("sha256." + SifBuilder.GeneratedSha256Hex(size));
        factory.Services.GetRequiredService<IBlobStore>().ListUploads().ShouldBeEmpty();
    }

    [Fact]
    public async Task A_connection_dropped_mid_upload_leaves_no_container_no_image_and_no_temp_file()
    {
        var (_, token) = await factory.CreateUserAsync("sscut");
        var client = new SregistryClient(factory.BaseAddress, "sscut", token);
        var (_, start) = await client.StartPushAsync("sscutlab", "cut", "v1");
        using (var socket = await client.BeginRawUploadAsync("sscutlab", "cut", "v1", start!["cid"]!.ToString(), 64L << 20))
        {
            var stream = socket.GetStream();
            var file = SifBuilder.Generated(64L << 20);
            var chunk = new byte[1 << 20];
            for (var i = 0; i < 8; i++) { await file.ReadExactlyAsync(chunk); await stream.WriteAsync(chunk); }
            await stream.FlushAsync();
            await Task.Delay(300); // the server is mid-file now
            socket.Client.LingerState = new LingerOption(true, 0); // a reset, as when the client is killed
        }

        var blobs = factory.Services.GetRequiredService<IBlobStore>();
        var waited = Stopwatch.StartNew();
        while (blobs.ListUploads().Any() && waited.Elapsed < TimeSpan.FromSeconds(15)) await Task.Delay(100);
        blobs.ListUploads().ShouldBeEmpty();
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        (await db.Containers.AnyAsync(x => x.Name == "cut")).ShouldBeFalse();
        (await client.PullAsync("sscutlab", "cut", "v1")).Status.ShouldBe(HttpStatusCode.NotFound);
        // The next push of the same name goes through.
        (await client.PushAsync("sscutlab", "cut", "v1", SifBuilder.Bytes(4000))).Status.ShouldBe(HttpStatusCode.OK);
    }
}

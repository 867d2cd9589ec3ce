using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Registry.Core.Data;
using Registry.Core.Images;

namespace Registry.Tests.Api;

/// <summary>
/// Download counters are added up in memory and written once a second (<see cref="DownloadCounts"/>): every pull counts
/// once, however many arrive at once, and a stop writes what is pending.
/// </summary>
public class DownloadCountTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    [Fact]
    public async Task Concurrent_pulls_each_count_once()
    {
        var (_, token) = await factory.CreateUserAsync("dcount");
        await new LibraryClient(factory.Client(token)).PushAsync("dcount", "dcountlab", "tool", SifBuilder.Bytes(4096), "v1");
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = factory.BaseAddress };

        // A job array's burst: shub manifests and library pulls (their 303), all at once.
        var pulls = Enumerable.Range(0, 96).Select(async i =>
        {
            using var answer = await http.GetAsync(i % 3 == 0 ? "/v1/imagefile/dcount/dcountlab/tool:v1" : "/api/container/dcountlab/tool:v1");
            return answer.StatusCode;
        });
        (await Task.WhenAll(pulls)).ShouldAllBe(s => s == HttpStatusCode.OK || s == HttpStatusCode.SeeOther);

        var clock = Stopwatch.StartNew();
        while (await CountAsync("tool") < 96 && clock.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(100);
        (await CountAsync("tool")).ShouldBe(96);
        await Task.Delay(DownloadCounts.Interval * 2); // the next writes add nothing more
        (await CountAsync("tool")).ShouldBe(96);
    }

    [Fact]
    public async Task A_stop_writes_the_pending_counts()
    {
        var (_, token) = await factory.CreateUserAsync("dstop");
        await new LibraryClient(factory.Client(token)).PushAsync("dstop", "dstoplab", "stopped", SifBuilder.Bytes(4096), "v1");
        string id;
        await using (var db = await Factory().CreateDbContextAsync())
            id = await db.Containers.Where(x => x.Name == "stopped").Select(x => x.Id).SingleAsync();

        var counts = new DownloadCounts(Factory(), NullLogger<DownloadCounts>.Instance);
        await counts.StartAsync(CancellationToken.None);
        for (var i = 0; i < 5; i++) counts.Record(id);
        await counts.StopAsync(CancellationToken.None);
        (await CountAsync("stopped")).ShouldBe(5);
    }

    private IDbContextFactory<RegistryDbContext> Factory() => factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>();

    private async Task<long> CountAsync(string container)
    {
        await using var db = await Factory().CreateDbContextAsync();
        return await db.Containers.Where(x => x.Name == container).Select(x => x.DownloadCount).SingleAsync();
    }
}

using Registry.Tests.Infrastructure;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Storage;

namespace Registry.Tests.Api;

/// <summary>A server with a short <c>Registry:GcInterval</c> collects garbage by itself.</summary>
public sealed class FrequentGcFactory() : RegistryApiFactory(new() { ["Registry:GcInterval"] = "00:00:00.200" });

public sealed class ScheduledGcTests(FrequentGcFactory factory) : IClassFixture<FrequentGcFactory>
{
    [Fact]
    public async Task The_server_removes_unreferenced_blobs_on_its_own_and_keeps_used_ones()
    {
        var (_, token) = await factory.CreateUserAsync("scheduled");
        var kept = SifBuilder.Bytes(3000);
        await new LibraryClient(factory.Client(token)).PushAsync("scheduled", "c", "x", kept, "latest");
        var store = factory.Services.GetRequiredService<IBlobStore>();
        var keptDigest = new Digest(Convert.ToHexStringLower(SHA256.HashData(kept)));

        var orphan = RandomNumberGenerator.GetBytes(777);
        var orphanDigest = await store.StoreAsync(orphan);
        File.SetLastWriteTimeUtc(store.PathOf(orphanDigest), DateTime.UtcNow - factory.Services.GetRequiredService<StorageMaintenance>().GracePeriod - TimeSpan.FromMinutes(1));

        // Nobody calls gc here: the hosted service does, within a few of its 200 ms intervals.
        for (var i = 0; i < 300 && store.Exists(orphanDigest); i++) await Task.Delay(100);
        store.Exists(orphanDigest).ShouldBeFalse("the scheduled gc never removed the orphan blob");
        store.Exists(keptDigest).ShouldBeTrue();
        var (status, _) = await new LibraryClient(factory.Client(token)).GetAsync("/v1/images/scheduled/c/x:latest");
        status.ShouldBe(System.Net.HttpStatusCode.OK);
    }
}

using Registry.Tests.Infrastructure;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Storage;

namespace Registry.Tests.Api;

public class StorageMaintenanceTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    [Fact]
    public async Task Gc_removes_only_unreferenced_blobs_and_verify_finds_bit_rot()
    {
        var (_, token) = await factory.CreateUserAsync("keeper");
        var kept = SifBuilder.Bytes(4000);
        await new LibraryClient(factory.Client(token)).PushAsync("keeper", "c", "x", kept, "latest");
        var store = factory.Services.GetRequiredService<IBlobStore>();
        var keptDigest = new Digest(Convert.ToHexStringLower(SHA256.HashData(kept)));

        var orphan = RandomNumberGenerator.GetBytes(1234);
        var orphanDigest = await store.StoreAsync(orphan);

        var maintenance = factory.Services.GetRequiredService<StorageMaintenance>();
        // Within the grace period an unreferenced blob may be a publish in flight: gc leaves it.
        (await maintenance.CollectGarbageAsync(dryRun: false)).Blobs.ShouldBe(0);
        store.Exists(orphanDigest).ShouldBeTrue();
        File.SetLastWriteTimeUtc(store.PathOf(orphanDigest), DateTime.UtcNow - factory.Services.GetRequiredService<StorageMaintenance>().GracePeriod - TimeSpan.FromMinutes(1));
        var dry = await maintenance.CollectGarbageAsync(dryRun: true);
        dry.Blobs.ShouldBe(1);
        dry.BlobBytes.ShouldBe(1234);
        store.Exists(orphanDigest).ShouldBeTrue();

        (await maintenance.CollectGarbageAsync(dryRun: false)).BlobBytes.ShouldBe(1234);
        store.Exists(orphanDigest).ShouldBeFalse();
        store.Exists(keptDigest).ShouldBeTrue();

        (await maintenance.VerifyAsync()).Mismatches.ShouldBeEmpty();
        var path = store.PathOf(keptDigest);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[100] ^= 0xff;
        await File.WriteAllBytesAsync(path, bytes);
        var (count, mismatches) = await maintenance.VerifyAsync();
        count.ShouldBe(1);
        mismatches.Single().Expected.ShouldBe(keptDigest);

        // The damaged bytes are quarantined and never served; pushing the genuine file again heals the image.
        store.Exists(keptDigest).ShouldBeFalse();
        var client = new LibraryClient(factory.Client(token));
        var (_, image) = await client.GetAsync("/v1/images/keeper/c/x:latest");
        image!["data"]!["uploaded"]!.GetValue<bool>().ShouldBeFalse();
        (await factory.Client(token).GetAsync("/v1/imagefile/keeper/c/x:latest")).StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
        await client.PushAsync("keeper", "c", "x", kept, "latest");
        (await client.PullAsync("keeper/c/x:latest")).ShouldBe(kept);
    }
}

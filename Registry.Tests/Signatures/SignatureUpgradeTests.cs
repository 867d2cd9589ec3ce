using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Data;
using Registry.Tests.Api;

namespace Registry.Tests.Signatures;

/// <summary>A database made before signatures were verified: after the upgrade every stored image is verified once, in the background.</summary>
public sealed class SignatureUpgradeTests : IDisposable
{
    private const string MigrationBefore = "20261204164816_UploadSecretsPerPart";
    private readonly string data = Path.Combine(Directory.CreateTempSubdirectory("registry-signature-upgrade-").FullName, "data");
    private readonly SignedSifs sifs = new();
    private readonly GpgKey alice = new("Alice Example <alice@lab.example>");

    [Fact]
    public async Task Images_stored_before_the_upgrade_get_their_real_verdicts_once_it_starts()
    {
        var tampered = await File.ReadAllBytesAsync(await sifs.CreateSignedAsync(alice));
        tampered[40_000] ^= 0x01;
        string token;
        using (var before = RegistryApiFactory.With(new() { DataPath = data }))
        {
            (_, token) = await before.CreateUserAsync("alice");
            using (var key = await before.Client(token).PostAsync("/pks/add", new FormUrlEncodedContent([new("keytext", alice.Armored)])))
                key.StatusCode.ShouldBe(HttpStatusCode.OK);
            var client = new LibraryClient(before.Client(token));
            await client.PushAsync("alice", "tools", "good", await File.ReadAllBytesAsync(await sifs.CreateSignedAsync(alice)), "v1");
            await client.PushAsync("alice", "tools", "bad", tampered, "v1");
            await Verdicts.StoredAsync(client.Http, null, "alice/tools/good:v1"); // the background check is done before the downgrade
            await Verdicts.StoredAsync(client.Http, null, "alice/tools/bad:v1");
            // Back to the schema of the version before, and what it stored: "signed" for any SIF with a signature object.
            await using var db = await before.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
            await db.GetService<IMigrator>().MigrateAsync(MigrationBefore);
            await db.Database.ExecuteSqlRawAsync("UPDATE Images SET Signed = 1");
        }

        using var after = RegistryApiFactory.With(new() { DataPath = data });
        var upgraded = new LibraryClient(after.Client(token));
        var clock = Stopwatch.StartNew();
        while ((bool?)(await upgraded.GetAsync("/v1/images/alice/tools/good:v1")).Body!["data"]!["signed"] != true && clock.Elapsed < TimeSpan.FromSeconds(30))
            await Task.Delay(100);

        var good = (await upgraded.GetAsync("/v1/images/alice/tools/good:v1")).Body!["data"]!;
        ((bool)good["signed"]!).ShouldBeTrue();
        good["fingerprints"]!.ToJsonString().ShouldBe($"""["{alice.Fingerprint}"]""");
        ((bool)(await Verdicts.StoredAsync(upgraded.Http, null, "alice/tools/bad:v1"))["signed"]!).ShouldBeFalse();
        await using var check = await after.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        (await check.ImageSignatures.Select(s => s.Detail).OrderBy(d => d).ToListAsync()).ShouldBe(["", "object 2 was changed after signing"]);
    }

    public void Dispose()
    {
        alice.Dispose();
        sifs.Dispose();
        try { Directory.Delete(Path.GetDirectoryName(data)!, recursive: true); } catch (IOException) { }
    }
}

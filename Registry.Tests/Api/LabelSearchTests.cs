using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Search;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Api;

/// <summary>SIF labels are stored when an image is published and searched in the database, across restarts and upgrades.</summary>
public sealed class LabelSearchTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("registry-labels-").FullName;
    private string Data => Path.Combine(_root, "data");
    private SifFiles Sifs => new(Path.Combine(_root, "sif"));

    [Fact]
    public async Task Labels_of_pushed_images_are_found_also_after_a_restart_without_reading_their_SIF_headers()
    {
        var sif = await File.ReadAllBytesAsync(await Sifs.CreateLabelledAsync("""{"org.lab.pipeline":"rnaseq-2","build":42}""", 64 * 1024));
        var secret = await File.ReadAllBytesAsync(await Sifs.CreateLabelledAsync("""{"org.lab.pipeline":"rnaseq-private"}""", 64 * 1024));
        Actor alice;
        using (var first = RegistryApiFactory.With(new() { DataPath = Data }))
        {
            var (user, token) = await first.CreateUserAsync("alice");
            alice = Actor.ForUser(user.Id, "alice", false);
            var client = new LibraryClient(first.Client(token));
            var (_, entity) = await client.GetAsync("/v1/entities/alice");
            await client.PostAsync("/v1/collections", new { name = "secret", entity = (string)entity!["data"]!["id"]!, @private = true });
            await client.PushAsync("alice", "tools", "demo", sif, "v1");
            await client.PushAsync("alice", "secret", "hidden", secret, "v1");
            await client.PushAsync("alice", "tools", "copy", sif, "v1"); // same bytes: the labels come with the stored blob

            await ShouldFindAsync(first, Actor.Anonymous, "RNASEQ", ("alice/tools/copy", "org.lab.pipeline: rnaseq-2"), ("alice/tools/demo", "org.lab.pipeline: rnaseq-2"));
            await ShouldFindAsync(first, alice, "rnaseq", ("alice/tools/copy", "org.lab.pipeline: rnaseq-2"), ("alice/secret/hidden", "org.lab.pipeline: rnaseq-private"),
                ("alice/tools/demo", "org.lab.pipeline: rnaseq-2"));
            await ShouldFindAsync(first, Actor.Anonymous, "build", ("alice/tools/copy", "build: 42"), ("alice/tools/demo", "build: 42"));
        }

        // The SIF bytes are gone from every blob: whatever is found now comes from the database.
        foreach (var blob in Directory.EnumerateFiles(Path.Combine(Data, "blobs"), "*", SearchOption.AllDirectories))
            await File.WriteAllBytesAsync(blob, new byte[new FileInfo(blob).Length]);
        using var second = RegistryApiFactory.With(new() { DataPath = Data });
        await second.Services.GetRequiredService<LabelBackfill>().ExecuteTask!;
        await ShouldFindAsync(second, Actor.Anonymous, "rnaseq", ("alice/tools/copy", "org.lab.pipeline: rnaseq-2"), ("alice/tools/demo", "org.lab.pipeline: rnaseq-2"));
        await ShouldFindAsync(second, alice, "private", ("alice/secret/hidden", "org.lab.pipeline: rnaseq-private"));
        await ShouldFindAsync(second, Actor.Anonymous, "private");
    }

    [Fact]
    public async Task Label_search_ignores_case_in_any_script()
    {
        var sif = await File.ReadAllBytesAsync(await Sifs.CreateLabelledAsync("""{"org.lab.author":"Ödön Ångström","ΣΥΣΤΗΜΑ":"x"}""", 64 * 1024));
        using var factory = RegistryApiFactory.With(new() { DataPath = Data });
        var (_, token) = await factory.CreateUserAsync("unicode");
        await new LibraryClient(factory.Client(token)).PushAsync("unicode", "tools", "demo", sif, "v1");

        await ShouldFindAsync(factory, Actor.Anonymous, "ÅNGSTRÖM", ("unicode/tools/demo", "org.lab.author: Ödön Ångström"));
        await ShouldFindAsync(factory, Actor.Anonymous, "ödön", ("unicode/tools/demo", "org.lab.author: Ödön Ångström"));
        await ShouldFindAsync(factory, Actor.Anonymous, "σύστ");
        await ShouldFindAsync(factory, Actor.Anonymous, "συστ", ("unicode/tools/demo", "ΣΥΣΤΗΜΑ: x"));
    }

    [Fact]
    public async Task Images_published_before_labels_were_stored_get_them_from_the_start_up_backfill_once()
    {
        var sif = await File.ReadAllBytesAsync(await Sifs.CreateLabelledAsync("""{"maintainer":"lab-ops","org.lab.pipeline":"atac-1"}""", 64 * 1024));
        var lost = await File.ReadAllBytesAsync(await Sifs.CreateLabelledAsync("""{"maintainer":"lab-ops-lost"}""", 64 * 1024));
        using (var first = RegistryApiFactory.With(new() { DataPath = Data }))
        {
            var (_, token) = await first.CreateUserAsync("bob");
            var client = new LibraryClient(first.Client(token));
            await client.PushAsync("bob", "tools", "atac", sif, "v1");
            await client.PushAsync("bob", "tools", "lost", lost, "v1");
            // What the migration leaves for an image pushed by the previous version: no label rows, not read.
            await using var db = await first.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
            await db.ImageLabels.ExecuteDeleteAsync();
            await db.Images.ExecuteUpdateAsync(u => u.SetProperty(i => i.LabelsRead, false));
        }
        var lostBlob = Directory.EnumerateFiles(Path.Combine(Data, "blobs"), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(lost)), SearchOption.AllDirectories).Single();
        File.Delete(lostBlob); // unreadable now: skipped, and tried again at the next start

        using var second = RegistryApiFactory.With(new() { DataPath = Data });
        var backfill = second.Services.GetRequiredService<LabelBackfill>();
        await backfill.ExecuteTask!;
        await using (var db = await second.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync())
        {
            var rows = await db.ImageLabels.Select(l => new { Container = l.Image!.Container!.Name, l.Key, l.Value }).ToListAsync();
            rows.OrderBy(r => r.Key).Select(r => $"{r.Container} {r.Key}={r.Value}").ShouldBe(["atac maintainer=lab-ops", "atac org.lab.pipeline=atac-1"]);
            (await db.Images.Where(i => i.LabelsRead).Select(i => i.Container!.Name).ToListAsync()).ShouldBe(["atac"]);
        }
        await ShouldFindAsync(second, Actor.Anonymous, "lab-ops", ("bob/tools/atac", "maintainer: lab-ops"));
        (await backfill.RunAsync()).ShouldBe(0); // nothing left that can be read: a second run changes nothing
    }

    private static async Task ShouldFindAsync(RegistryApiFactory factory, Actor actor, string query, params (string Path, string Match)[] expected)
    {
        var found = await factory.Services.GetRequiredService<LabelSearch>().MatchesAsync(actor, query, 50);
        found.Select(f => (f.Path, string.Join(" | ", f.Tags))).ShouldBe(expected);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}

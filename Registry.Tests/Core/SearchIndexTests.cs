using Microsoft.EntityFrameworkCore;
using Registry.Core;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Images;
using Registry.Core.Search;
using Registry.Core.Tags;

namespace Registry.Tests.Core;

/// <summary>
/// Issue 18: search is answered by the search indexes (SQLite FTS5 trigram tables kept by triggers; PostgreSQL pg_trgm GIN
/// indexes, <see cref="Postgres.SearchIndexTestsOnPostgres"/>) with the semantics it had: case-insensitive substring on
/// names, paths, descriptions, tags (both faces) and labels; private rows never reach anyone who may not see them, also
/// through a tag or label that matches; what is deleted or retagged is found no more.
/// </summary>
public class SearchIndexTests : IAsyncLifetime
{
    protected virtual DatabaseProvider Provider => DatabaseProvider.Sqlite;
    protected TestDatabase Db = default!;
    protected Actor Owner = default!, Stranger = default!;

    public async Task InitializeAsync()
    {
        Db = await TestDatabase.CreateAsync(Provider, Log);
        Owner = await Db.AddUserAsync("zowner");
        Stranger = await Db.AddUserAsync("zstranger");
        await using var ctx = await Db.Factory.CreateDbContextAsync();
        var entity = await ctx.Entities.SingleAsync(e => e.Name == "zowner");
        var pub = new Collection { EntityId = entity.Id, Name = "genomics", Description = "Pipelines of the ÅNGSTRÖM lab", CreatedById = Owner.UserId! };
        var vault = new Collection { EntityId = entity.Id, Name = "vault", Description = "Embargoed", IsPrivate = true, CreatedById = Owner.UserId! };
        ctx.Collections.AddRange(pub, vault);
        Add(ctx, pub, "blastn", "Nucleotide search", "v2.14-zeta", "org.lab.stage", "zeta-public");
        Add(ctx, vault, "blastp-secret", "Protein search", "zeta-secret-tag", "org.lab.stage", "zeta-private");
        ctx.OciTags.Add(new Registry.Core.Oci.OciTag { ContainerId = pub.Containers[0].Id, Name = "nightly-Qx7", Hash = new string('a', 64) });
        ctx.OciTags.Add(new Registry.Core.Oci.OciTag { ContainerId = vault.Containers[0].Id, Name = "nightly-Qx8", Hash = new string('b', 64) });
        await ctx.SaveChangesAsync();
    }

    private static void Add(Registry.Core.Data.RegistryDbContext ctx, Collection c, string name, string description, string tag, string key, string value)
    {
        var x = new Container { CollectionId = c.Id, Name = name, Description = description };
        c.Containers.Add(x);
        var image = new Image { ContainerId = x.Id, Hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name))),
            Size = 1000, Uploaded = true, Arch = "amd64", UploadedAt = DateTime.UtcNow, LabelsRead = true };
        ctx.Images.Add(image);
        ctx.Tags.Add(new Tag { ContainerId = x.Id, ImageId = image.Id, Arch = "amd64", Name = tag });
        ctx.ImageLabels.Add(new ImageLabel { ImageId = image.Id, Key = key, Value = value });
    }

    private readonly QueryPlanTests.CommandLog Log = new();
    public async Task DisposeAsync() => await Db.DisposeAsync();

    protected async Task<List<string>> ContainersAsync(Actor actor, string value)
    {
        var found = await new SearchService(Db.Factory).SearchAsync(actor, value, [], false);
        found.Succeeded.ShouldBeTrue(found.Message);
        return found.Value!.Containers.Select(x => $"{x.Collection!.Entity!.Name}/{x.Collection.Name}/{x.Name}").Order().ToList();
    }

    private async Task<List<string>> TaggedAsync(Actor actor, string value) =>
        (await new CollectionBrowser(Db.Factory, new ViewerCache(Db.Writes)).TagMatchesAsync(actor, value, 50))
        .Select(r => $"{r.Path} {string.Join(",", r.Tags.Order())}").ToList();

    private async Task<List<string>> LabelledAsync(Actor actor, string value) =>
        (await new LabelSearch(Db.Factory).MatchesAsync(actor, value, 50)).Select(r => $"{r.Path} {string.Join(",", r.Tags)}").ToList();

    [Fact]
    public async Task Names_paths_descriptions_tags_and_labels_are_found_and_private_rows_only_by_those_who_may_see_them()
    {
        foreach (var outsider in new[] { Actor.Anonymous, Stranger })
        {
            (await ContainersAsync(outsider, "BLAST")).ShouldBe(["zowner/genomics/blastn"]);
            (await ContainersAsync(outsider, "zeta")).ShouldBe(["zowner/genomics/blastn"]); // by its Library tag only
            (await ContainersAsync(outsider, "nightly-qx")).ShouldBe(["zowner/genomics/blastn"]); // by its /v2/ tag
            (await ContainersAsync(outsider, "protein")).ShouldBeEmpty();
            (await ContainersAsync(outsider, "owner/genomics/bla")).ShouldBe(["zowner/genomics/blastn"]);
            (await ContainersAsync(outsider, "owner/vau")).ShouldBeEmpty();
            (await TaggedAsync(outsider, "zeta")).ShouldBe(["zowner/genomics/blastn v2.14-zeta"]);
            (await TaggedAsync(outsider, "nightly")).ShouldBe(["zowner/genomics/blastn nightly-Qx7"]);
            (await LabelledAsync(outsider, "ZETA")).ShouldBe(["zowner/genomics/blastn org.lab.stage: zeta-public"]);
            var all = (await new SearchService(Db.Factory).SearchAsync(outsider, "zowner", [], false)).Value!;
            all.Entities.Single().Collections.Select(c => c.Name).ShouldBe(["genomics"]);
            all.Collections.Select(c => c.Name).ShouldBe(["genomics"]);
            all.Images.Count.ShouldBe(1);
            (await new SearchService(Db.Factory).SearchAsync(outsider, "embargo", [], false)).Value!.Collections.ShouldBeEmpty();
        }
        (await ContainersAsync(Owner, "blast")).ShouldBe(["zowner/genomics/blastn", "zowner/vault/blastp-secret"]);
        (await ContainersAsync(Owner, "ZETA-SECRET")).ShouldBe(["zowner/vault/blastp-secret"]);
        (await ContainersAsync(Owner, "owner/vau")).ShouldBe(["zowner/vault/blastp-secret"]);
        (await TaggedAsync(Owner, "qx8")).ShouldBe(["zowner/vault/blastp-secret nightly-Qx8"]);
        (await LabelledAsync(Owner, "zeta-priv")).ShouldBe(["zowner/vault/blastp-secret org.lab.stage: zeta-private"]);
        (await new SearchService(Db.Factory).SearchAsync(Owner, "ångström", [], false)).Value!.Collections.Select(c => c.Name).ShouldBe(["genomics"]);
        (await new SearchService(Db.Factory).SearchAsync(Owner, "embargo", [], false)).Value!.Collections.Select(c => c.Name).ShouldBe(["vault"]);
        (await ContainersAsync(Owner, "v2_14")).ShouldBeEmpty(); // '_' is a character, not a wildcard
        (await new SearchService(Db.Factory).SearchAsync(Owner, "bl", [], false)).Message.ShouldBe("search value must be at least 3 characters");
    }

    [Fact]
    public async Task What_is_deleted_renamed_or_retagged_is_found_no_more()
    {
        await using (var ctx = await Db.Factory.CreateDbContextAsync())
        {
            await ctx.Tags.Where(t => t.Name == "v2.14-zeta").ExecuteDeleteAsync();
            await ctx.OciTags.Where(t => t.Name == "nightly-Qx7").ExecuteUpdateAsync(u => u.SetProperty(t => t.Name, "weekly-Qx7"));
            var x = await ctx.Containers.SingleAsync(c => c.Name == "blastn");
            x.Description = "Nucleotide finder";
            await ctx.SaveChangesAsync();
        }
        (await TaggedAsync(Actor.Anonymous, "zeta")).ShouldBeEmpty();
        (await ContainersAsync(Actor.Anonymous, "zeta")).ShouldBeEmpty();
        (await TaggedAsync(Actor.Anonymous, "nightly")).ShouldBeEmpty();
        (await TaggedAsync(Actor.Anonymous, "weekly")).ShouldBe(["zowner/genomics/blastn weekly-Qx7"]);
        (await ContainersAsync(Actor.Anonymous, "nucleotide search")).ShouldBeEmpty();
        (await ContainersAsync(Actor.Anonymous, "nucleotide finder")).ShouldBe(["zowner/genomics/blastn"]);

        await using (var ctx = await Db.Factory.CreateDbContextAsync())
            await ctx.Collections.Where(c => c.Name == "genomics").ExecuteDeleteAsync(); // containers, tags and labels go by cascade
        (await ContainersAsync(Owner, "blast")).ShouldBe(["zowner/vault/blastp-secret"]);
        (await LabelledAsync(Owner, "zeta")).ShouldBe(["zowner/vault/blastp-secret org.lab.stage: zeta-private"]);
        (await TaggedAsync(Owner, "weekly")).ShouldBeEmpty();
    }

    [Fact]
    public async Task Every_search_query_reads_the_indexes_and_scans_no_table()
    {
        foreach (var actor in new[] { Actor.Anonymous, Owner })
        {
            Log.Commands.Clear();
            (await new SearchService(Db.Factory).SearchAsync(actor, "blast", [], false)).Succeeded.ShouldBeTrue();
            (await new SearchService(Db.Factory).SearchAsync(actor, "owner/genomics/bla", ["amd64"], false)).Succeeded.ShouldBeTrue();
            await TaggedAsync(actor, "zeta");
            await LabelledAsync(actor, "zeta");
            var sent = Log.Commands.ToList();
            sent.Count.ShouldBeGreaterThan(5);
            var searched = 0;
            // EF turns an empty id list into WHERE 0: SQLite tests that constant once and reads nothing.
            foreach (var command in sent.Where(c => !c.Sql.Contains("WHERE 0\n")))
            {
                var plan = await SearchPlans.PlanAsync(Db, Provider, command);
                var shown = command.Sql + "\n--\n" + string.Join("\n", plan);
                if (Provider == DatabaseProvider.Sqlite)
                {
                    // Only the FTS tables' matches are walked (and EF's list parameters, json_each: virtual tables too), and the
                    // page EF's subquery already cut with its LIMIT (a co-routine).
                    var pages = plan.Where(l => l.StartsWith("CO-ROUTINE ")).Select(l => "SCAN " + l["CO-ROUTINE ".Length..]).ToList();
                    plan.Where(l => l.StartsWith("SCAN ")).ShouldAllBe(l => l.Contains("VIRTUAL TABLE") || pages.Contains(l), shown);
                    searched += plan.Any(l => l.Contains("_Search VIRTUAL TABLE")) ? 1 : 0;
                }
                else
                {
                    plan.ShouldNotContain(l => l.Contains("Seq Scan"), shown);
                    searched += plan.Any(l => l.Contains("_Trgm")) ? 1 : 0;
                }
            }
            searched.ShouldBeGreaterThanOrEqualTo(4);
        }
    }
}

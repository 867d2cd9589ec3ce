using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Invitations;
using Registry.Core.Oci;
using Registry.Core.Teams;
using Registry.Tests.Api;

namespace Registry.Tests.Oci;

/// <summary>
/// <c>/v2/_catalog</c> is paged in SQL (<see cref="AccessRules.Viewable"/>): for every kind of caller, walking it page by
/// page gives exactly the repositories <see cref="AccessRules.For"/> lets that caller view, container images included.
/// </summary>
public class OciCatalogTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    [Fact]
    public async Task Walking_the_catalog_page_by_page_gives_what_the_access_rules_allow_for_every_kind_of_caller()
    {
        var (owner, token) = await factory.CreateUserAsync("ocat");
        var (reader, _) = await factory.CreateUserAsync("ocatread");
        var (stranger, _) = await factory.CreateUserAsync("ocatx");
        var (admin, _) = await factory.CreateUserAsync("ocatadm", admin: true);
        var ownerActor = Actor.ForUser(owner.Id, "ocat", false);
        (await factory.Services.GetRequiredService<TeamService>().CreateAsync(ownerActor, "ocatteam", "", false)).Succeeded.ShouldBeTrue();
        await factory.Services.GetRequiredService<MemberInviteService>().JoinTeamAsync(ownerActor, "ocatteam", Actor.ForUser(reader.Id, "ocatread", false), TeamRole.Reader);
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync())
        {
            var collections = factory.Services.GetRequiredService<CollectionService>();
            var own = await db.Entities.SingleAsync(e => e.Name == "ocat");
            var team = await db.Entities.SingleAsync(e => e.Name == "ocatteam");
            (await collections.CreateAsync(ownerActor, own.Id, "hidden", "", true)).Succeeded.ShouldBeTrue();
            (await collections.CreateAsync(ownerActor, team.Id, "shared", "", true)).Succeeded.ShouldBeTrue();
        }
        var library = new LibraryClient(factory.Client(token));
        foreach (var repo in new[] { "ocat/pub/a", "ocat/pub/b-c", "ocat/pub/b.c", "ocat/hidden/x", "ocatteam/shared/y", "ocatteam/open/z" })
        {
            var names = repo.Split('/');
            await library.PushAsync(names[0], names[1], names[2], SifBuilder.Bytes(1200), "v1");
        }
        // A container image only (no Library image) is a repository too.
        var oci = new OciClient(factory.BaseAddress, "ocat", token);
        await oci.LoginAsync("repository:ocat/hidden/img:pull,push");
        (await oci.PushImageAsync("ocat/hidden/img", "v1")).Response.StatusCode.ShouldBe(HttpStatusCode.Created);

        string hiddenId;
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync())
            hiddenId = await db.Collections.Where(c => c.Name == "hidden").Select(c => c.Id).SingleAsync();
        var callers = new[]
        {
            Actor.Anonymous, ownerActor, Actor.ForUser(reader.Id, "ocatread", false), Actor.ForUser(stranger.Id, "ocatx", false),
            Actor.ForUser(admin.Id, "ocatadm", true), ownerActor with { RestrictedToCollectionId = hiddenId },
        };
        var catalog = factory.Services.GetRequiredService<OciCatalog>();
        foreach (var caller in callers)
        {
            var walked = new List<string>();
            string? last = null;
            for (var more = true; more;)
            {
                (var page, more) = await catalog.ListAsync(caller, 2, last);
                page.Count.ShouldBeLessThanOrEqualTo(2);
                walked.AddRange(page);
                last = page.LastOrDefault();
            }
            var expected = await ExpectedAsync(caller);
            walked.ShouldBe(expected, $"caller {caller.UserName} restricted to {caller.RestrictedToCollectionId}");
            walked.ShouldBe(walked.Order(StringComparer.Ordinal).ToList());
        }
        (await ExpectedAsync(Actor.Anonymous)).ShouldNotContain("ocat/hidden/img");
        (await ExpectedAsync(ownerActor)).ShouldContain("ocat/hidden/img");
        (await ExpectedAsync(callers[2])).ShouldContain("ocatteam/shared/y");
    }

    /// <summary>The repositories <see cref="AccessRules.For"/> lets <paramref name="caller"/> view, computed in memory.</summary>
    private async Task<List<string>> ExpectedAsync(Actor caller)
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        var collections = await db.Collections.AsNoTracking().WithAccessGraph().ToListAsync();
        var containers = await db.Containers.AsNoTracking()
            .Where(x => db.Images.Any(i => i.ContainerId == x.Id && i.Uploaded) || db.OciManifests.Any(m => m.ContainerId == x.Id)).ToListAsync();
        return containers.Select(x => (Collection: collections.Single(c => c.Id == x.CollectionId), x.Name))
            .Where(x => AccessRules.For(caller, x.Collection).CanView)
            .Select(x => $"{x.Collection.Entity!.Name}/{x.Collection.Name}/{x.Name}").Order(StringComparer.Ordinal).ToList();
    }
}

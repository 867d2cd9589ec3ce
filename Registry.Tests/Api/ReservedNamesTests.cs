using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core;
using Registry.Core.Access;
using Registry.Core.Data;
using Registry.Core.Identity;
using Registry.Core.Teams;

namespace Registry.Tests.Api;

/// <summary>
/// The app's own page words (account, admin, teams, …) can't name a user, team or collection, nor settings/upload a
/// container: at <c>/account/login</c> a user's collection would stand where the sign-in page is.
/// </summary>
public class ReservedNamesTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    [Theory]
    [InlineData("account")]
    [InlineData("admin")]
    [InlineData("teams")]
    [InlineData("signin-oidc-lab")]
    public async Task A_user_can_not_take_a_page_word_as_name(string name)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<RegistryUser>>();
        var created = await users.CreateAsync(new RegistryUser { UserName = name }, "A-long-password-1");
        created.Succeeded.ShouldBeFalse();
        created.Errors.Single().Description.ShouldContain("the registry's own pages use");
    }

    [Fact]
    public async Task Teams_collections_and_containers_refuse_page_words_with_a_clear_message()
    {
        var (user, token) = await factory.CreateUserAsync("wordsmith");
        var actor = Actor.ForUser(user.Id, "wordsmith", true); // an admin may create teams whatever the settings
        var team = await factory.Services.GetRequiredService<TeamService>().CreateAsync(actor, "search", "", false);
        team.Succeeded.ShouldBeFalse();
        team.Message.ShouldContain("the registry's own pages use");

        var client = new LibraryClient(factory.Client(token));
        var (_, e) = await client.GetAsync("/v1/entities/wordsmith");
        var (status, body) = await client.PostAsync("/v1/collections", new { name = "upload", entity = (string)e!["data"]!["id"]! });
        status.ShouldBe(HttpStatusCode.BadRequest);
        body!["error"]!["message"]!.ToString().ShouldContain("choose another collection name");

        var (_, c) = await client.PostAsync("/v1/collections", new { name = "tools", entity = (string)e["data"]!["id"]! });
        var (xs, x) = await client.PostAsync("/v1/containers", new { name = "settings", collection = (string)c!["data"]!["id"]! });
        xs.ShouldBe(HttpStatusCode.BadRequest);
        x!["error"]!["message"]!.ToString().ShouldContain("choose another container name");
        // A page word is fine for a container, where no page stands.
        (await client.PostAsync("/v1/containers", new { name = "admin", collection = (string)c["data"]!["id"]! })).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Names_taken_before_the_words_were_reserved_keep_working_and_are_reported()
    {
        var (user, token) = await factory.CreateUserAsync("veteran");
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync())
        {
            var entity = await db.Entities.SingleAsync(x => x.Name == "veteran");
            db.Collections.Add(new Registry.Core.Collections.Collection { EntityId = entity.Id, Name = "keys", CreatedById = user.Id });
            await db.SaveChangesAsync();
            (await DatabaseStartup.ReservedNameClashesAsync(db)).ShouldContain("collection 'veteran/keys'");
        }
        // Pushing into it still works: only new names are refused.
        await new LibraryClient(factory.Client(token)).PushAsync("veteran", "keys", "tool", SifBuilder.Bytes(3000), "latest");
    }
}

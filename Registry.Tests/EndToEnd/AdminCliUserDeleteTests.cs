using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.EndToEnd;

/// <summary>
/// <c>admin user delete NAME</c> (issue 12): what the admin page's Delete does, from a script. Refused, changing nothing,
/// while the user's namespace holds collections; otherwise the account and its tokens go at once, and only once.
/// </summary>
public sealed class AdminCliUserDeleteTests(TermsServerFixture fx) : IClassFixture<TermsServerFixture>
{
    [Fact]
    public async Task A_user_who_owns_a_collection_is_not_deleted_and_keeps_working()
    {
        var name = RegistryFixture.Unique("keeper");
        await fx.Server.AdminOkAsync("user", "add", name, "--accept-terms");
        var token = await fx.Server.CreateTokenAsync(name);
        await CreateCollectionAsync(name, token, "box");

        var refused = await fx.Server.AdminAsync("user", "delete", name);

        refused.ExitCode.ShouldBe(1, refused.ToString());
        refused.Stderr.Trim().ShouldBe($"cannot delete {name}: {name} still owns 1 collection ({name}/box): delete them first, or disable the account instead.");
        refused.Stdout.ShouldBeEmpty();
        (await TokenStatusAsync(token)).ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_user_without_collections_is_deleted_with_their_tokens_and_the_name_is_free_again()
    {
        var name = RegistryFixture.Unique("leaver");
        await fx.Server.AdminOkAsync("user", "add", name, "--accept-terms");
        var token = await fx.Server.CreateTokenAsync(name);
        (await TokenStatusAsync(token)).ShouldBe(HttpStatusCode.OK);

        var deleted = await fx.Server.AdminOkAsync("user", "delete", name);

        deleted.Stdout.ShouldBe($"deleted user {name} with their tokens, memberships, stars and unfinished uploads\n");
        (await TokenStatusAsync(token)).ShouldBe(HttpStatusCode.NotFound);
        var again = await fx.Server.AdminAsync("user", "delete", name);
        again.ExitCode.ShouldBe(1);
        again.Stderr.Trim().ShouldBe($"no user named {name}");
        await fx.Server.AdminOkAsync("user", "add", name, "--accept-terms"); // a new, unrelated account may take the name
        (await TokenStatusAsync(token)).ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Two_deletes_at_once_delete_once_and_the_other_says_why_not()
    {
        var name = RegistryFixture.Unique("twice");
        await fx.Server.AdminOkAsync("user", "add", name, "--accept-terms");

        var results = await Task.WhenAll(fx.Server.AdminAsync("user", "delete", name), fx.Server.AdminAsync("user", "delete", name));

        results.Count(r => r.ExitCode == 0).ShouldBe(1, string.Join("\n", results.Select(r => r.ToString())));
        var loser = results.Single(r => r.ExitCode != 0);
        loser.Stderr.Trim().ShouldBeOneOf($"no user named {name}", $"cannot delete {name}: This user was already deleted.");
        (await fx.Server.AdminAsync("token", "create", name)).ExitCode.ShouldBe(1);
    }

    [Theory]
    [InlineData("user", "delete")]
    [InlineData("user", "delete", "a", "b")]
    public async Task Incomplete_or_extra_arguments_are_a_usage_error(params string[] args)
    {
        var result = await fx.Server.AdminAsync(args);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stdout.ShouldBeEmpty();
    }

    private async Task CreateCollectionAsync(string entity, string token, string collection)
    {
        using var get = Request(HttpMethod.Get, $"v1/entities/{entity}", token);
        using var found = await fx.Server.Http.SendAsync(get);
        var entityId = (string)JsonNode.Parse(await found.Content.ReadAsStringAsync())!["data"]!["id"]!;
        using var post = Request(HttpMethod.Post, "v1/collections", token);
        post.Content = JsonContent.Create(new { entity = entityId, name = collection });
        using var created = await fx.Server.Http.SendAsync(post);
        created.StatusCode.ShouldBe(HttpStatusCode.OK, await created.Content.ReadAsStringAsync());
    }

    private async Task<HttpStatusCode> TokenStatusAsync(string token)
    {
        using var request = Request(HttpMethod.Get, "v1/token-status", token);
        using var response = await fx.Server.Http.SendAsync(request);
        return response.StatusCode;
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string token)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}

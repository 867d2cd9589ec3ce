using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core;
using Registry.Core.Data;

namespace Registry.Tests.Api;

/// <summary>
/// The route group's validation filter: the token first, then the body's type, its JSON, then the request's validator,
/// each with its envelope; every request gets its own body, also when many arrive at once.
/// </summary>
public class RequestValidationTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(HttpClient http, string path, string body, string? contentType = null)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        var response = await http.PostAsync(path, content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string Error(int code, string message) => new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } }.ToJsonString();

    [Theory]
    [InlineData("text/plain")]
    [InlineData(null)]
    public async Task Without_a_token_a_write_is_refused_before_its_body_is_looked_at(string? contentType)
    {
        var (status, body) = await PostAsync(factory.Client(), "/v1/collections", "not json at all {", contentType);

        status.ShouldBe(HttpStatusCode.Unauthorized);
        body.ShouldBe(Error(401, "a token is required: create one at /auth/tokens"));
    }

    [Theory]
    [InlineData("", 400, "a JSON request body is required")]
    [InlineData("null", 400, "a JSON object is required")]
    [InlineData("{\"name\":\"a\"}", 415, "send the request body as JSON (Content-Type: application/json)", "text/plain")]
    public async Task A_missing_null_or_mistyped_body_gets_its_own_message(string sent, int code, string message, string? contentType = null)
    {
        var (_, token) = await factory.CreateUserAsync("body" + code + sent.Length);

        var (status, body) = await PostAsync(factory.Client(token), "/v1/entities", sent, contentType);

        ((int)status).ShouldBe(code);
        body.ShouldBe(Error(code, message));
    }

    [Fact]
    public async Task Malformed_json_and_an_invalid_request_are_400s_that_say_why_and_create_nothing()
    {
        var (_, token) = await factory.CreateUserAsync("hasty");
        var http = factory.Client(token);

        var (status, body) = await PostAsync(http, "/v1/collections", "{\"entity\":");
        status.ShouldBe(HttpStatusCode.BadRequest);
        body.ShouldStartWith("""{"error":{"code":400,"message":"malformed JSON: """);

        (status, body) = await PostAsync(http, "/v1/collections", """{"entity":"x","name":"Bad Name"}""");
        status.ShouldBe(HttpStatusCode.BadRequest);
        body.ShouldBe(Error(400, $"'Bad Name' is not a valid collection name: use {Names.Rule}"));

        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        (await db.Collections.AnyAsync(c => c.Name == "Bad Name")).ShouldBeFalse();
    }

    [Fact]
    public async Task Concurrent_requests_each_get_their_own_body()
    {
        var (_, token) = await factory.CreateUserAsync("busy");
        var http = factory.Client(token);

        // Valid and invalid bodies interleaved: each answer must be the one its own body deserves (a valid name that is
        // nobody's is a 403 naming it; an invalid one a 400 naming it).
        var answers = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => i % 2 == 0
            ? PostAsync(http, "/v1/entities", $$"""{"name":"nobody{{i}}"}""")
            : PostAsync(http, "/v1/entities", $$"""{"name":"Not Valid {{i}}"}""")));

        for (var i = 0; i < answers.Length; i++)
        {
            var expected = i % 2 == 0
                ? Error(403, $"entity nobody{i} does not exist: entities are users and teams; push to library://busy/… or create a team named nobody{i} in the web UI")
                : Error(400, $"'Not Valid {i}' is not a valid entity name: use {Names.Rule}");
            answers[i].Body.ShouldBe(expected);
        }
    }

    [Theory]
    [InlineData("/pks/lookup?search=abc", "op '' is not supported: use get or index")]
    [InlineData("/pks/lookup?op=index&search=abc&x-pagesize=zero", "x-pagesize 'zero' is not a whole number of at least 1 (at most 1000 are returned)")]
    public async Task The_keyserver_query_is_validated_by_the_same_filter(string path, string message)
    {
        var response = await factory.Client().GetAsync(path);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldBe(Error(400, message));
    }
}

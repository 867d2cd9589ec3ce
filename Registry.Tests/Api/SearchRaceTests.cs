using System.Net;

namespace Registry.Tests.Api;

/// <summary>
/// Issue 18: searches racing pushes and deletes (the index triggers write in the same transactions) all answer 200, on the
/// API and the web page; afterwards what was deleted is found no more and what was pushed is found.
/// </summary>
public class SearchRaceTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    [Fact]
    public async Task Searches_racing_pushes_and_deletes_all_answer_and_then_find_what_is_there()
    {
        var name = RegistryFixture.Unique("racer");
        var (_, token) = await factory.CreateUserAsync(name);
        var owner = new LibraryClient(factory.Client(token));
        for (var i = 0; i < 4; i++) await owner.PushAsync(name, "lab", $"gone{i}", SifBuilder.Bytes(1000 + i), $"racetag-old{i}");

        var writes = Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            (await owner.SendAsync(HttpMethod.Delete, $"/v1/images/{name}/lab/gone{i}:racetag-old{i}?arch=amd64")).Status.ShouldBe(HttpStatusCode.OK);
            await owner.PushAsync(name, "lab", $"fresh{i}", SifBuilder.Bytes(2000 + i), $"racetag-new{i}");
        }));
        var anonymous = factory.Client();
        var reads = Enumerable.Range(0, 4).Select(r => Task.Run(async () =>
        {
            var statuses = new List<HttpStatusCode>();
            for (var k = 0; k < 8; k++)
            {
                var path = (k % 3) switch { 0 => "/v1/search?value=racetag", 1 => $"/search?q={name}", _ => "/v1/search?value=" + name };
                using var response = await (r % 2 == 0 ? anonymous : owner.Http).GetAsync(path);
                statuses.Add(response.StatusCode);
            }
            return statuses;
        }));
        var answered = await Task.WhenAll(reads);
        await Task.WhenAll(writes);
        answered.SelectMany(s => s).ShouldAllBe(s => s == HttpStatusCode.OK);

        var (_, found) = await new LibraryClient(anonymous).GetAsync($"/v1/search?value={name}");
        found!["data"]!["container"]!.AsArray().Select(x => (string)x!["name"]!).Order().ShouldBe(["fresh0", "fresh1", "fresh2", "fresh3"]);
        var (_, old) = await new LibraryClient(anonymous).GetAsync("/v1/search?value=racetag-old");
        old!["data"]!["container"]!.AsArray().ShouldBeEmpty();
        old["data"]!["image"]!.AsArray().ShouldBeEmpty();
    }
}

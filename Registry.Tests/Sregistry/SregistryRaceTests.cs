using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Data;
using Registry.Core.Storage;
using Registry.Tests.Api;

namespace Registry.Tests.Sregistry;

/// <summary>
/// sregistry-cli pushes as a hurried lab sends them: the same name:tag from several shells at once, and a push racing a
/// delete of the same tag. Every answer is the push's JSON (never a 500), and what is left is one consistent image.
/// </summary>
public class SregistryRaceTests(RegistryApiFactory factory) : IClassFixture<RegistryApiFactory>
{
    private async Task<SregistryClient> UserAsync(string name)
    {
        var (_, token) = await factory.CreateUserAsync(name);
        return new SregistryClient(factory.BaseAddress, name, token);
    }

    [Fact]
    public async Task Eight_pushes_of_one_new_name_and_tag_at_once_leave_one_container_one_tag_and_a_pushed_image()
    {
        var ra = await UserAsync("srrace");
        var files = Enumerable.Range(0, 8).Select(_ => SifBuilder.Bytes(200_000)).ToList();

        var answers = await Task.WhenAll(files.Select(f => ra.PushAsync("racelab", "tool", "v1", f)));

        foreach (var (status, body) in answers) AcceptedOrRefusedPlainly(status, body);
        answers.Count(a => a.Status == HttpStatusCode.OK).ShouldBeGreaterThanOrEqualTo(1);
        var (pulled, _, image) = await ra.PullAsync("racelab", "tool", "v1");
        pulled.ShouldBe(HttpStatusCode.OK);
        files.ShouldContain(f => f.SequenceEqual(image!));

        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        (await db.Collections.CountAsync(c => c.Name == "racelab")).ShouldBe(1);
        (await db.Containers.CountAsync(c => c.Name == "tool" && c.Collection!.Name == "racelab")).ShouldBe(1);
        var container = await db.Containers.SingleAsync(c => c.Name == "tool" && c.Collection!.Name == "racelab");
        (await db.Tags.CountAsync(t => t.Name == "v1" && t.ContainerId == container.Id)).ShouldBe(1);
        NothingStaged();
    }

    [Fact]
    public async Task Pushes_racing_deletes_of_the_same_tag_answer_plainly_and_a_tag_that_is_left_pulls_its_bytes()
    {
        var rb = await UserAsync("srraceb");
        (await rb.PushAsync("racedel", "tool", "v1", SifBuilder.Bytes(50_000))).Status.ShouldBe(HttpStatusCode.OK);

        for (var round = 0; round < 6; round++)
        {
            var bytes = SifBuilder.Bytes(150_000);
            var push = rb.PushAsync("racedel", "tool", "v1", bytes);
            var delete = rb.DeleteAsync("racedel", "tool", "v1");
            var (pushed, pushBody) = await push;
            var (deleted, deleteBody) = await delete;
            AcceptedOrRefusedPlainly(pushed, pushBody);
            deleted.ShouldBeOneOf([HttpStatusCode.NoContent, HttpStatusCode.NotFound], deleteBody?.ToJsonString());

            // Whatever order they ran in, a v1 that is left pulls exactly the bytes pushed in this round.
            var (status, _, image) = await rb.PullAsync("racedel", "tool", "v1");
            if (status == HttpStatusCode.OK) image.ShouldBe(bytes);
            else status.ShouldBe(HttpStatusCode.NotFound);
            // The next round starts from a pushable tag.
            (await rb.PushAsync("racedel", "tool", "v1", SifBuilder.Bytes(40_000))).Status.ShouldBe(HttpStatusCode.OK);
        }
        NothingStaged();
    }

    /// <summary>200 with the library ref, or a refusal the client prints (409/404 with a detail); never a 500.</summary>
    private static void AcceptedOrRefusedPlainly(HttpStatusCode status, JsonNode? body)
    {
        status.ShouldBeOneOf([HttpStatusCode.OK, HttpStatusCode.Conflict, HttpStatusCode.NotFound], body?.ToJsonString());
        var text = status == HttpStatusCode.OK ? body!["message"]!.GetValue<string>() : body!["detail"]!.GetValue<string>();
        text.ShouldNotBeNullOrWhiteSpace();
    }

    private void NothingStaged() =>
        factory.Services.GetRequiredService<IBlobStore>().ListUploads().ShouldBeEmpty();
}

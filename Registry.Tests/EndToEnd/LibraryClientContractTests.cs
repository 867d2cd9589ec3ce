using System.Text.Json;
using Registry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Registry.Tests.EndToEnd;

/// <summary>
/// More §15.5 scenarios with the real client: push description (-D), the legacy protocol an older server gets
/// (v1 upload, v1 tags), and §15.5 #11: every JSON answer decoded into the client's own Go types.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class LibraryClientContractTests(RegistryFixture fx, ITestOutputHelper output) : LibraryClientTest(fx, output)
{
    [Fact]
    public async Task Push_description_is_kept_on_the_image()
    {
        var alice = await fx.NewUserAsync("alice");
        var sif = await fx.Sif.CreateAsync(Small);
        var push = await Lib(alice.Token, "push", sif, $"{alice.Name}/c/x", "v1", "-desc", "Alignment tools for lab use");
        push.ExitCode.ShouldBe(0, push.ToString());

        var get = await Lib(null, "get", $"{alice.Name}/c/x:v1");
        get.ExitCode.ShouldBe(0, get.ToString());
        Kv(get)["description"].ShouldBe("Alignment tools for lab use");
    }

    [Fact]
    public async Task A_client_that_finds_no_version_pushes_with_legacy_upload_and_v1_tags()
    {
        var alice = await fx.NewUserAsync("alice");
        var sif = await fx.Sif.CreateAsync(Small);

        // -legacy: the driver's transport answers /version with 404, so the client takes the pre-2.0 paths.
        var push = await Lib(alice.Token, "push", sif, $"{alice.Name}/c/old", "v1,latest", "-legacy");

        push.ExitCode.ShouldBe(0, push.ToString());
        push.Stdout.ShouldContain("complete=none"); // the legacy upload has no quota/containerUrl answer
        push.Stderr.ShouldContain("postFile calling v1/imagefile/");
        push.Stderr.ShouldContain("setTag calling v1/tags/");
        push.Stderr.ShouldNotContain("v2/imagefile");
        var get = await Lib(null, "get", $"{alice.Name}/c/old:v1");
        get.ExitCode.ShouldBe(0, get.ToString());
        Kv(get)["uploaded"].ShouldBe("true");
        Kv(get)["hash"].ShouldBe(await SifFiles.HashAsync(sif));
        Kv(get)["arch"].ShouldBe("amd64"); // the arch-less v1 tag is filed under the SIF header's arch
        Kv(get)["tags"].Split(',').ShouldBe(["latest", "v1"], ignoreOrder: true);
        var pulled = fx.NewPath();
        (await Lib(null, "pullverify", $"{alice.Name}/c/old:latest", pulled)).ExitCode.ShouldBe(0);
        FilesEqual(sif, pulled).ShouldBeTrue();
    }

    [Fact]
    public async Task Every_json_answer_decodes_into_the_clients_own_types()
    {
        var alice = await fx.NewUserAsync("alice");
        var container = RegistryFixture.Unique("wire");
        var sif = await fx.Sif.CreateAsync(Small);
        (await Lib(alice.Token, "push", sif, $"{alice.Name}/c/{container}", "v1")).ExitCode.ShouldBe(0);
        var hash = await SifFiles.HashAsync(sif);

        JsonElement Decoded(ProcessResult r) => JsonDocument.Parse(Kv(r)["decoded"]).RootElement.GetProperty("data");
        async Task<JsonElement> DecodeAsync(string kind, string path)
        {
            var r = await Lib(alice.Token, "decode", kind, path);
            r.ExitCode.ShouldBe(0, r.ToString());
            return Decoded(r);
        }

        (await DecodeAsync("entity", $"/v1/entities/{alice.Name}")).GetProperty("name").GetString().ShouldBe(alice.Name);
        (await DecodeAsync("collection", $"/v1/collections/{alice.Name}/c")).GetProperty("entityName").GetString().ShouldBe(alice.Name);
        var x = await DecodeAsync("container", $"/v1/containers/{alice.Name}/c/{container}");
        var containerId = x.GetProperty("id").GetString()!;
        var image = await DecodeAsync("image", $"/v1/images/{alice.Name}/c/{container}:v1?arch=amd64");
        image.GetProperty("hash").GetString().ShouldBe(hash);
        image.GetProperty("createdAt").GetDateTime().ShouldNotBe(default);
        var imageId = image.GetProperty("id").GetString()!;
        (await DecodeAsync("archtags", $"/v2/tags/{containerId}")).GetProperty("amd64").GetProperty("v1").GetString().ShouldBe(imageId);
        (await DecodeAsync("tags", $"/v1/tags/{containerId}")).GetProperty("v1").GetString().ShouldBe(imageId);
        var search = await DecodeAsync("search", $"/v1/search?value={container}");
        search.GetProperty("container").EnumerateArray().Single().GetProperty("id").GetString().ShouldBe(containerId);
        search.GetProperty("image").EnumerateArray().Single().GetProperty("id").GetString().ShouldBe(imageId);
    }

    [Fact]
    public async Task A_search_shorter_than_three_characters_is_refused_by_the_client()
    {
        var search = await Lib(null, "search", "ab");
        search.ExitCode.ShouldBe(1, search.ToString());
        search.Stderr.ShouldContain("3 characters");
    }
}

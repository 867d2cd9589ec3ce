using System.Net.Http.Headers;
using System.Text.Json;
using Registry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Registry.Tests.EndToEnd;

/// <summary>The real client against frozen tags, deletes, unknown images and malformed references and tags.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class LibraryClientEditTests(RegistryFixture fx, ITestOutputHelper output) : LibraryClientTest(fx, output)
{
    [Fact]
    public async Task Frozen_tag_cannot_be_moved()
    {
        var alice = await fx.NewUserAsync("alice");
        var repo = $"{alice.Name}/c/x";
        var first = await fx.Sif.CreateAsync(Small);
        (await Lib(alice.Token, "push", first, repo, "v1")).ExitCode.ShouldBe(0);
        var freeze = await fx.Server.AdminAsync("tag", "freeze", $"{repo}:v1", "amd64");
        freeze.ExitCode.ShouldBe(0, freeze.ToString());

        var second = await fx.Sif.CreateAsync(Small);
        var push = await Lib(alice.Token, "push", second, repo, "v1");

        push.ExitCode.ShouldBe(1, push.ToString());
        var get = await Lib(alice.Token, "get", $"{repo}:v1");
        get.ExitCode.ShouldBe(0, get.ToString());
        Kv(get)["hash"].ShouldBe(await SifFiles.HashAsync(first), "the frozen tag moved");
    }

    // ---------------------------------------------------------------- 9 delete

    [Fact]
    public async Task Delete_removes_image_and_its_tags_but_keeps_shared_blob()
    {
        var alice = await fx.NewUserAsync("alice");
        var sif = await fx.Sif.CreateAsync(Small);
        (await Lib(alice.Token, "push", sif, $"{alice.Name}/c/x", "v1,v2")).ExitCode.ShouldBe(0);
        (await Lib(alice.Token, "push", sif, $"{alice.Name}/c/y", "v1")).ExitCode.ShouldBe(0); // same blob

        var anon = await Lib(null, "delete", $"{alice.Name}/c/x:v2", "amd64");
        anon.ExitCode.ShouldNotBe(0, "anonymous delete succeeded");

        var del = await Lib(alice.Token, "delete", $"{alice.Name}/c/x:v2", "amd64");
        del.ExitCode.ShouldBe(0, del.ToString());

        (await Lib(alice.Token, "get", $"{alice.Name}/c/x:v2")).ExitCode.ShouldBe(3);
        (await Lib(alice.Token, "get", $"{alice.Name}/c/x:v1")).ExitCode.ShouldBe(3, "tag v1 still points to the deleted image");
        (await Lib(alice.Token, "delete", $"{alice.Name}/c/x:v2", "amd64")).ExitCode.ShouldBe(3);

        var outY = fx.NewPath();
        var pullY = await Lib(alice.Token, "pullverify", $"{alice.Name}/c/y:v1", outY);
        pullY.ExitCode.ShouldBe(0, pullY.ToString());
        FilesEqual(sif, outY).ShouldBeTrue("the blob shared with c/y was damaged by the delete");
    }

    // ---------------------------------------------------------------- 10 not found / malformed

    [Fact]
    public async Task Unknown_image_is_not_found()
    {
        var alice = await fx.NewUserAsync("alice");
        (await Lib(alice.Token, "push", await fx.Sif.CreateAsync(Small), $"{alice.Name}/c/x", "v1")).ExitCode.ShouldBe(0);

        (await Lib(null, "get", $"{alice.Name}/c/nope:latest")).ExitCode.ShouldBe(3);
        (await Lib(null, "get", $"{alice.Name}/c/x:nope")).ExitCode.ShouldBe(3);
        (await Lib(null, "get", $"{RegistryFixture.Unique("ghost")}/c/x:latest")).ExitCode.ShouldBe(3);
        (await Lib(null, "get", $"{alice.Name}/c/x:v1", "-arch", "arm64")).ExitCode.ShouldBe(3);

        var pull = await Lib(null, "pull", $"{alice.Name}/c/x:nope", fx.NewPath());
        pull.ExitCode.ShouldBe(3, pull.ToString());
        pull.Stderr.ShouldContain("requested image was not found in the library");
    }

    [Theory]
    [InlineData("e/c/../x:latest")]
    [InlineData("E/c/x:latest")]
    [InlineData("e/C/x:latest")]
    [InlineData("e/c/X:latest")]
    [InlineData("e/c/x:LATEST")]
    [InlineData("e/c/x:bad!tag")]
    [InlineData("e/c_/x:latest")]
    [InlineData("-e/c/x:latest")]
    public async Task Malformed_refs_are_rejected(string badRef)
    {
        var alice = await fx.NewUserAsync("alice");
        // make the well-formed variant exist so a lenient server could answer it
        (await Lib(alice.Token, "push", await fx.Sif.CreateAsync(Small), $"{alice.Name}/c/x", "latest")).ExitCode.ShouldBe(0);
        var r = badRef.Replace("e/", alice.Name + "/", StringComparison.Ordinal)
                      .Replace("E/", alice.Name.ToUpperInvariant() + "/", StringComparison.Ordinal);

        var get = await Lib(null, "get", "--", r);

        get.ExitCode.ShouldNotBe(0, get.ToString());
    }

    [Fact]
    public async Task Push_with_invalid_tag_is_refused_by_server()
    {
        var alice = await fx.NewUserAsync("alice");
        var push = await Lib(alice.Token, "push", await fx.Sif.CreateAsync(Small), $"{alice.Name}/c/x", "Bad_Tag");

        push.ExitCode.ShouldBe(1, push.ToString());
        push.Stderr.ShouldContain("400");
        (await Lib(alice.Token, "get", $"{alice.Name}/c/x:Bad_Tag")).ExitCode.ShouldNotBe(0);
    }
}

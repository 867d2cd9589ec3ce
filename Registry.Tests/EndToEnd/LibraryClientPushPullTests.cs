using System.Net.Http.Headers;
using System.Text.Json;
using Registry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Registry.Tests.EndToEnd;

/// <summary>The real client pushes, re-pushes, pulls (also by hash and per architecture, small and multipart) what it pushed.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class LibraryClientPushPullTests(RegistryFixture fx, ITestOutputHelper output) : LibraryClientTest(fx, output)
{
    [Fact]
    public async Task Version_reports_api_version_2_0_0_alpha_2()
    {
        var r = await Lib(null, "version");

        r.ExitCode.ShouldBe(0, r.ToString());
        Kv(r)["apiVersion"].ShouldBe("2.0.0-alpha.2");
    }

    // ---------------------------------------------------------------- 2 push + get

    [Fact]
    public async Task Push_then_get_reports_uploaded_image_with_hash_and_size()
    {
        var alice = await fx.NewUserAsync("alice");
        var sif = await fx.Sif.CreateAsync(Small);
        var uploadsBefore = fx.Server.CountLogLines(UploadLogLine);

        var push = await Lib(alice.Token, "push", sif, $"{alice.Name}/c/x", "v1,latest");

        push.ExitCode.ShouldBe(0, push.ToString());
        push.Stdout.ShouldContain("containerUrl=");
        push.Stdout.ShouldContain("quota=");
        Kv(push)["containerUrl"].ShouldNotBeNullOrWhiteSpace();
        (await WaitForUploadCountAsync(uploadsBefore)).ShouldBeGreaterThan(uploadsBefore,
            $"the server logged no '{UploadLogLine}' line for the upload PUT");

        foreach (var tag in new[] { "v1", "latest" })
        {
            var get = await Lib(alice.Token, "get", $"{alice.Name}/c/x:{tag}", "-arch", "amd64");
            get.ExitCode.ShouldBe(0, get.ToString());
            var img = Kv(get);
            img["uploaded"].ShouldBe("true");
            img["hash"].ShouldBe(await SifFiles.HashAsync(sif));
            img["size"].ShouldBe(new FileInfo(sif).Length.ToString());
        }
    }

    // ---------------------------------------------------------------- 3 re-push: no upload

    [Fact]
    public async Task Repush_of_same_file_with_new_tag_does_not_upload_again()
    {
        var alice = await fx.NewUserAsync("alice");
        var sif = await fx.Sif.CreateAsync(Small);
        var before = fx.Server.CountLogLines(UploadLogLine);

        var first = await Lib(alice.Token, "push", sif, $"{alice.Name}/c/x", "v1");
        first.ExitCode.ShouldBe(0, first.ToString());
        (await WaitForUploadCountAsync(before)).ShouldBeGreaterThan(before,
            $"the server logged no '{UploadLogLine}' line for the first upload; the counter cannot prove anything");
        await fx.Server.WaitForQuietLogAsync();
        var afterFirst = fx.Server.CountLogLines(UploadLogLine);

        var second = await Lib(alice.Token, "push", sif, $"{alice.Name}/c/x", "v2");

        second.ExitCode.ShouldBe(0, second.ToString());
        second.Stderr.ShouldContain("already present in the library");
        await fx.Server.WaitForQuietLogAsync();
        fx.Server.CountLogLines(UploadLogLine).ShouldBe(afterFirst, "the re-push uploaded the file again");

        var v1 = await GetImageJsonAsync($"{alice.Name}/c/x:v1", "amd64", alice.Token);
        var v2 = await GetImageJsonAsync($"{alice.Name}/c/x:v2", "amd64", alice.Token);
        v2.GetProperty("id").GetString().ShouldBe(v1.GetProperty("id").GetString());
        v2.GetProperty("hash").GetString().ShouldBe(await SifFiles.HashAsync(sif));
    }

    // ---------------------------------------------------------------- 4 pull

    [Fact]
    public async Task Pull_and_pullverify_return_the_pushed_bytes()
    {
        var alice = await fx.NewUserAsync("alice");
        var sif = await fx.Sif.CreateAsync(Small);
        (await Lib(alice.Token, "push", sif, $"{alice.Name}/c/x", "v1")).ExitCode.ShouldBe(0);

        var outPull = fx.NewPath();
        var pull = await Lib(alice.Token, "pull", $"{alice.Name}/c/x:v1", outPull);
        pull.ExitCode.ShouldBe(0, pull.ToString());
        FilesEqual(sif, outPull).ShouldBeTrue("pull: downloaded file differs from the pushed one");

        var outVerify = fx.NewPath();
        var verify = await Lib(alice.Token, "pullverify", $"{alice.Name}/c/x:v1", outVerify);
        verify.ExitCode.ShouldBe(0, verify.ToString());
        FilesEqual(sif, outVerify).ShouldBeTrue("pullverify: downloaded file differs from the pushed one");
    }

    [Fact]
    public async Task Pull_by_hash_finds_the_image_after_its_tag_moved_on()
    {
        var alice = await fx.NewUserAsync("alice");
        var first = await fx.Sif.CreateAsync(Small);
        var second = await fx.Sif.CreateAsync(Small);
        (await Lib(alice.Token, "push", first, $"{alice.Name}/c/x", "latest")).ExitCode.ShouldBe(0);
        (await Lib(alice.Token, "push", second, $"{alice.Name}/c/x", "latest")).ExitCode.ShouldBe(0);
        var hash = await SifFiles.HashAsync(first); // "sha256.<hex>", the client's own ref form

        var output = fx.NewPath();
        var pull = await Lib(alice.Token, "pullverify", $"{alice.Name}/c/x:{hash}", output);

        pull.ExitCode.ShouldBe(0, pull.ToString());
        FilesEqual(first, output).ShouldBeTrue("pull by hash returned other bytes");
        (await Lib(null, "get", $"{alice.Name}/c/x:sha256.{new string('0', 64)}")).ExitCode.ShouldBe(3);
    }

    [Fact]
    public async Task Concurrent_first_pushes_into_a_new_collection_all_succeed()
    {
        // Each client finds no collection and creates it: all but the first find it made by another push meanwhile.
        var alice = await fx.NewUserAsync("alice");
        var sifs = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => fx.Sif.CreateAsync(Small)));

        var pushes = await Task.WhenAll(sifs.Select((sif, i) => Lib(alice.Token, "push", sif, $"{alice.Name}/fresh/x{i}", "v1")));

        pushes.ShouldAllBe(p => p.ExitCode == 0, string.Join("\n", pushes.Where(p => p.ExitCode != 0)));
        for (var i = 0; i < sifs.Length; i++)
            Kv(await Lib(alice.Token, "get", $"{alice.Name}/fresh/x{i}:v1"))["hash"].ShouldBe(await SifFiles.HashAsync(sifs[i]));
    }

    // ---------------------------------------------------------------- 5 arch

    [Fact]
    public async Task Same_tag_holds_different_images_per_architecture()
    {
        var alice = await fx.NewUserAsync("alice");
        var amd = await fx.Sif.CreateAsync(Small, "amd64");
        var arm = await fx.Sif.CreateAsync(Small, "arm64");
        var repo = $"{alice.Name}/c/x";

        (await Lib(alice.Token, "push", amd, repo, "v1", "-arch", "amd64")).ExitCode.ShouldBe(0);
        var pushArm = await Lib(alice.Token, "push", arm, repo, "v1", "-arch", "arm64");
        pushArm.ExitCode.ShouldBe(0, pushArm.ToString());

        var getAmd = await Lib(alice.Token, "get", $"{repo}:v1", "-arch", "amd64");
        var getArm = await Lib(alice.Token, "get", $"{repo}:v1", "-arch", "arm64");
        getAmd.ExitCode.ShouldBe(0, getAmd.ToString());
        getArm.ExitCode.ShouldBe(0, getArm.ToString());
        Kv(getAmd)["hash"].ShouldBe(await SifFiles.HashAsync(amd));
        Kv(getArm)["hash"].ShouldBe(await SifFiles.HashAsync(arm));
        Kv(getArm)["hash"].ShouldNotBe(Kv(getAmd)["hash"]);
        Kv(getArm)["arch"].ShouldBe("arm64");
        Kv(getAmd)["arch"].ShouldBe("amd64");

        var outArm = fx.NewPath();
        var verify = await Lib(alice.Token, "pullverify", $"{repo}:v1", outArm, "-arch", "arm64");
        verify.ExitCode.ShouldBe(0, verify.ToString());
        FilesEqual(arm, outArm).ShouldBeTrue();
    }

    // ---------------------------------------------------------------- 6/7 multipart + concurrent pull

    [Fact]
    public async Task Big_image_uses_multipart_push_and_pulls_back_equal()
    {
        var alice = await fx.NewUserAsync("alice");
        var sif = await fx.Sif.CreateAsync(Big);
        new FileInfo(sif).Length.ShouldBeGreaterThan(64L * 1024 * 1024);
        var repo = $"{alice.Name}/big/x";

        var push = await Lib(alice.Token, "push", sif, repo, "v1");
        push.ExitCode.ShouldBe(0, push.ToString());
        push.Stderr.ShouldContain("Multi-part upload: ID=", customMessage: "the client did not use multipart");
        Lines(push.Stderr).Count(l => l.StartsWith("# Uploading part ")).ShouldBeGreaterThanOrEqualTo(2);
        Kv(push)["containerUrl"].ShouldNotBeNullOrWhiteSpace();

        var get = await Lib(alice.Token, "get", $"{repo}:v1");
        get.ExitCode.ShouldBe(0, get.ToString());
        Kv(get)["size"].ShouldBe(new FileInfo(sif).Length.ToString());
        Kv(get)["uploaded"].ShouldBe("true");

        var outVerify = fx.NewPath();
        var verify = await Lib(alice.Token, "pullverify", $"{repo}:v1", outVerify);
        verify.ExitCode.ShouldBe(0, verify.ToString());
        FilesEqual(sif, outVerify).ShouldBeTrue("pullverify: big file differs");

        var outConc = fx.NewPath();
        var conc = await Lib(alice.Token, "pullconc", $"{repo}:v1", outConc);
        conc.ExitCode.ShouldBe(0, conc.ToString());
        FilesEqual(sif, outConc).ShouldBeTrue("pullconc: big file differs");
        // 303 + ranges: the 0-1024 probe, then one ranged GET per 1 MiB part.
        conc.Stderr.ShouldNotContain("does not support concurrent downloads");
        int.Parse(Kv(conc)["ranged"]).ShouldBeGreaterThanOrEqualTo(1 + (int)Math.Ceiling(new FileInfo(sif).Length / (double)(1 << 20)));
    }
}

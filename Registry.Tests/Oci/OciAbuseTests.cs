using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Registry.Core.Access;
using Registry.Core.Collections;
using Registry.Core.Data;
using Registry.Core.Signatures;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;
using Registry.Tests.Signatures;

namespace Registry.Tests.Oci;

public sealed class OciFloodFactory() : RegistryApiFactory(new() { ["RateLimits:AnonymousPerAddressPerMinute"] = "40" });

/// <summary>An anonymous flood of upload-session POSTs: refused before anything is staged, then cut off by the address's limit.</summary>
public sealed class OciFloodTests(OciFloodFactory factory) : IClassFixture<OciFloodFactory>
{
    [Fact]
    public async Task An_anonymous_flood_of_upload_sessions_stages_nothing_and_is_cut_off_by_the_rate_limit()
    {
        await factory.CreateUserAsync("flooded");
        var temp = Path.Combine(factory.DataPath, "tmp");
        int Staged() => Directory.Exists(temp) ? Directory.GetFiles(temp, "*", SearchOption.AllDirectories).Length : 0;
        var before = Staged();
        using var http = new HttpClient { BaseAddress = factory.BaseAddress };
        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/flooded/lab/tool/blobs/uploads/") { Content = new ByteArrayContent(new byte[4096]) };
            if (i % 2 == 0) request.Headers.TryAddWithoutValidation("Authorization", "Bearer oci1.forged.token"); // a made-up token counts as anonymous
            using var response = await http.SendAsync(request);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.Unauthorized).ToList();
        // 40 a minute from one address; a burst that straddles the fixed window's turn may get a second 40.
        refused.Count.ShouldBeInRange(40, 80);
        refused.All(a => a.Body.StartsWith("""{"errors":[{"code":"UNAUTHORIZED","message":""", StringComparison.Ordinal)).ShouldBeTrue();
        answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests).ShouldBe(200 - refused.Count);
        Staged().ShouldBe(before);
    }
}

public sealed class OnlySignedOciFactory() : RegistryApiFactory(new() { ["Registry:DefaultOnlySigned"] = "true" });

/// <summary>
/// Collections that take only signed images (new ones by <c>Registry:DefaultOnlySigned</c>, or one switched by
/// <see cref="CollectionService.SetOnlySignedAsync"/>) refuse an unsigned SIF pushed with skopeo and keep nothing of it.
/// </summary>
public sealed class OciOnlySignedTests(OnlySignedOciFactory factory) : IClassFixture<OnlySignedOciFactory>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("registry-oci-signed-").FullName;
    private readonly SignedSifs _sifs = new();
    private readonly GpgKey _key = new("Strict Example <strict@lab.example>");

    public void Dispose()
    {
        _sifs.Dispose();
        _key.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    private string Host => factory.BaseAddress.Authority;

    private async Task<ProcessResult> PushAsync(string sifPath, string token, string target)
    {
        var layout = Path.Combine(_work, Guid.NewGuid().ToString("N"));
        await OciLayout.WriteAsync(layout, sifPath, "v1");
        return await ProcessRunner.RunAsync("skopeo", ["--insecure-policy", "copy", "--dest-creds", $"strictoci:{token}", "--dest-tls-verify=false",
            $"oci:{layout}:v1", $"docker://{Host}/{target}"], new Dictionary<string, string?> { ["HOME"] = _work }, timeout: TimeSpan.FromMinutes(3));
    }

    [Fact]
    public async Task An_unsigned_sif_pushed_with_skopeo_is_refused_and_leaves_no_image_blob_or_tag()
    {
        var (user, token) = await factory.CreateUserAsync("strictoci");
        using (var key = await factory.Client(token).PostAsync("/pks/add", new FormUrlEncodedContent([new("keytext", _key.Armored)])))
            key.StatusCode.ShouldBe(HttpStatusCode.OK);
        var unsigned = await _sifs.CreateAsync();
        var digest = OciClient.Digest(await File.ReadAllBytesAsync(unsigned));

        var refused = await PushAsync(unsigned, token, "strictoci/strict/tool:v1");
        refused.ExitCode.ShouldNotBe(0);
        refused.Stderr.ShouldContain(ImageSignatures.OnlySignedRefusal);
        await NothingKeptAsync(token, "strictoci/strict/tool", digest);
        var library = new LibraryClient(factory.Client(token));
        (await library.GetAsync("/v1/collections/strictoci/strict")).Status.ShouldBe(HttpStatusCode.NotFound); // not even the collection

        // Signed with a key in the keyserver: taken, and pulled back by the Library API.
        var signed = await _sifs.CreateSignedAsync(_key);
        var taken = await PushAsync(signed, token, "strictoci/strict/tool:v1");
        taken.ExitCode.ShouldBe(0, taken.ToString());
        (await library.PullAsync("strictoci/strict/tool:v1")).ShouldBe(await File.ReadAllBytesAsync(signed));

        // A collection switched to only-signed refuses the next unsigned push; what it held stays.
        var (_, entity) = await library.GetAsync("/v1/entities/strictoci");
        var (_, open) = await library.PostAsync("/v1/collections", new { name = "open", entity = (string)entity!["data"]!["id"]!, @private = false });
        var collections = factory.Services.GetRequiredService<CollectionService>();
        var owner = Actor.ForUser(user.Id, "strictoci", false);
        (await collections.SetOnlySignedAsync(owner, (string)open!["data"]!["id"]!, false)).Succeeded.ShouldBeTrue();
        (await PushAsync(unsigned, token, "strictoci/open/tool:v1")).ExitCode.ShouldBe(0);
        (await collections.SetOnlySignedAsync(owner, (string)open["data"]!["id"]!, true)).Succeeded.ShouldBeTrue();
        var other = await _sifs.CreateAsync();
        var again = await PushAsync(other, token, "strictoci/open/tool:v2");
        again.ExitCode.ShouldNotBe(0);
        again.Stderr.ShouldContain(ImageSignatures.OnlySignedRefusal);
        await NothingKeptAsync(token, "strictoci/open/tool", OciClient.Digest(await File.ReadAllBytesAsync(other)), keptTags: ["v1"]);
    }

    [Fact]
    public async Task A_signed_sif_is_checked_once_on_every_push_path_into_an_only_signed_collection()
    {
        var (_, token) = await factory.CreateUserAsync("onceoci");
        using (var key = await factory.Client(token).PostAsync("/pks/add", new FormUrlEncodedContent([new("keytext", _key.Armored)])))
            key.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var checks = new SignatureCheckCount(factory.Services);
        var oci = new OciClient(factory.BaseAddress, "onceoci", token);
        (await oci.LoginAsync("repository:onceoci/strict/tool:pull,push")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // /v2/ into a collection made by the push (the gate checks before any row exists), then into the one now there.
        var first = await File.ReadAllBytesAsync(await _sifs.CreateSignedAsync(_key));
        var (made, _) = await oci.PushSifAsync("onceoci/strict/tool", "v1", first);
        made.StatusCode.ShouldBe(HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
        checks.Staged.ShouldBe(1); // the gate's verdicts went to the publisher, which read nothing again
        var second = await File.ReadAllBytesAsync(await _sifs.CreateSignedAsync(_key));
        var (again, _) = await oci.PushSifAsync("onceoci/strict/tool", "v2", second);
        again.StatusCode.ShouldBe(HttpStatusCode.Created, await again.Content.ReadAsStringAsync());
        checks.Staged.ShouldBe(2);

        // The Library API (no gate: the publisher checks) and a refused unsigned /v2/ push (the gate's check, nothing after).
        var third = await File.ReadAllBytesAsync(await _sifs.CreateSignedAsync(_key));
        await new LibraryClient(factory.Client(token)).PushAsync("onceoci", "strict", "tool", third, "v3");
        checks.Staged.ShouldBe(3);
        var (refused, _) = await oci.PushSifAsync("onceoci/strict/tool", "v4", await File.ReadAllBytesAsync(await _sifs.CreateAsync()));
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        checks.Staged.ShouldBe(4);

        // Published as before: signed by the key, its verdicts stored with each image at once.
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync();
        foreach (var sif in new[] { first, second, third })
        {
            var hex = OciClient.Digest(sif)["sha256:".Length..];
            var image = await db.Images.SingleAsync(i => i.Hash == hex);
            (image.Uploaded, image.Signed, image.SignedBy).ShouldBe((true, (bool?)true, _key.Fingerprint));
            (await db.ImageSignatures.Where(v => v.ImageId == image.Id).Select(v => v.Status).ToListAsync()).ShouldBe([SignatureStatus.Verified]);
        }
    }

    private async Task NothingKeptAsync(string token, string repo, string digest, string[]? keptTags = null)
    {
        var hex = digest["sha256:".Length..];
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<RegistryDbContext>>().CreateDbContextAsync())
            (await db.Images.AnyAsync(i => i.Hash == hex)).ShouldBeFalse();
        var oci = new OciClient(factory.BaseAddress, "strictoci", token);
        (await oci.LoginAsync($"repository:{repo}:pull,push")).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var blob = await oci.SendAsync(HttpMethod.Head, $"/v2/{repo}/blobs/{digest}");
        blob.StatusCode.ShouldBe(HttpStatusCode.NotFound); // not even to its pusher
        using var tags = await oci.SendAsync(HttpMethod.Get, $"/v2/{repo}/tags/list");
        if (keptTags is null) tags.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        else (await tags.Content.ReadAsStringAsync()).ShouldBe($$"""{"name":"{{repo}}","tags":[{{string.Join(",", keptTags.Select(t => $"\"{t}\""))}}]}""");
    }
}

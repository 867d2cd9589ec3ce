using System.Net;
using System.Net.Http.Headers;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Registry.Tests.Oci;

/// <summary>
/// What a skopeo push through <c>/v2/</c> costs the server in file I/O, read from the server process's own
/// <c>/proc/&lt;pid&gt;/io</c> around a real push (HEAD, POST, PATCH, PUT per blob, then the manifest PUT that publishes
/// the image): the SIF's bytes are written once (staged, then renamed into the store, never copied) and never read back
/// whole (the running hash covers them at the blob PUT; the manifest PUT reads only the SIF's header and descriptors).
/// A server of its own, so no other test's push or background check is counted. Bytes, not seconds: no timing.
/// </summary>
public sealed class OciPushIoTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const long Payload = 48L << 20;
    private const long Slack = 6L << 20; // the SIF's header and descriptors read through 1 MiB buffers, SQLite pages, the log

    private readonly string _work = Directory.CreateTempSubdirectory("registry-oci-io-").FullName;
    private RegistryServer? _server;

    public async Task InitializeAsync() =>
        _server = await RegistryServer.StartAsync(new HostSetup { ["Registry:GcInterval"] = "00:00:00" });

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task A_skopeo_push_writes_the_sif_once_and_never_reads_it_back_whole()
    {
        var server = _server!;
        var user = await server.NewUserAsync(RegistryFixture.Unique("oio"));
        var sifPath = await new SifFiles(Path.Combine(_work, "sif")).CreateAsync(Payload);
        var size = new FileInfo(sifPath).Length;
        await OciLayout.WriteAsync(Path.Combine(_work, "layout"), sifPath, "v1");
        var host = new Uri(server.BaseUrl).Authority;

        var before = ProcessIo.Of(server.Pid);
        var push = await ProcessRunner.RunAsync("skopeo", ["--insecure-policy", "copy", "--dest-creds", $"{user.Name}:{user.Token}",
            "--dest-tls-verify=false", $"oci:{_work}/layout:v1", $"docker://{host}/{user.Name}/lab/tool:v1"],
            new Dictionary<string, string?> { ["HOME"] = _work }, timeout: TimeSpan.FromMinutes(3));
        var after = ProcessIo.Of(server.Pid);
        push.ExitCode.ShouldBe(0, push.ToString());

        var (read, written) = (after.ReadChars - before.ReadChars, after.WrittenChars - before.WrittenChars);
        output.WriteLine($"SIF {size} bytes; server read {read} bytes, wrote {written} bytes during the push");
        written.ShouldBeGreaterThanOrEqualTo(size, "the SIF's bytes reach the disk");
        written.ShouldBeLessThan(size + Slack, "the staged SIF is renamed into the store, not copied");
        read.ShouldBeLessThan(Slack, "nothing reads the SIF back whole: the blob PUT's digest is the running hash, the manifest PUT reads the header");

        // And the push made the image: the Library API knows the tag, uploaded, with the SIF's size.
        using var library = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        library.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", user.Token);
        var (status, image) = await new LibraryClient(library).GetAsync($"/v1/images/{user.Name}/lab/tool:v1?arch=amd64");
        status.ShouldBe(HttpStatusCode.OK, image?.ToJsonString());
        image!["data"]!["uploaded"]!.GetValue<bool>().ShouldBeTrue();
        image["data"]!["size"]!.GetValue<long>().ShouldBe(size);
    }
}

/// <summary>A process's I/O counters (<c>/proc/&lt;pid&gt;/io</c>): bytes passed to read and write calls, files and pipes alike.</summary>
internal sealed record ProcessIo(long ReadChars, long WrittenChars)
{
    public static ProcessIo Of(int pid)
    {
        var fields = File.ReadAllLines($"/proc/{pid}/io").Select(l => l.Split(':', 2)).ToDictionary(p => p[0], p => long.Parse(p[1].Trim()));
        return new ProcessIo(fields["rchar"], fields["wchar"]);
    }
}

using System.Collections.Concurrent;
using System.Security.Cryptography;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Nodes;

/// <summary>
/// <c>admin backup</c> of a running server while pushes keep arriving, both ways (hard links, and <c>--copy</c>), then
/// <c>admin restore</c> into a fresh folder: every image the snapshot has pulls back identical from a server on the
/// restored folder, <c>admin verify</c> is clean, and restore refuses a folder that is served or already has a database.
/// </summary>
[Collection(NodesCollection.Name)]
public sealed class BackupTests : IDisposable
{
    [Fact]
    public async Task A_backup_taken_during_pushes_restores_into_a_fresh_folder_that_serves_every_image()
    {
        await using var server = await RegistryServer.StartAsync();
        var user = await server.NewUserAsync(RegistryFixture.Unique("keeper"));
        using var http = TestHttp.Client(new Uri(server.BaseUrl), user.Token);
        var client = new LibraryClient(http);
        var pushed = new ConcurrentDictionary<string, byte[]>();
        for (var i = 0; i < 5; i++) await PushAsync(client, user.Name, $"before-{i}", pushed);
        var before = pushed.Keys.ToList();

        using var stop = new CancellationTokenSource();
        var pushing = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++) await PushAsync(client, user.Name, $"during-{i}", pushed);
        });
        var linked = NewFolder("registry-backup-linked-");
        var copied = NewFolder("registry-backup-copied-");
        var linkedRun = await server.AdminAsync("backup", linked);
        var copiedRun = await server.AdminAsync("backup", copied, "--copy");
        stop.Cancel();
        await pushing;
        linkedRun.ExitCode.ShouldBe(0, linkedRun.ToString());
        linkedRun.Stdout.ShouldContain("hard-linked");
        copiedRun.ExitCode.ShouldBe(0, copiedRun.ToString());
        copiedRun.Stdout.ShouldContain(" 0 hard-linked");
        pushed.Count.ShouldBeGreaterThan(before.Count, "no push ran during the backups");

        foreach (var backup in new[] { linked, copied })
        {
            var fresh = NewFolder("registry-restored-");
            var restore = await AdminOnAsync(server, fresh, "restore", backup);
            restore.ExitCode.ShouldBe(0, restore.ToString());
            (await AdminOnAsync(server, fresh, "restore", backup)).Stderr.ShouldContain("already holds a database");

            await using var restored = await RegistryServer.StartAsync(new HostSetup { DataPath = fresh });
            var served = 0;
            using var anonymous = TestHttp.Client(new Uri(restored.BaseUrl));
            foreach (var (reference, bytes) in pushed)
            {
                var pulled = await new LibraryClient(anonymous).PullAsync(reference);
                if (pulled is null) { before.ShouldNotContain(reference); continue; } // pushed after the snapshot: absent, not half there
                pulled.ShouldBe(bytes, reference);
                served++;
            }
            served.ShouldBeGreaterThanOrEqualTo(before.Count);
            var verify = await restored.AdminAsync("verify");
            verify.ExitCode.ShouldBe(0, verify.ToString());
            var listed = File.ReadAllLines(Path.Combine(backup, "blobs.txt")).Length;
            verify.Stdout.ShouldContain($"checked {listed} blobs, 0 mismatches");
        }

        // Never over a folder a server is serving, even when told to overwrite.
        var busy = await server.AdminAsync("restore", copied, "--force");
        busy.ExitCode.ShouldBe(1);
        busy.Stderr.ShouldContain("a registry server is running");
        (await server.AdminAsync("backup", copied)).Stderr.ShouldContain("not empty");
    }

    private static async Task PushAsync(LibraryClient client, string entity, string container, ConcurrentDictionary<string, byte[]> pushed)
    {
        var file = SifBuilder.Bytes(128 * 1024 + RandomNumberGenerator.GetInt32(4096));
        await client.PushAsync(entity, "kept", container, file, "1.0");
        pushed[$"{entity}/kept/{container}:1.0"] = file;
    }

    private readonly List<string> _folders = [];

    /// <summary>A new path, not created (backup and restore make their folder), deleted after the test.</summary>
    private string NewFolder(string prefix)
    {
        var path = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N")[..8]);
        _folders.Add(path);
        return path;
    }

    public void Dispose()
    {
        foreach (var folder in _folders.Where(Directory.Exists)) Directory.Delete(folder, recursive: true);
    }

    /// <summary>The admin CLI of <paramref name="server"/>'s build on another data folder.</summary>
    private static Task<ProcessResult> AdminOnAsync(RegistryServer server, string dataPath, params string[] args) =>
        ProcessRunner.RunAsync("dotnet", [Path.Combine(server.AppDir, "Registry.Web.dll"), "admin", .. args], new Dictionary<string, string?>
        {
            ["Registry__DataPath"] = dataPath, ["ASPNETCORE_ENVIRONMENT"] = "Production", ["Accounts__TermsVersion"] = "0",
        }, server.AppDir, TimeSpan.FromMinutes(2));
}

using System.Diagnostics;
using System.Net;

namespace Registry.Tests.Infrastructure;

/// <summary>
/// Debian's <c>docker-registry</c> (CNCF Distribution 2.8) as the reference OCI registry: started on a free 127.0.0.1 port
/// with its own temp storage, no auth, deletes enabled; disposing kills it by PID and deletes the storage.
/// </summary>
public sealed class ReferenceRegistry : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ProcessOutput _log = new();
    private readonly string _root;

    /// <summary><c>127.0.0.1:port</c>, as skopeo names the host.</summary>
    public string Host { get; }
    public string Log => _log.Text;

    private ReferenceRegistry(Process process, string root, string host) => (_process, _root, Host) = (process, root, host);

    public static async Task<ReferenceRegistry> StartAsync()
    {
        var root = Directory.CreateTempSubdirectory("registry-reference-").FullName;
        var port = Loopback.FreePort();
        var config = Path.Combine(root, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {Path.Combine(root, "data")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
            """);
        var psi = ProcessRunner.StartInfo("docker-registry", ["serve", config], workingDirectory: root);
        var process = new Process { StartInfo = psi };
        var registry = new ReferenceRegistry(process, root, $"127.0.0.1:{port}");
        process.OutputDataReceived += (_, e) => registry._log.Append(e.Data);
        process.ErrorDataReceived += (_, e) => registry._log.Append(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 100; i++)
        {
            if (process.HasExited) break;
            try
            {
                using var ping = await probe.GetAsync($"http://{registry.Host}/v2/");
                if (ping.StatusCode == HttpStatusCode.OK) return registry;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(100);
        }
        var log = registry.Log;
        await registry.DisposeAsync();
        throw new InvalidOperationException($"docker-registry did not start:\n{log}");
    }


    public async ValueTask DisposeAsync()
    {
        await Loopback.StopAsync(_process);
        _process.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}

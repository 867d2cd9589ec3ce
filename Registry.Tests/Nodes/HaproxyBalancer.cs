using System.Diagnostics;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Nodes;

/// <summary>
/// Debian's HAProxy in front of registry nodes, terminating TLS on a free loopback port: the README's configuration
/// (round robin, stickiness cookie, readiness checks, X-Forwarded-*), run in the foreground and stopped by PID.
/// </summary>
public sealed class HaproxyBalancer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ProcessOutput _log = new();
    private readonly string _config;

    public Uri BaseAddress { get; }
    public string Log => _log.Text;

    private HaproxyBalancer(Process process, Uri baseAddress, string config)
    {
        _process = process;
        BaseAddress = baseAddress;
        _config = config;
    }

    public static async Task<HaproxyBalancer> StartAsync(SelfSignedCertificate certificate, IReadOnlyList<RegistryServer> nodes)
    {
        var port = Loopback.FreePort();
        var servers = string.Join("\n", nodes.Select((n, i) =>
            $"    server node{i + 1} {new Uri(n.BaseUrl).Authority} check inter 1s fall 2 rise 1 cookie node{i + 1}"));
        var config = Path.Combine(Path.GetTempPath(), $"registry-haproxy-{Guid.NewGuid():N}.cfg");
        await File.WriteAllTextAsync(config, $$"""
            defaults
                mode http
                timeout connect 5s
                timeout client 10m
                timeout server 10m
                timeout tunnel 1h
                timeout http-request 30s

            frontend registry
                bind 127.0.0.1:{{port}} ssl crt {{certificate.CombinedPem}}
                http-request set-header X-Forwarded-Proto https
                http-request set-header X-Forwarded-Host %[req.hdr(host)]
                option forwardfor
                default_backend nodes

            backend nodes
                balance roundrobin
                cookie REGISTRY_NODE insert indirect nocache httponly secure
                option httpchk
                http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host registry-check
                http-check expect status 200
            {{servers}}

            """);
        var process = new Process { StartInfo = ProcessRunner.StartInfo("haproxy", ["-db", "-f", config]), EnableRaisingEvents = true };
        var balancer = new HaproxyBalancer(process, new Uri($"https://localhost:{port}"), config);
        process.OutputDataReceived += (_, e) => balancer._log.Append(e.Data);
        process.ErrorDataReceived += (_, e) => balancer._log.Append(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try { await balancer.WaitUntilServingAsync(certificate); }
        catch { await balancer.DisposeAsync(); throw; }
        return balancer;
    }

    private async Task WaitUntilServingAsync(SelfSignedCertificate certificate)
    {
        using var probe = certificate.Client(BaseAddress);
        probe.Timeout = TimeSpan.FromSeconds(5);
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(250))
        {
            if (_process.HasExited) throw new InvalidOperationException($"haproxy exited with {_process.ExitCode}:\n{Log}");
            try
            {
                using var answer = await probe.GetAsync("/readyz");
                if (answer.IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
        }
        throw new TimeoutException($"haproxy did not serve /readyz within 60 s:\n{Log}");
    }


    public async ValueTask DisposeAsync()
    {
        await Loopback.StopAsync(_process);
        _process.Dispose();
        File.Delete(_config);
    }
}

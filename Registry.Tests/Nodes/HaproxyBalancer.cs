using System.Diagnostics;
using System.Text.RegularExpressions;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Nodes;

/// <summary>
/// Debian's HAProxy in front of registry nodes, terminating TLS on a free loopback port: the README's configuration
/// (round robin, stickiness cookie, readiness checks, redispatch, X-Forwarded-*), run in the foreground and stopped by PID.
/// Every request and every server state change is logged to its output: which node served what (<see cref="Requests"/>),
/// and whether a node is in rotation (<see cref="IsUp"/>). Node <c>i</c> (from 0) is the server <c>node{i+1}</c>.
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
            global
                log stdout format raw local0 info

            defaults
                mode http
                log global
                option httplog
                option log-health-checks
                option redispatch
                retries 2
                retry-on conn-failure empty-response
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
                http-request disable-l7-retry unless METH_GET
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


    /// <summary>One request as HAProxy logged it once answered: the node that served it (node1…), method, path, status.</summary>
    public sealed record Request(string Node, string Method, string Path, int Status);

    /// <summary>The requests answered so far, in the order their answers ended.</summary>
    public IReadOnlyList<Request> Requests =>
        Log.Split('\n').Select(l => RequestLine.Match(l)).Where(m => m.Success)
            .Select(m => new Request(m.Groups["node"].Value, m.Groups["method"].Value, m.Groups["path"].Value, int.Parse(m.Groups["status"].Value)))
            .ToList();

    /// <summary>Whether HAProxy has <paramref name="node"/> (node1…) in rotation: its last state change, if any, was "UP".</summary>
    public bool IsUp(string node) =>
        Log.LastIndexOf($"nodes/{node} is UP", StringComparison.Ordinal) >= Log.LastIndexOf($"nodes/{node} is DOWN", StringComparison.Ordinal);

    /// <summary>Waits (bounded) until HAProxy's checks have <paramref name="node"/> in the wanted state.</summary>
    public async Task WaitUntilAsync(string node, bool up, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (IsUp(node) != up)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"haproxy did not see {node} {(up ? "UP" : "DOWN")}:\n{Log}");
            await Task.Delay(100);
        }
    }

    // httplog: ... registry~ nodes/node2 0/0/1/3/4 200 123 - - ---- 1/1/0/0/0 0/0 "PUT /v2/imagefile/... HTTP/1.1"
    private static readonly Regex RequestLine = new("""nodes/(?<node>node\d+) \S+ (?<status>\d{3}) .*"(?<method>[A-Z]+) (?<path>\S+) HTTP/""", RegexOptions.Compiled);

    public async ValueTask DisposeAsync()
    {
        await Loopback.StopAsync(_process);
        _process.Dispose();
        File.Delete(_config);
    }
}

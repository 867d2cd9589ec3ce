using System.Diagnostics;
using System.Net;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Nodes;

/// <summary>
/// HTTPS on Kestrel itself, with the certificate and key files named in the settings (ASP.NET's <c>Kestrel</c> section,
/// as the README shows): probes and pages answer over TLS, and nothing listens on plain http.
/// </summary>
[Collection(NodesCollection.Name)]
public sealed class KestrelHttpsTests
{
    [Fact]
    public async Task A_certificate_from_the_settings_serves_https_directly()
    {
        using var certificate = await SelfSignedCertificate.CreateAsync();
        var appDir = RepoPaths.CopyWebBin();
        var data = Directory.CreateTempSubdirectory("registry-kestrel-tls-").FullName;
        var port = Loopback.FreePort();
        var psi = ProcessRunner.StartInfo("dotnet", [Path.Combine(appDir, "Registry.Web.dll")], new Dictionary<string, string?>
        {
            ["Registry__DataPath"] = data,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = null,
            ["Kestrel__Endpoints__Https__Url"] = $"https://127.0.0.1:{port}",
            ["Kestrel__Endpoints__Https__Certificate__Path"] = certificate.CertificatePem,
            ["Kestrel__Endpoints__Https__Certificate__KeyPath"] = certificate.KeyPem,
        }, appDir);
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var log = new ProcessOutput();
        process.OutputDataReceived += (_, e) => log.Append(e.Data);
        process.ErrorDataReceived += (_, e) => log.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var https = certificate.Client(new Uri($"https://localhost:{port}"));
            https.Timeout = TimeSpan.FromSeconds(5);
            HttpResponseMessage? ready = null;
            for (var deadline = DateTime.UtcNow.AddSeconds(90); ready is null && DateTime.UtcNow < deadline; await Task.Delay(500))
            {
                process.HasExited.ShouldBeFalse(log.Text);
                try { ready = await https.GetAsync("/readyz"); }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            }
            ready.ShouldNotBeNull(log.Text);
            ready.StatusCode.ShouldBe(HttpStatusCode.OK);
            using var login = await https.GetAsync("/Account/Login");
            login.StatusCode.ShouldBe(HttpStatusCode.OK);
            // The shipped Urls (http://127.0.0.1:5000) are replaced, not added: the one endpoint is https.
            log.Text.ShouldContain($"Now listening on: https://127.0.0.1:{port}");
            log.Text.ShouldNotContain("Now listening on: http://");
        }
        finally
        {
            if (!process.HasExited) { process.Kill(); await process.WaitForExitAsync(); }
            Directory.Delete(appDir, recursive: true);
            Directory.Delete(data, recursive: true);
        }
    }

}

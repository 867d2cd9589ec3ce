using Registry.Tests.Infrastructure;

namespace Registry.Tests.Nodes;

/// <summary>A throwaway TLS certificate for <c>localhost</c> made with openssl: the PEM files, and one file of both for HAProxy.</summary>
public sealed class SelfSignedCertificate : IDisposable
{
    private readonly string _folder;

    private SelfSignedCertificate(string folder) => _folder = folder;

    public string CertificatePem => Path.Combine(_folder, "cert.pem");
    public string KeyPem => Path.Combine(_folder, "key.pem");
    /// <summary>Certificate then key in one file (HAProxy's <c>crt</c>).</summary>
    public string CombinedPem => Path.Combine(_folder, "haproxy.pem");

    public static async Task<SelfSignedCertificate> CreateAsync()
    {
        var certificate = new SelfSignedCertificate(Directory.CreateTempSubdirectory("registry-tls-").FullName);
        var made = await ProcessRunner.RunAsync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", certificate.KeyPem, "-out", certificate.CertificatePem], timeout: TimeSpan.FromMinutes(1));
        if (made.ExitCode != 0) throw new InvalidOperationException($"openssl could not make a certificate: {made}");
        await File.WriteAllTextAsync(certificate.CombinedPem, await File.ReadAllTextAsync(certificate.CertificatePem) + await File.ReadAllTextAsync(certificate.KeyPem));
        return certificate;
    }

    /// <summary>An HttpClient that trusts this certificate (and nothing else self-signed), never following redirects.</summary>
    public HttpClient Client(Uri baseAddress, string? token = null)
    {
        var trusted = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(CertificatePem);
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == trusted.GetCertHashString();
        var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(5) };
        if (token is not null) http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("BEARER", token);
        return http;
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

using System.Diagnostics;

namespace Registry.Tests.Api;

/// <summary>A real OpenPGP key made by gpg (RSA 3072 with an RSA subkey, or ed25519 with cv25519; no passphrase) in a throwaway GNUPGHOME.</summary>
public sealed class GpgKey : IDisposable
{
    private readonly string home = Directory.CreateTempSubdirectory("gpg-").FullName;

    public string Uid { get; }
    public string Fingerprint { get; }
    public string KeyId => Fingerprint[^16..];
    public long CreatedUnix { get; }
    public string Armored { get; }

    public GpgKey(string uid, string algorithm = "default")
    {
        Uid = uid;
        Run("--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-generate-key", uid, algorithm, "default", "never");
        var colons = Run("--with-colons", "--fingerprint", uid).Split('\n');
        Fingerprint = colons.First(l => l.StartsWith("fpr:")).Split(':')[9].ToLowerInvariant();
        CreatedUnix = long.Parse(colons.First(l => l.StartsWith("pub:")).Split(':')[5]);
        // An ed25519 primary only signs: give it the encryption subkey gpg's default would have.
        if (algorithm == "ed25519") Run("--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-add-key", Fingerprint, "cv25519", "encr", "never");
        Armored = Run("--armor", "--export", uid);
    }

    /// <summary>The primary fingerprints of an armored block, as gpg reads it (lowercase).</summary>
    public static List<string> FingerprintsOf(string armored)
    {
        using var key = new GpgKey();
        var file = Path.Combine(key.home, "in.asc");
        File.WriteAllText(file, armored);
        var lines = key.Run("--with-colons", "--show-keys", file).Split('\n');
        // A fpr line follows each pub (primary) and sub line: keep those after pub.
        return lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith("fpr:") && lines[x.i - 1].StartsWith("pub:"))
            .Select(x => x.l.Split(':')[9].ToLowerInvariant()).ToList();
    }

    private GpgKey() => (Uid, Fingerprint, Armored) = ("", "", "");

    private string Run(params string[] args)
    {
        var start = new ProcessStartInfo("/usr/bin/gpg") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--homedir");
        start.ArgumentList.Add(home);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var gpg = Process.Start(start)!;
        var stderr = gpg.StandardError.ReadToEndAsync();
        var output = gpg.StandardOutput.ReadToEnd();
        gpg.WaitForExit();
        if (gpg.ExitCode != 0) throw new InvalidOperationException($"gpg {string.Join(' ', args)} failed: {stderr.Result}");
        return output;
    }

    public void Dispose()
    {
        // gpg started an agent for this home: stop it before the folder goes.
        using (var kill = Process.Start(new ProcessStartInfo("/usr/bin/gpgconf", ["--homedir", home, "--kill", "gpg-agent"]) { RedirectStandardError = true }))
            kill?.WaitForExit();
        try { Directory.Delete(home, recursive: true); } catch (IOException) { }
    }
}

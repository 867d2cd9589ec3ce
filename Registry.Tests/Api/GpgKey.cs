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
        Armored = Export();
    }

    /// <summary>Adds a self-signed user id; returns the key's export now.</summary>
    public string AddUid(string uid)
    {
        Run("--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-add-uid", Fingerprint, uid);
        return Export();
    }

    /// <summary>Adds a signing subkey; returns the key's export now.</summary>
    public string AddSigningSubkey()
    {
        Run("--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-add-key", Fingerprint, "ed25519", "sign", "never");
        return Export();
    }

    /// <summary>Gives the key a new expiry (new self-signatures on its user ids), e.g. "2y"; returns the key's export now.</summary>
    public string SetExpiry(string expiry)
    {
        Run("--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-set-expire", Fingerprint, expiry);
        return Export();
    }

    /// <summary>Revokes the key's first subkey, as <c>gpg --edit-key</c> does for its owner; returns the key's export now.</summary>
    public string RevokeFirstSubkey()
    {
        RunWithInput("key 1\nrevkey\ny\n0\n\ny\nsave\n", "--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--command-fd", "0", "--edit-key", Fingerprint);
        return Export();
    }

    /// <summary>Certifies another key's user ids with this key (a third-party certification); returns that key's export with it.</summary>
    public string Certify(string otherArmored)
    {
        var file = Path.Combine(home, "other.asc");
        File.WriteAllText(file, otherArmored);
        Run("--batch", "--import", file);
        var other = FingerprintsOf(otherArmored).Single();
        Run("--batch", "--yes", "--pinentry-mode", "loopback", "--passphrase", "", "--local-user", Fingerprint, "--quick-sign-key", other);
        return Run("--armor", "--export", other);
    }

    /// <summary>gpg's validity of each subkey in an armored block: "r" revoked.</summary>
    public static List<string> SubkeyValiditiesOf(string armored) => ShowKeys(armored).Where(l => l.StartsWith("sub:")).Select(l => l.Split(':')[1]).ToList();

    /// <summary>The primary key's expiry as gpg reads it from an armored block (Unix seconds; empty when it never expires).</summary>
    public static string ExpiryOf(string armored) => ShowKeys(armored).First(l => l.StartsWith("pub:")).Split(':')[6];

    /// <summary>Imports the revocation certificate gpg made with the key (as its owner would); returns the revoked key's export.</summary>
    public string Revoke()
    {
        // gpg writes the certificate with a ':' before its armor line so that it is not imported by accident.
        var certificate = File.ReadAllText(Path.Combine(home, "openpgp-revocs.d", Fingerprint.ToUpperInvariant() + ".rev")).Replace(":-----BEGIN", "-----BEGIN");
        var file = Path.Combine(home, "revoke.asc");
        File.WriteAllText(file, certificate);
        Run("--batch", "--import", file);
        return Export();
    }

    /// <summary>gpg's validity of each primary key in an armored block: "r" revoked, "-" or "u" otherwise.</summary>
    public static List<string> ValiditiesOf(string armored) => ShowKeys(armored).Where(l => l.StartsWith("pub:")).Select(l => l.Split(':')[1]).ToList();

    /// <summary>The user ids gpg reads from an armored block.</summary>
    public static List<string> UidsOf(string armored) => ShowKeys(armored).Where(l => l.StartsWith("uid:")).Select(l => l.Split(':')[9]).ToList();

    private string Export() => Run("--armor", "--export", Fingerprint);

    /// <summary>The secret key (no passphrase), to sign with outside gpg.</summary>
    public string ExportSecret() => Run("--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--armor", "--export-secret-keys", Fingerprint);

    /// <summary>The primary fingerprints of an armored block, as gpg reads it (lowercase).</summary>
    public static List<string> FingerprintsOf(string armored)
    {
        var lines = ShowKeys(armored);
        // A fpr line follows each pub (primary) and sub line: keep those after pub.
        return lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith("fpr:") && lines[x.i - 1].StartsWith("pub:"))
            .Select(x => x.l.Split(':')[9].ToLowerInvariant()).ToList();
    }

    private static string[] ShowKeys(string armored)
    {
        using var key = new GpgKey();
        var file = Path.Combine(key.home, "in.asc");
        File.WriteAllText(file, armored);
        return key.Run("--with-colons", "--show-keys", file).Split('\n');
    }

    private GpgKey() => (Uid, Fingerprint, Armored) = ("", "", "");

    private string Run(params string[] args) => RunWithInput(null, args);

    private string RunWithInput(string? input, params string[] args)
    {
        var start = new ProcessStartInfo("/usr/bin/gpg") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null };
        start.ArgumentList.Add("--homedir");
        start.ArgumentList.Add(home);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var gpg = Process.Start(start)!;
        if (input is not null)
        {
            gpg.StandardInput.Write(input);
            gpg.StandardInput.Close();
        }
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

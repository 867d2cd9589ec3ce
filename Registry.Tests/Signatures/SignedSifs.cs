using System.Security.Cryptography;
using Registry.Core.Keys;
using Registry.Core.Signatures;
using Registry.Tests.Api;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Signatures;

/// <summary>SIFs laid out as <c>apptainer build</c> does (labels and the partition in object group 1), signed by <see cref="SifSign"/>.</summary>
public sealed class SignedSifs : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("signed-sifs-").FullName;

    /// <summary>A new unsigned SIF: a labels object and a random amd64 partition, in object group <paramref name="group"/> (0: none).</summary>
    public Task<string> CreateAsync(int payloadBytes = 100_000, uint group = 1, uint secondGroup = 0) =>
        new SifFiles(Directory).BuildAsync([new SiftoolObject("labels.json", """{"org.label-schema.name":"signed"}""", 3, group)],
            payloadBytes, "amd64", secondGroup == 0 ? group : secondGroup);

    /// <summary>A new SIF signed by each key in turn.</summary>
    public async Task<string> CreateSignedAsync(params GpgKey[] signers)
    {
        var sif = await CreateAsync();
        foreach (var key in signers) await SifSign.SignAsync(key, sif);
        return sif;
    }

    /// <summary>A key as the keyserver would store it (uploaded by <paramref name="uploader"/>).</summary>
    public static SigningKey Stored(string armored, string? uploader = "alice")
    {
        var key = KeyParser.Parse(armored).Value!.Single();
        return new SigningKey(key.Fingerprint, key.Armored, key.Revoked, key.ExpiresAt, key.UidList.FirstOrDefault(), uploader);
    }

    /// <summary>A keyserver holding exactly these keys.</summary>
    public static KeyLookup Keyserver(params SigningKey[] keys) => (fingerprint, keyId, _) =>
        Task.FromResult(keys.FirstOrDefault(k => k.Fingerprint == fingerprint || (fingerprint is null && k.Fingerprint.EndsWith(keyId.ToString("x16")))));

    public static async Task<List<SignatureVerdict>> VerifyAsync(string sif, KeyLookup keys)
    {
        await using var file = File.OpenRead(sif);
        return await SignatureVerifier.VerifyAsync(file, keys, DateTime.UtcNow);
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}

using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;

namespace Registry.Core.Signatures;

/// <summary>A digest as the integrity metadata writes it: <c>"sha256:&lt;hex&gt;"</c>. See: sif pkg/integrity/digest.go.</summary>
public sealed record SifDigest(string Algorithm, byte[] Value)
{
    private static readonly Dictionary<string, int> Sizes = new()
    {
        ["sha224"] = 28, ["sha256"] = 32, ["sha384"] = 48, ["sha512"] = 64, ["sha512_224"] = 28, ["sha512_256"] = 32,
    };

    /// <summary>Parses "alg:hex"; null when the algorithm is not one the sif library supports or the value has the wrong length.</summary>
    public static SifDigest? Parse(string? text)
    {
        var parts = text?.Split(':');
        if (parts is not { Length: 2 } || !Sizes.TryGetValue(parts[0], out var size) || parts[1].Length != size * 2) return null;
        try { return new SifDigest(parts[0], Convert.FromHexString(parts[1])); }
        catch (FormatException) { return null; }
    }

    public bool Matches(byte[] value) => CryptographicOperations.FixedTimeEquals(Value, value);

    /// <summary>Hashes bytes of a known, small length.</summary>
    public byte[] Of(byte[] bytes)
    {
        var h = Hasher.Create(Algorithm);
        h.Append(bytes, bytes.Length);
        return h.Finish();
    }
}

/// <summary>One of the sif library's digest algorithms: .NET's for SHA-2 (fast, native), BouncyCastle's for the truncated ones.</summary>
internal abstract class Hasher
{
    public abstract void Append(byte[] buffer, int count);
    public abstract byte[] Finish();

    public static Hasher Create(string algorithm) => algorithm switch
    {
        "sha256" => new Native(HashAlgorithmName.SHA256),
        "sha384" => new Native(HashAlgorithmName.SHA384),
        "sha512" => new Native(HashAlgorithmName.SHA512),
        "sha224" => new Bc(new Sha224Digest()),
        "sha512_224" => new Bc(new Sha512tDigest(224)),
        "sha512_256" => new Bc(new Sha512tDigest(256)),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unsupported digest"),
    };

    private sealed class Native(HashAlgorithmName name) : Hasher
    {
        private readonly IncrementalHash hash = IncrementalHash.CreateHash(name);
        public override void Append(byte[] buffer, int count) => hash.AppendData(buffer, 0, count);
        public override byte[] Finish() { using (hash) return hash.GetHashAndReset(); }
    }

    private sealed class Bc(IDigest digest) : Hasher
    {
        public override void Append(byte[] buffer, int count) => digest.BlockUpdate(buffer, 0, count);
        public override byte[] Finish()
        {
            var result = new byte[digest.GetDigestSize()];
            digest.DoFinal(result, 0);
            return result;
        }
    }
}

/// <summary>
/// Hashes data objects by streaming them from the file (1 MiB at a time, never the whole object in memory), each object at
/// most once per algorithm however many signatures cover it, so a file with a thousand signatures over one partition is
/// still read once.
/// </summary>
public sealed class ObjectDigests(Stream sif)
{
    private const int BufferSize = 1 << 20;
    private readonly Dictionary<(uint, string), byte[]> cache = [];

    /// <summary>How many bytes were read to hash objects (to measure what verification costs).</summary>
    public long BytesRead { get; private set; }

    public byte[] Of(SifObject o, string algorithm, CancellationToken ct)
    {
        if (cache.TryGetValue((o.Id, algorithm), out var known)) return known;
        var h = Hasher.Create(algorithm);
        Append(h, o, ct);
        return cache[(o.Id, algorithm)] = h.Finish();
    }

    /// <summary>The digest of the objects' bytes one after the other (what a legacy group signature signs); not cached.</summary>
    public byte[] OfConcatenated(IEnumerable<SifObject> objects, string algorithm, CancellationToken ct)
    {
        var h = Hasher.Create(algorithm);
        foreach (var o in objects) Append(h, o, ct);
        return h.Finish();
    }

    private void Append(Hasher h, SifObject o, CancellationToken ct)
    {
        var buffer = new byte[(int)Math.Min(BufferSize, Math.Max(o.Size, 1))];
        sif.Position = o.Offset;
        for (var left = o.Size; left > 0;)
        {
            ct.ThrowIfCancellationRequested();
            var n = sif.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (n == 0) break; // the caller checked the object lies inside the file; a file that shrank meanwhile hashes short
            h.Append(buffer, n);
            left -= n;
            BytesRead += n;
        }
    }
}

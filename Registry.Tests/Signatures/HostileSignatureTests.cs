using System.Buffers.Binary;
using System.Diagnostics;
using Registry.Core.Signatures;
using Registry.Tests.Api;

namespace Registry.Tests.Signatures;

/// <summary>Signed SIFs whose descriptors or signature were tampered with: a verdict every time, never an exception or a hang.</summary>
public sealed class HostileSignatureTests : IDisposable
{
    private readonly SignedSifs sifs = new();
    private readonly GpgKey alice = new("Alice Example <alice@lab.example>");

    private async Task<SignatureVerdict> TamperedAsync(Action<FileStream, long> tamper)
    {
        var sif = await sifs.CreateSignedAsync(alice);
        await using (var file = File.Open(sif, FileMode.Open))
        {
            var header = new byte[128];
            file.ReadExactly(header);
            tamper(file, BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(96)) + 2 * 585); // the signature's descriptor
        }
        return (await SignedSifs.VerifyAsync(sif, SignedSifs.Keyserver(SignedSifs.Stored(alice.Armored)))).ShouldHaveSingleItem();
    }

    private static void Write(FileStream file, long at, long value, int size)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, value);
        file.Position = at;
        file.Write(b, 0, size);
    }

    [Theory]
    [InlineData(25, 1L << 40, 8, "the signature object lies outside the file")]
    [InlineData(17, -5, 8, "the signature object lies outside the file")]
    [InlineData(201, 99, 4, "the signature descriptor names an unknown hash type (99)")]
    [InlineData(13, 0xf0000007, 4, "object group 1 is not signed")]
    [InlineData(13, 2, 4, "object group 1 is not signed")]
    public async Task A_tampered_signature_descriptor_is_invalid(int field, long value, int size, string detail)
    {
        var verdict = await TamperedAsync((file, sig) => Write(file, sig + field, value, size));
        verdict.Status.ShouldBe(SignatureStatus.Invalid);
        if (field == 13) verdict.Detail.ShouldStartWith(value == 2 ? "the signature is linked to object 2" : "the signature covers object group 7");
        else verdict.Detail.ShouldBe(detail);
    }

    [Fact]
    public async Task A_signature_object_of_garbage_or_truncated_is_invalid()
    {
        (await TamperedAsync((file, sig) =>
        {
            var data = new byte[8];
            file.Position = sig + 17;
            file.ReadExactly(data);
            file.Position = BinaryPrimitives.ReadInt64LittleEndian(data) + 60; // inside the clear-signed JSON
            file.Write("garbage"u8);
        })).Detail.ShouldBe("the PGP signature does not match the signed digests");
        (await TamperedAsync((file, _) => file.SetLength(file.Length - 200))).Detail.ShouldBe("the signature object lies outside the file");
        (await TamperedAsync((file, _) => Write(file, 88, 1_000_000, 8))).ShouldBe(
            new SignatureVerdict(0, SignatureStatus.Invalid, null, "the SIF descriptors cannot be read: the descriptor table claims 1000000 descriptors (at most 1024)"));
    }

    [Fact]
    public async Task Random_bytes_anywhere_in_the_descriptor_table_give_verdicts_quickly_and_never_throw()
    {
        var sif = await sifs.CreateSignedAsync(alice);
        var original = await File.ReadAllBytesAsync(sif);
        var table = BinaryPrimitives.ReadInt64LittleEndian(original.AsSpan(96));
        var keys = SignedSifs.Keyserver(SignedSifs.Stored(alice.Armored));
        var random = new Random(15);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 150; i++)
        {
            var bytes = (byte[])original.Clone();
            for (var n = random.Next(1, 4); n > 0; n--) bytes[table + random.Next(3 * 585)] = (byte)random.Next(256);
            await using var stream = new MemoryStream(bytes);
            var verdicts = await SignatureVerifier.VerifyAsync(stream, keys, DateTime.UtcNow);
            verdicts.Count.ShouldBeLessThanOrEqualTo(3);
        }
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(120)); // catches a hang, not a slow shared machine
    }

    public void Dispose()
    {
        alice.Dispose();
        sifs.Dispose();
    }
}

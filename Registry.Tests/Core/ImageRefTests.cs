using Registry.Core;
using Registry.Core.Images;

namespace Registry.Tests.Core;

public sealed class ImageRefTests
{
    private static readonly RegistryOptions Options = new() { DefaultEntity = "library", DefaultCollection = "default" };

    [Theory]
    [InlineData("alice/tools/x:1.0", "alice", "tools", "x", "1.0")]
    [InlineData("alice/tools/x", "alice", "tools", "x", "latest")]
    [InlineData("tools/x:v2", "library", "tools", "x", "v2")]
    [InlineData("x", "library", "default", "x", "latest")]
    [InlineData("alice/tools/x%3Av1", "alice", "tools", "x", "v1")]
    public void Parses_one_to_three_components(string raw, string entity, string collection, string container, string tag)
    {
        var parsed = ImageRef.Parse(raw, Options);
        parsed.Succeeded.ShouldBeTrue(parsed.Message);
        parsed.Value.ShouldBe(new ImageRef(entity, collection, container, tag, null));
    }

    [Fact]
    public void Parses_a_hash_version()
    {
        var hex = new string('a', 64);
        ImageRef.Parse($"a/b/c:sha256.{hex}", Options).Value!.Hash!.Value.Hex.ShouldBe(hex);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b/c/d")]
    [InlineData("a/../c")]
    [InlineData("A/b/c")]
    [InlineData("a/b/c:UPPER")]
    [InlineData("a/b/c:sha256.123")]
    [InlineData("\u0430lice/b/c")]   // Cyrillic a
    [InlineData("a/b/c:-lead")]
    [InlineData("a/b/c:")]
    public void Rejects_malformed_refs(string raw) =>
        ImageRef.Parse(raw, Options).Outcome.ShouldBe(Outcome.Invalid);
}

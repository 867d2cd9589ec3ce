using Registry.Core;
using Registry.Core.Sregistry;

namespace Registry.Tests.Sregistry;

/// <summary>The signature format, checked against values computed with Python's hmac/base64 as sregistry-cli does.</summary>
public sealed class SregistrySignatureTests
{
    // python3: hmac.new(b"reg_abc123", b"push|dinosaur|20261207T02Z|avocado|delicious|", hashlib.sha256).hexdigest()
    private const string PythonSignature = "b42f5b9ca650deb7e1ae497ee954db4019507a782d0f7c5a152136d2336e3900";

    [Fact]
    public void A_header_built_like_the_client_parses_and_its_signature_matches_pythons()
    {
        var header = $"SREGISTRY-HMAC-SHA256 Credential=push/dnNvY2g=/20261207T02Z,Signature={PythonSignature}";
        var credential = SregistrySignature.Parse(header);
        credential.Succeeded.ShouldBeTrue(credential.Message);
        credential.Value.ShouldBe(new SregistryCredential("push", "vsoch", "20261207T02Z", new DateTime(2026, 12, 7, 2, 0, 0, DateTimeKind.Utc), PythonSignature));
        var message = SregistrySignature.Message("push", "dinosaur", "20261207T02Z", "avocado", "delicious");
        message.ShouldBe("push|dinosaur|20261207T02Z|avocado|delicious|");
        SregistrySignature.Sign("reg_abc123", message).ShouldBe(PythonSignature);
        SregistrySignature.Matches("reg_abc123", message, PythonSignature).ShouldBeTrue();
        SregistrySignature.Matches("reg_abc124", message, PythonSignature).ShouldBeFalse();
    }

    [Theory]
    [InlineData(-2, false)]
    [InlineData(-1, true)]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(2, false)]
    public void Only_the_current_and_previous_hour_and_one_ahead_are_fresh(int hours, bool fresh)
    {
        var now = new DateTime(2026, 12, 7, 2, 59, 59, DateTimeKind.Utc);
        var stamp = now.AddHours(hours).ToString("yyyyMMdd'T'HH'Z'");
        var credential = SregistrySignature.Parse($"SREGISTRY-HMAC-SHA256 Credential=pull/dnNvY2g=/{stamp},Signature={PythonSignature}").Value!;
        SregistrySignature.IsFresh(credential, now).ShouldBe(fresh);
    }

    [Theory]
    [InlineData("SREGISTRY-HMAC-SHA256")]
    [InlineData("SREGISTRY-HMAC-SHA256 Credential=push/dnNvY2g=/20261207T02Z")]
    [InlineData("SREGISTRY-HMAC-SHA256 Credential=admin/dnNvY2g=/20261207T02Z,Signature=" + PythonSignature)]
    [InlineData("SREGISTRY-HMAC-SHA256 Credential=push/%%%/20261207T02Z,Signature=" + PythonSignature)]
    [InlineData("SREGISTRY-HMAC-SHA256 Credential=push/dnNvY2g=/2026-12-07T02Z,Signature=" + PythonSignature)]
    [InlineData("SREGISTRY-HMAC-SHA256 Credential=push/dnNvY2g=/20261207T02Z,Signature=xyz")]
    [InlineData("SREGISTRY-HMAC-SHA256 Credential=push/dnNvY2g=/20261207T02Z/extra,Signature=" + PythonSignature)]
    public void Malformed_headers_are_unauthorized_with_a_reason(string header)
    {
        var parsed = SregistrySignature.Parse(header);
        parsed.Outcome.ShouldBe(Outcome.Unauthorized);
        parsed.Message.ShouldNotBeNullOrWhiteSpace();
    }
}

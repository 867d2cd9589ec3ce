using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Registry.Core.Access;
using Registry.Core.Identity.AccessTokens;

namespace Registry.Tests.Api;

/// <summary>
/// How the contract tests compare whole bodies: times are checked to be RFC 3339 UTC with a zone, then replaced by
/// <c>T</c> so the rest can be compared exactly.
/// </summary>
public static partial class ContractJson
{
    public const string Zero = "0001-01-01T00:00:00Z";
    public static readonly Actor Root = new("contract-root", "root", true, TokenScope.Admin);

    [GeneratedRegex("\"(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?)(Z|[+-]\\d\\d:\\d\\d)?\"")]
    private static partial Regex Timestamp();

    /// <summary>The body as JSON text with every time but the zero time replaced by "T"; fails on a time without a zone.</summary>
    public static string Normalised(JsonNode? body) => Timestamp().Replace(body!.ToJsonString(), m =>
    {
        m.Groups[2].Value.ShouldBe("Z", $"time {m.Value} must be UTC with a zone");
        return m.Value == $"\"{Zero}\"" ? m.Value : "\"T\"";
    });

    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}

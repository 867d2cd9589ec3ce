using System.Text;

namespace Registry.Tests.Faults;

/// <summary>The sregistry-cli API's routes and signatures for <see cref="HostileRequests"/>: hostile names, bodies and credentials.</summary>
public static class HostileSregistryRoutes
{
    public static (string Method, string Path, bool HasBody) Route(Random random, string segment, string other, string reference, string collectionId) =>
        random.Next(9) switch
        {
            0 => ("GET", $"/api/collections/?limit={Pick(random, ["-1", "0", "x", "99999999999", "1"])}&offset={Pick(random, ["-5", "1e9", "2"])}", false),
            1 => ("GET", $"/api/collection/{segment}", false),
            2 => ("GET", $"/api/container/search/collection/{segment}/name/{other}/tag/{segment}", false),
            3 => ("GET", $"/api/container/search/name/{segment}", false),
            4 => ("GET", $"/api/labels/search/{segment}/key/{other}/value", false),
            5 => ("DELETE", $"/api/container/{segment}/{reference}", false),
            6 => ("POST", "/api/upload/chunked_upload", true),
            7 => ("POST", "/upload", true),
            _ => ("GET", $"/api/container/{collectionId}/{segment}:{other}", false),
        };

    /// <summary>A malformed, forged, stale or hostile <c>SREGISTRY-HMAC-SHA256</c> header.</summary>
    public static string Signature(Random random)
    {
        var user = Convert.ToBase64String(Encoding.UTF8.GetBytes(Pick(random, ["hostile", "", "../..", new string('u', 3000), "😀"])));
        var kind = Pick(random, ["push", "upload", "pull", "delete", "", "admin", "push/x"]);
        var time = Pick(random, [DateTime.UtcNow.ToString("yyyyMMdd'T'HH'Z'"), "19700101T00Z", "99991231T23Z", "20261301T99Z", "x", ""]);
        var signature = Pick(random, [new string('a', 64), new string('g', 64), "", "00", new string('f', 5000)]);
        return Pick(random, [
            $"SREGISTRY-HMAC-SHA256 Credential={kind}/{user}/{time},Signature={signature}",
            $"SREGISTRY-HMAC-SHA256 Credential={kind}/{Pick(random, ["!!!", "%%", "a"])}/{time},Signature={signature}",
            "SREGISTRY-HMAC-SHA256 ", "SREGISTRY-HMAC-SHA256 Credential=,Signature=,Signature=", "SREGISTRY-HMAC-SHA256 Credential=push//",
        ]);
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];
}

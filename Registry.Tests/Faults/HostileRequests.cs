using System.Text;

namespace Registry.Tests.Faults;

/// <summary>One raw request: head (request line + headers, no blank line) and body bytes. <c>Partial</c>: the head announces more body than is sent.</summary>
public sealed record HostileRequest(string Head, byte[] Body, bool Partial)
{
    public string Line => Head[..Head.IndexOf('\r')];
}

/// <summary>
/// Generates malformed and hostile requests against every route of the server from a seeded <see cref="Random"/>:
/// random refs, path traversal (plain, percent-encoded, double-encoded, absolute, unicode look-alikes), bad JSON, bad
/// headers, bogus ranges and absurd declared sizes. Real ids and capabilities are mixed in so requests reach deep code.
/// </summary>
public sealed class HostileRequests(Random random, string marker, string canaryFile, HostileRequests.Ids ids, bool sregistry = false)
{
    /// <summary>Identifiers of real objects on the server under test.</summary>
    public sealed record Ids(string Entity, string Collection, string Container, string EntityId, string CollectionId,
        string ContainerId, string ImageId, string Hash, string UploadPath, string BlobPath);

    private string[]? _segments;

    /// <summary>A well-formed chunked JSON body of 3 MiB (shared by every request that sends it).</summary>
    private static readonly byte[] OversizedChunked = MakeOversizedChunked(3 << 20);

    private static byte[] MakeOversizedChunked(int size)
    {
        var body = new MemoryStream();
        body.Write(Encoding.ASCII.GetBytes("9\r\n{\"name\":\"\r\n"));
        var chunk = Encoding.ASCII.GetBytes(new string('a', 64 * 1024));
        for (var written = 0; written < size; written += chunk.Length)
        {
            body.Write(Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n"));
            body.Write(chunk);
            body.Write("\r\n"u8);
        }
        body.Write("2\r\n\"}\r\n0\r\n\r\n"u8);
        return body.ToArray();
    }

    private string[] Segments => _segments ??=
    [
        "..", "../..", "%2e%2e", "%2e%2e%2f%2e%2e", "..%2f..%2f..%2f" + marker, "%252e%252e%252f" + marker, "..%5c..%5c" + marker,
        "%2f" + canaryFile.TrimStart('/').Replace("/", "%2f"), Uri.EscapeDataString(canaryFile), "%2fetc%2fpasswd",
        "....//....//" + marker, "..;/" + marker, "%c0%ae%c0%ae%2f" + marker, Uri.EscapeDataString("\u2024\u2024/\u2024\u2024/" + marker),
        Uri.EscapeDataString("\uff0e\uff0e\uff0f" + marker), Uri.EscapeDataString("\u2215etc\u2215passwd"), "%00", "%00" + marker, "a%00.sif",
        "%0d%0aSet-Cookie:%20x=1", "~root", "%24(id)", "'%20OR%201=1--", "%7b%7b7*7%7d%7d", Uri.EscapeDataString("😀"), "", "-", ".",
        "sha256.." , "sha256.%2e%2e%2f" + marker, "sha256." + new string('a', 63) + "g", "sha256." + ids.Hash, ids.Hash,
        new string('a', 3000), "A", "UPPER", "x:y:z", ":", "a..b", ids.ImageId, ids.ContainerId, ids.CollectionId, ids.EntityId,
        ids.ImageId + "%2f..%2f..", "x" + marker, "con", "nul", "%ff%fe", "%", "%zz",
    ];

    private string Segment() => random.Next(4) == 0 ? Pick([ids.Entity, ids.Collection, ids.Container, ids.ImageId]) : Pick(Segments);

    private string Ref() => random.Next(6) switch
    {
        0 => $"{Segment()}/{Segment()}/{Segment()}:{Segment()}",
        1 => $"{ids.Entity}/{ids.Collection}/{ids.Container}:{Segment()}",
        2 => $"{ids.Entity}/{Segment()}/{ids.Container}:sha256.{ids.Hash}",
        3 => Segment(),
        4 => $"{Segment()}/{Segment()}",
        _ => string.Join('/', Enumerable.Range(0, random.Next(4, 12)).Select(_ => Segment())),
    };

    private string Query() => random.Next(5) switch
    {
        0 => "",
        1 => "?arch=" + Pick(["amd64", "%2e%2e", "", new string('x', 2000), "arm64%00", "../../" + marker]),
        2 => $"?exp={Pick(["0", "-1", "99999999999999999999", "abc", "9223372036854775807", ""])}&sig={Pick(["", "x", "%2e%2e", new string('0', 64)])}",
        3 => "?value=" + Pick(["%", "a", "*", "%25%25", new string('q', 5000), "'%20or%201=1"]) + "&arch=" + Pick(["amd64", "%00"]),
        _ => "?" + string.Join('&', Enumerable.Range(0, random.Next(1, 50)).Select(i => $"arch={i}")),
    };

    private byte[] Json()
    {
        var big = 1_000_000_000_000_000L;
        string text = random.Next(26) switch
        {
            0 => "{",
            1 => "null",
            2 => "[]",
            3 => "\"string\"",
            4 => "{\"filesize\":1e15,\"sha256sum\":\"" + ids.Hash + "\",\"md5sum\":\"\"}",
            5 => "{\"filesize\":" + big + ",\"sha256sum\":\"\"}",
            6 => "{\"filesize\":-1}",
            7 => "{\"filesize\":\"abc\"}",
            8 => new string('[', 5000) + new string(']', 5000),
            9 => "{\"name\":\"" + new string('a', 300_000) + "\"}",
            10 => "{\"partNumber\":2147483647,\"partSize\":" + big + ",\"uploadID\":\"x\",\"sha256sum\":\"\"}",
            11 => "{\"uploadID\":\"../../" + marker + "\",\"completedParts\":[{\"partNumber\":-1,\"token\":\"x\"}]}",
            12 => "{\"name\":\"../../" + marker + "\",\"entity\":\"" + ids.EntityId + "\",\"collection\":\"" + ids.CollectionId + "\"}",
            13 => "{\"hash\":\"sha256.../../../" + marker + "\",\"container\":\"" + ids.ContainerId + "\"}",
            14 => "{\"hash\":\"sha256." + new string('f', 64) + "\",\"container\":\"" + ids.ContainerId + "\",\"description\":\"" + new string('d', 10_000) + "\"}",
            15 => "{\"completedParts\":null,\"uploadID\":null}",
            16 => "{\"Tag\":\"../" + marker + "\",\"ImageID\":\"" + ids.ImageId + "\",\"Arch\":\"../../x\"}",
            17 => "{\"Tag\":\"latest\",\"ImageID\":\"\",\"Arch\":\"" + new string('a', 1000) + "\"}",
            18 => "{\"a\":1,\"a\":2,\"filesize\":1,\"filesize\":" + big + "}",
            19 => "{\"filesize\":1.5e308}",
            20 => "{\"partSize\":5242880,\"uploadID\":\"" + ids.UploadPath.Split('/')[^3] + "\",\"partNumber\":0,\"sha256sum\":\"zz\"}",
            21 => "{\"name\":\"" + Pick(["", "A", "-a", "a-", "😀", "con", "\\u0000"]) + "\",\"entity\":\"" + ids.EntityId + "\"}",
            22 => "{\"filesize\":9223372036854775807,\"sha256sum\":\"" + ids.Hash + "\"}",
            23 => "{\"uploadID\":\"" + ids.UploadPath.Split('/')[^3] + "\",\"completedParts\":[]}",
            24 => "",
            _ => "{\"deleted\":true,\"id\":\"" + ids.ImageId + "\",\"size\":-5,\"private\":\"yes\",\"collections\":{}}",
        };
        var bytes = Encoding.UTF8.GetBytes(text);
        if (random.Next(20) == 0) bytes = [.. bytes, 0xff, 0xfe, 0xc0]; // invalid UTF-8
        return bytes;
    }

    // sregistry's routes come from a generator of their own (sregistry: true), so the Library API's seeded sequence stays as it was.
    private (string Method, string Path, bool HasBody) Route() => sregistry ? HostileSregistryRoutes.Route(random, Segment(), Segment(), Ref(), ids.CollectionId) : random.Next(31) switch
    {
        0 => ("GET", "/version", false),
        1 => ("GET", "/assets/config/config.prod.json", false),
        2 => ("GET", "/v1/token-status", false),
        3 => ("GET", "/v1/rbac/users/current", false),
        4 => ("GET", "/v1/oci-redirect?accessTypes=pull&namespace=" + Ref(), false),
        5 => ("GET", "/v1/entities/" + Segment(), false),
        6 => ("POST", "/v1/entities", true),
        7 => ("GET", $"/v1/collections/{Segment()}/{Segment()}", false),
        8 => ("POST", "/v1/collections", true),
        9 => ("GET", $"/v1/containers/{Segment()}/{Segment()}/{Segment()}", false),
        10 => ("POST", "/v1/containers", true),
        11 => ("GET", "/v1/images/" + Ref() + Query(), false),
        12 => ("POST", "/v1/images", true),
        13 => ("DELETE", "/v1/images/" + Ref() + Query(), false),
        14 => (Pick(["GET", "POST"]), $"/v{Pick(["1", "2"])}/tags/{Segment()}", true),
        15 => ("GET", "/v1/search" + Query(), false),
        16 => ("POST", "/v2/imagefile/" + Segment(), true),
        17 => ("PUT", random.Next(2) == 0 ? ids.UploadPath : $"/v2/imagefile/_upload/{Segment()}/{Pick(["0", "1", "-1", "99999999999", "x"])}/{Segment()}", true),
        18 => ("PUT", $"/v2/imagefile/{Segment()}/_complete", true),
        19 => ("POST", $"/v2/imagefile/{Segment()}/_multipart", true),
        20 => ("PUT", $"/v2/imagefile/{Segment()}/_multipart{Pick(["", "_complete", "_abort"])}", true),
        21 => ("POST", "/v1/imagefile/" + Segment(), true),
        22 => ("GET", "/v1/imagefile/" + Ref() + Query(), false),
        23 => (Pick(["GET", "HEAD"]), random.Next(2) == 0 ? ids.BlobPath : "/v1/imagefile-blob/" + Segment() + Query(), false),
        24 => ("GET", $"/api/container/{Segment()}/{Ref()}", false),
        25 => ("GET", "/download/" + Segment(), false),
        26 => ("GET", $"/{Segment()}/{Segment()}/badge.svg", false),
        27 => (Pick(["POST", "PUT", "GET", "DELETE"]), $"/browser-upload/{Segment()}/{Pick(["0", "-1", "x", "finish"])}", true),
        28 => (Pick(["PATCH", "OPTIONS", "TRACE", "FOO", "CONNECT"]), "/v1/images/" + Ref(), false),
        29 => ("GET", "/v1/" + Ref(), false),
        _ => ("GET", Pick(["/", "/search?q=", "/collections/", "/not-found/"]) + Segment(), false),
    };

    private string Headers(ref byte[] body, out bool partial)
    {
        partial = false;
        var lines = new List<string> { "Host: " + Pick(["127.0.0.1", "localhost", "evil.example", new string('h', 300), "[::1]", "a b"]) };
        if (random.Next(2) == 0) lines.Add("Authorization: " + Pick([
            $"Bearer {Pick(["", "x", "..%2f..", new string('t', 8000), "\u00e9\u00e9"])}", "BEARER abc", "Basic YWRtaW46YWRtaW4=", "Bearer", "Bearer a b c", "Negotiate x", .. sregistry ? [HostileSregistryRoutes.Signature(random)] : Array.Empty<string>()]));
        if (random.Next(3) == 0) lines.Add("Range: " + Pick([
            "bytes=-", "bytes=999999999999999999999-", "bytes=5-1", "bytes=-0", "bytes=0-0", "items=0-1", "bytes=0-1024",
            "bytes=" + string.Join(',', Enumerable.Range(0, 500).Select(i => $"{i * 10}-{i * 10 + 5}")), "bytes=a-b", "bytes=18446744073709551615-"]));
        if (random.Next(4) == 0) lines.Add("Content-Type: " + Pick(["application/json; charset=utf-99", "multipart/form-data; boundary=", "text/plain", "application/x-www-form-urlencoded", "\u0001"]));
        if (random.Next(6) == 0) lines.Add(Pick(["X-Amz-Content-Sha256: zz", "Expect: 100-continue", "If-None-Match: *", "If-Range: \"x\"",
            "Accept-Encoding: gzip, br", "X-Forwarded-For: ../../", "Cookie: .AspNetCore.Identity.Application=garbage", "X-Long: " + new string('l', 20_000)]));
        switch (random.Next(8))
        {
            case 0: // absurd declared size, little body: the server must not wait for 1e15 bytes nor reserve them
                lines.Add("Content-Length: " + Pick(["1000000000000000", "9223372036854775807", "99999999999999999999999"]));
                partial = true;
                break;
            case 1:
                lines.Add("Content-Length: -1");
                break;
            case 2:
                lines.Add($"Content-Length: {body.Length}");
                lines.Add($"Content-Length: {body.Length + 1}");
                break;
            case 3:
                lines.Add("Transfer-Encoding: chunked");
                body = random.Next(3) == 0 ? OversizedChunked // over the 1 MiB cap, no Content-Length to refuse up front
                    : Encoding.ASCII.GetBytes(Pick(["zz\r\nabc\r\n0\r\n\r\n", "ffffffffffffffff\r\nabc\r\n", "5\r\nab\r\n0\r\n\r\n", "0\r\n\r\n"]));
                break;
            default:
                lines.Add($"Content-Length: {body.Length}");
                break;
        }
        lines.Add("Connection: close");
        return string.Join("\r\n", lines);
    }

    public HostileRequest Next()
    {
        var (method, path, hasBody) = Route();
        var body = hasBody ? Json() : random.Next(8) == 0 ? Json() : [];
        var headers = Headers(ref body, out var partial);
        var version = random.Next(30) == 0 ? Pick(["HTTP/1.0", "HTTP/9.9", "http/1.1", ""]) : "HTTP/1.1";
        if (random.Next(40) == 0) path = path.Replace("/", "\\"); // backslash separators
        if (random.Next(60) == 0) path = "http://" + Pick(["127.0.0.1", "evil.example"]) + path; // absolute-form target
        return new HostileRequest($"{method} {path} {version}\r\n{headers}", body, partial);
    }

    private T Pick<T>(T[] items) => items[random.Next(items.Length)];
}

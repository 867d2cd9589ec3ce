using Registry.Core.Keys;
using Registry.Web.Api.Authentication;

namespace Registry.Web.Api;

/// <summary>The HKP keyserver behind <c>keystoreAPI</c>: <c>apptainer key push/search/pull</c>. See: docs/keyserver-hkp.md.</summary>
public static class KeysApi
{
    /// <summary>1 MiB of armor, url-encoded (base64's '+', '/', '=' and newlines take three bytes each).</summary>
    private const long MaxFormBytes = 3L * AddKeyRequest.MaxChars + 1024;

    public static void MapKeysApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/pks/add", AddKey).ReadsRequest(ReadKeyFormAsync).WithBodyLimit(MaxFormBytes)
            .Doc("Keys", "AddKey", "HKP: store an ASCII-armored public key (form field keytext); needs a write token");
        // Anonymous: public keys are public, and signature verification looks keys up without a token.
        app.MapGet("/pks/lookup", LookupKey).ReadsRequest(ReadLookupQuery)
            .Doc("Keys", "LookupKey", "HKP: op=get returns the armored key(s), op=index the machine-readable index (x-pagesize up to 1000, "
                + "X-HKP-Next-Page-Token / x-pagetoken for the next page)");
    }

    private static async Task<IResult> AddKey(Validated<AddKeyRequest> request, HttpContext context, KeyService keys)
    {
        var added = await keys.AddAsync(context.GetActor(), request.Value.KeyText!, context.RequestAborted);
        if (!added.Succeeded) return Envelope.Failure(added);
        // Newer CLIs print a non-empty body as "Key server response: …".
        return Results.Text(string.Concat(added.Value!.Select(u => $"{u.Change.ToString().ToLowerInvariant()} key {u.Key.Fingerprint.ToUpperInvariant()}\n")), "text/plain");
    }

    private static async Task<IResult> LookupKey(Validated<LookupKeyRequest> request, HttpContext context, KeyService keys, TimeProvider clock)
    {
        var (op, search, _, pageToken) = request.Value;
        if (op == "get")
        {
            var found = await keys.FindAsync(search!, context.RequestAborted);
            if (found.Count == 0) return Envelope.Error(404, $"no key matches '{search}'");
            return Results.Text(KeyParser.Combine(found.Select(k => k.Armored).ToList()), "application/pgp-keys");
        }
        var after = string.IsNullOrEmpty(pageToken) ? null : KeyPageToken.Decode(pageToken);
        var (page, next) = await keys.FindPageAsync(search!, request.Value.PageSizeOrDefault, after, context.RequestAborted);
        // A later page may come back empty (keys deleted meanwhile): only a first page without matches is "no key".
        if (page.Count == 0 && after is null) return Envelope.Error(404, $"no key matches '{search}'");
        if (next is not null) context.Response.Headers["X-HKP-Next-Page-Token"] = next.Encode();
        return Results.Text(KeyIndex.Of(page, clock.GetUtcNow().UtcDateTime), "text/plain");
    }

    private static async Task<(AddKeyRequest?, IResult?)> ReadKeyFormAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType) return (null, Envelope.Error(400, "send the key as form field keytext (application/x-www-form-urlencoded)"));
        try
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            return (new AddKeyRequest(form["keytext"].ToString()), null);
        }
        catch (Exception e) when (e is BadHttpRequestException or InvalidDataException or IOException && !context.RequestAborted.IsCancellationRequested)
        {
            return (null, e is BadHttpRequestException { StatusCode: 413 } ? Envelope.Error(413, "the key block is larger than 1 MiB")
                : Envelope.Error(400, "malformed form body: " + e.Message));
        }
    }

    private static Task<(LookupKeyRequest?, IResult?)> ReadLookupQuery(HttpContext context)
    {
        var query = context.Request.Query;
        return Task.FromResult<(LookupKeyRequest?, IResult?)>((new LookupKeyRequest(
            NullIfAbsent(query["op"]), NullIfAbsent(query["search"]), NullIfAbsent(query["x-pagesize"]), NullIfAbsent(query["x-pagetoken"])), null));
    }

    private static string? NullIfAbsent(Microsoft.Extensions.Primitives.StringValues value) => value.Count == 0 ? null : value.ToString();
}

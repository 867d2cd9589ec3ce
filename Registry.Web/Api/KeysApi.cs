using FluentValidation;
using Microsoft.AspNetCore.Mvc;
using Registry.Core.Keys;
using Registry.Web.Api.Authentication;

namespace Registry.Web.Api;

/// <summary>The HKP keyserver behind <c>keystoreAPI</c>: <c>apptainer key push/search/pull</c>. See: LIBRARY-API.md §12.</summary>
public static class KeysApi
{
    /// <summary>1 MiB of armor, url-encoded (base64's '+', '/', '=' and newlines take three bytes each).</summary>
    private const long MaxFormBytes = 3L * AddKeyRequest.MaxChars + 1024;

    public static void MapKeysApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/pks/add", async (HttpContext context, KeyService keys, IValidator<AddKeyRequest> validator) =>
        {
            var actor = context.GetActor();
            if (!context.Request.HasFormContentType) return Envelope.Error(400, "send the key as form field keytext (application/x-www-form-urlencoded)");
            IFormCollection form;
            try { form = await context.Request.ReadFormAsync(context.RequestAborted); }
            catch (Exception e) when (e is BadHttpRequestException or InvalidDataException or IOException && !context.RequestAborted.IsCancellationRequested)
            {
                return e is BadHttpRequestException { StatusCode: 413 } ? Envelope.Error(413, "the key block is larger than 1 MiB")
                    : Envelope.Error(400, "malformed form body: " + e.Message);
            }
            var request = new AddKeyRequest(form["keytext"].ToString());
            var valid = await validator.ValidateAsync(request, context.RequestAborted);
            if (!valid.IsValid) return Envelope.Error(400, string.Join("; ", valid.Errors.Select(e => e.ErrorMessage)));

            var added = await keys.AddAsync(actor, request.KeyText!, context.RequestAborted);
            if (!added.Succeeded) return Envelope.Failure(added);
            // Newer CLIs print a non-empty body as "Key server response: …".
            return Results.Text(string.Concat(added.Value!.Select(u => $"{u.Change.ToString().ToLowerInvariant()} key {u.Key.Fingerprint.ToUpperInvariant()}\n")), "text/plain");
        }).WithBodyLimit(MaxFormBytes).Doc("Keys", "AddKey", "HKP: store an ASCII-armored public key (form field keytext); needs a write token");

        // Anonymous: public keys are public, and signature verification looks keys up without a token.
        app.MapGet("/pks/lookup", async (HttpContext context, KeyService keys, IValidator<LookupKeyRequest> validator, TimeProvider clock,
            string? op, string? search, [FromQuery(Name = "x-pagesize")] string? pageSize, [FromQuery(Name = "x-pagetoken")] string? pageToken) =>
        {
            var request = new LookupKeyRequest(op, search, pageSize, pageToken);
            var valid = await validator.ValidateAsync(request, context.RequestAborted);
            if (!valid.IsValid) return Envelope.Error(400, string.Join("; ", valid.Errors.Select(e => e.ErrorMessage)));

            if (op == "get")
            {
                var found = await keys.FindAsync(search!, context.RequestAborted);
                if (found.Count == 0) return Envelope.Error(404, $"no key matches '{search}'");
                return Results.Text(KeyParser.Combine(found.Select(k => k.Armored).ToList()), "application/pgp-keys");
            }
            var after = string.IsNullOrEmpty(pageToken) ? null : KeyPageToken.Decode(pageToken);
            var (page, next) = await keys.FindPageAsync(search!, request.PageSizeOrDefault, after, context.RequestAborted);
            // A later page may come back empty (keys deleted meanwhile): only a first page without matches is "no key".
            if (page.Count == 0 && after is null) return Envelope.Error(404, $"no key matches '{search}'");
            if (next is not null) context.Response.Headers["X-HKP-Next-Page-Token"] = next.Encode();
            return Results.Text(KeyIndex.Of(page, clock.GetUtcNow().UtcDateTime), "text/plain");
        }).Doc("Keys", "LookupKey", "HKP: op=get returns the armored key(s), op=index the machine-readable index (x-pagesize up to 1000, "
            + "X-HKP-Next-Page-Token / x-pagetoken for the next page)");
    }
}

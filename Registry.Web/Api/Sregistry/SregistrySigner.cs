using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Registry.Core;
using Registry.Core.Access;
using Registry.Core.Audit;
using Registry.Core.Data;
using Registry.Core.Sregistry;
using Registry.Core.Terms;
using Registry.Web.Api.Authentication;

namespace Registry.Web.Api.Sregistry;

/// <summary>
/// Verifies <c>SREGISTRY-HMAC-SHA256</c> signatures. The signed fields (collection, name, tag) come from the path for pull,
/// delete and listings, and from the small JSON body of <c>chunked_upload</c> (buffered here, before the rate limiter,
/// so the limiter counts the verified token); <c>/upload</c> carries them in its multipart fields, so its endpoint verifies
/// with <see cref="VerifyAsync"/> once it has read them. A listing may be signed as a pull over the fields in its path
/// (empty when there are none). See: SREGISTRY-CLI.md "Authentication".
/// </summary>
public static class SregistrySigner
{
    private const string ClaimedUserKey = "registry.sregistry-user";
    private const int MaxJsonBytes = 64 * 1024;

    public static async Task IdentifyAsync(HttpContext context, Func<Task> next)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (SregistrySignature.IsSregistry(header) && !context.Request.Path.StartsWithSegments("/upload"))
        {
            var fields = await SignedFieldsAsync(context);
            if (fields is null) context.NoteRefusal(400, "the body must be JSON {\"collection\", \"name\", \"tag\"}");
            else
            {
                var verified = await VerifyAsync(context, header, fields.Value.Kind, fields.Value.Collection, fields.Value.Name, fields.Value.Tag);
                if (!verified.Succeeded) context.NoteRefusal(Envelope.StatusOf(verified.Outcome), verified.Message);
            }
        }
        await next();
    }

    /// <summary>Verifies the signature and, when valid, makes its token the request's caller (terms of service included).</summary>
    public static async Task<Result<Actor>> VerifyAsync(HttpContext context, string header, string kind, string collection, string name, string tag)
    {
        var credential = SregistrySignature.Parse(header);
        if (!credential.Succeeded) return credential.As<Actor>();
        context.Items[ClaimedUserKey] = credential.Value!.UserName;
        var services = context.RequestServices;
        var caller = await services.GetRequiredService<SregistryAuth>().VerifyAsync(credential.Value, kind, collection, name, tag,
            context.Connection.RemoteIpAddress?.ToString() ?? "", context.RequestAborted);
        if (!caller.Succeeded) return caller.As<Actor>();
        var c = caller.Value!;
        // Counted as its token by the limiter even while the terms wait, as a bearer token is.
        context.SetCaller(Actor.Anonymous with { Address = c.Actor.Address }, null, c.TokenKey);
        if (!services.GetRequiredService<TermsService>().HasAgreed(c.AcceptedTermsVersion))
            return Result.Forbidden("agree to the registry's terms of service (sign in to the web UI, page /terms) before using tokens");
        context.SetCaller(c.Actor, c.ExpiresAt, c.TokenKey);
        return c.Actor;
    }

    /// <summary>Records a refused signature in the audit log (after the rate limiter: a flood is throttled before it writes).</summary>
    public static async Task AuditRefusalAsync(HttpContext context, string message)
    {
        if (context.Items[ClaimedUserKey] is not string user) return;
        var factory = context.RequestServices.GetRequiredService<IDbContextFactory<RegistryDbContext>>();
        await using var db = await factory.CreateDbContextAsync(CancellationToken.None);
        var who = Actor.Anonymous with { Address = context.Connection.RemoteIpAddress?.ToString() ?? "" };
        var claimed = user.Length <= 100 ? user : user[..100];
        AuditLog.Record(db, who, "sregistry.refused", $"{context.Request.Method} {context.Request.Path}", null, $"signed as '{claimed}': {message}");
        await db.SaveChangesAsync(CancellationToken.None);
    }

    private static async Task<(string Kind, string Collection, string Name, string Tag)?> SignedFieldsAsync(HttpContext context)
    {
        var request = context.Request;
        var segments = request.Path.Value!.Trim('/').Split('/');
        if (request.Path.StartsWithSegments("/api/upload/chunked_upload"))
        {
            request.EnableBuffering(MaxJsonBytes);
            try
            {
                var push = await JsonSerializer.DeserializeAsync<SregistryPushRequest>(request.Body, Envelope.Json, context.RequestAborted);
                request.Body.Position = 0;
                return push is null ? null : ("push", Lower(push.Collection), Lower(push.Name), push.TagOrLatest);
            }
            catch (JsonException) { return null; }
        }
        // /api/container/<collection>/<name>:<tag> (not the search routes): pull, or delete.
        if (segments is ["api", "container", var collection, var spec] && collection != "search")
        {
            var (name, tag) = SregistryRoutes.SplitTag(spec);
            return (HttpMethods.IsDelete(request.Method) ? "delete" : "pull", collection, name, tag);
        }
        return ("pull", SregistryRoutes.Field(segments, "collection"), SregistryRoutes.Field(segments, "name"), SregistryRoutes.Field(segments, "tag"));
    }

    private static string Lower(string? s) => (s ?? "").ToLowerInvariant();
}

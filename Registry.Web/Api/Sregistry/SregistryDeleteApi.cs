using Registry.Core.Sregistry;
using Registry.Web.Api.Authentication;

namespace Registry.Web.Api.Sregistry;

/// <summary><c>sregistry delete collection/name:tag</c>: 204 on success; the client prints the status and <c>detail</c>.</summary>
public static class SregistryDeleteApi
{
    public static async Task<IResult> DeleteAsync(HttpContext context, SregistryDelete deletes, string collection, string spec)
    {
        var actor = context.GetActor();
        if (!actor.IsAuthenticated) return Detail.Error(401, "a delete signature (or a token) is required");
        var (name, tag) = SregistryRoutes.SplitTag(spec);
        var deleted = await deletes.DeleteAsync(actor, collection.ToLowerInvariant(), name, tag, context.RequestAborted);
        return deleted.Succeeded ? Results.NoContent() : Detail.Failure(deleted);
    }
}

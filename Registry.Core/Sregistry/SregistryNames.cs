using Registry.Core.Access;
using Registry.Core.Collections;

namespace Registry.Core.Sregistry;

/// <summary>
/// sregistry names collections without an entity (one flat namespace); here a name can exist in several entities.
/// These turn a flat name into the one collection meant, or a clear answer naming the <c>library://</c> refs.
/// </summary>
public static class SregistryNames
{
    /// <summary>The one collection of <paramref name="matches"/>, or a conflict naming each as a library ref.</summary>
    public static Result<Collection> Single(List<Collection> matches, string collection, string container, string tag)
    {
        if (matches.Count == 0) return Result.NotFound($"collection {collection} not found");
        if (matches.Count > 1)
            return Result.Conflict($"several entities have a collection named {collection}; use one of " +
                string.Join(", ", matches.Select(c => $"library://{c.Entity!.Name}/{c.Name}/{container}:{tag}")) + " with apptainer");
        return matches[0];
    }

    /// <summary>The reason a <c>collection/container:tag</c> from the client is unusable, or null.</summary>
    public static string? Problem(string collection, string container, string tag)
    {
        foreach (var (part, what) in new[] { (collection, "collection"), (container, "container"), (tag, "tag") })
            if (!Names.IsValid(part)) return $"'{Clip(part)}' is not a valid {what} name: use {Names.Rule}";
        return null;
    }

    internal static bool MayPush(Actor actor, Collection c) => AccessRules.For(actor, c).CanPush;

    private static string Clip(string s) => s.Length <= 60 ? s : s[..60] + "…";
}

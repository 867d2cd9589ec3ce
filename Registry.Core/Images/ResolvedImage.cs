using System.Collections.Immutable;
using Registry.Core.Access;
using Registry.Core.Collections;

namespace Registry.Core.Images;

/// <summary>
/// An image as the lookup cache hands it out (<see cref="ImageService.ResolveAsync"/>): immutable values, shared by
/// every request until the next write. Who may do what with it is asked with <see cref="AccessFor"/>; the access graph
/// behind that answer (members, team) stays inside, so no request can change what another one sees.
/// </summary>
public sealed record ResolvedImage(
    string Id, string Hash, string Description, long Size, bool Uploaded, bool? Signed, string SignedBy, string? Arch, bool? Encrypted,
    string CreatedByName, DateTime CreatedAt, DateTime UpdatedAt, ImmutableArray<ResolvedTag> Tags, ResolvedContainer Container)
{
    private Collection AccessGraph { get; init; } = null!;

    /// <summary>Copies what callers read out of a freshly queried, untracked graph that nobody else holds.</summary>
    internal static ResolvedImage From(Image i, Containers.Container x, Collection c) => new(
        i.Id, i.Hash, i.Description, i.Size, i.Uploaded, i.Signed, i.SignedBy, i.Arch, i.Encrypted, i.CreatedByName, i.CreatedAt, i.UpdatedAt,
        [.. i.Tags.Select(t => new ResolvedTag(t.Name, t.Arch, t.Frozen))],
        new ResolvedContainer(x.Id, x.Name, x.Description, x.DownloadCount, c.Id, c.Name, c.EntityId, c.Entity?.Name ?? "", c.StarCount))
    { AccessGraph = c };

    /// <summary>What <paramref name="actor"/> may do in the image's collection.</summary>
    public CollectionAccess AccessFor(Actor actor) => AccessRules.For(actor, AccessGraph);

    /// <summary>Why the actor's token, not the actor, is what stops a change here (or null).</summary>
    public string? TokenLimit(Actor actor) => AccessRules.TokenLimit(actor, AccessGraph);
}

public sealed record ResolvedTag(string Name, string Arch, bool Frozen);

public sealed record ResolvedContainer(
    string Id, string Name, string Description, long DownloadCount,
    string CollectionId, string CollectionName, string EntityId, string EntityName, int CollectionStars);

/// <summary>An uploaded image's bytes as a signed download serves them: cached like <see cref="ResolvedImage"/>.</summary>
public sealed record StoredImage(string Id, string Hash, long Size);

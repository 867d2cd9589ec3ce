using Registry.Core.Access;
using Registry.Core.Images;
using Registry.Core.Storage;

namespace Registry.Core.Containers;

/// <summary>
/// One line of the container page: a tag (or, for an untagged image, none), the image it points to, the manifest digest
/// <c>/v2/</c> serves for that image (none before it is uploaded), and whether the pull command names the tag: on the
/// tag's newest row only, since a tag on several architectures is an index on <c>/v2/</c> that picks by the puller's
/// platform, so other rows are named by digest.
/// </summary>
public sealed record TagRow(string? Tag, string Arch, bool Frozen, string PushedBy, DateTime When, Image Image)
{
    public Digest? Manifest { get; init; }
    public bool ServedByTag { get; init; }
}

/// <summary>
/// A visible container with one page of its rows (tags newest first, then untagged images newest first), how many rows
/// it has in all, the page shown (the last one when the asked one is past it) and what the actor may do there.
/// </summary>
public sealed record ContainerView(Container Container, CollectionAccess Access, List<TagRow> Rows, int Total, int Page)
{
    public int Pages => Math.Max(1, (Total + ContainerBrowser.RowsPerPage - 1) / ContainerBrowser.RowsPerPage);
}

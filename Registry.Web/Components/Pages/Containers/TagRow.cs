using Registry.Core.Images;
using Registry.Core.Storage;

namespace Registry.Web.Components.Pages.Containers;

/// <summary>
/// One line of the container page: a tag (or, for untagged images, none), the image it points to, the manifest digest
/// <c>/v2/</c> serves for that image, and whether the pull command names the tag (the tag's newest row; a tag on several
/// architectures is an index on <c>/v2/</c> that picks by the puller's platform, so other rows are named by digest).
/// </summary>
public sealed record TagRow(string? Tag, string Arch, bool Frozen, string PushedBy, DateTime When, Image Image)
{
    public Digest? Manifest { get; init; }
    public bool ServedByTag { get; init; }

    public static List<TagRow> From(Registry.Core.Containers.Container container, IReadOnlyDictionary<string, Digest>? manifests = null)
    {
        var images = container.Images.ToDictionary(i => i.Id);
        var rows = container.Tags.Where(t => images.ContainsKey(t.ImageId))
            .Select(t => new TagRow(t.Name, t.Arch, t.Frozen, t.UpdatedByName, t.UpdatedAt, images[t.ImageId])).ToList();
        var tagged = container.Tags.Select(t => t.ImageId).ToHashSet();
        rows.AddRange(container.Images.Where(i => i.Uploaded && !tagged.Contains(i.Id))
            .Select(i => new TagRow(null, i.Arch ?? "", false, i.CreatedByName, i.UploadedAt ?? i.CreatedAt, i)));
        var ordered = rows.OrderBy(r => r.Tag is null).ThenByDescending(r => r.When).ToList();
        // Newest first, so a tag's first row is the one /v2/ serves for it.
        var served = ordered.Where(r => r.Tag is not null).DistinctBy(r => r.Tag).ToHashSet();
        return ordered.Select(r => r with
        {
            Manifest = manifests?.TryGetValue(r.Image.Id, out var d) == true ? d : null,
            ServedByTag = served.Contains(r),
        }).ToList();
    }
}

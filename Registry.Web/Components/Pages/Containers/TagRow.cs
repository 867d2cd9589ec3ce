using Registry.Core.Images;

namespace Registry.Web.Components.Pages.Containers;

/// <summary>One line of the container page: a tag (or, for untagged images, none) and the image it points to.</summary>
public sealed record TagRow(string? Tag, string Arch, bool Frozen, string PushedBy, DateTime When, Image Image)
{
    public static List<TagRow> From(Registry.Core.Containers.Container container)
    {
        var images = container.Images.ToDictionary(i => i.Id);
        var rows = container.Tags.Where(t => images.ContainsKey(t.ImageId))
            .Select(t => new TagRow(t.Name, t.Arch, t.Frozen, t.UpdatedByName, t.UpdatedAt, images[t.ImageId])).ToList();
        var tagged = container.Tags.Select(t => t.ImageId).ToHashSet();
        rows.AddRange(container.Images.Where(i => i.Uploaded && !tagged.Contains(i.Id))
            .Select(i => new TagRow(null, i.Arch ?? "", false, i.CreatedByName, i.UploadedAt ?? i.CreatedAt, i)));
        return rows.OrderBy(r => r.Tag is null).ThenByDescending(r => r.When).ToList();
    }
}

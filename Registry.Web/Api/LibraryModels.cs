using Registry.Core.Collections;
using Registry.Core.Containers;
using Registry.Core.Entities;
using Registry.Core.Images;
using Registry.Core.Tags;

namespace Registry.Web.Api;

// The Library API's resource shapes. See: docs/library-api.md §Models — string ids, RFC 3339 UTC times, exact member names.

public sealed record EntityJson(
    string Id, string Name, string Description, string[] Collections, long Size, long Quota, bool DefaultPrivate,
    string CustomData, bool Deleted, string CreatedBy, DateTime CreatedAt, DateTime UpdatedAt, DateTime DeletedAt, string Owner)
{
    public static EntityJson From(Entity e) => new(
        e.Id, e.Name, e.Description, e.Collections.Select(c => c.Id).ToArray(), e.Size, e.QuotaBytes ?? 0, e.DefaultPrivate,
        "", false, "", e.CreatedAt, e.UpdatedAt, CollectionJson.Zero, e.Name);
}

public sealed record CollectionJson(
    string Id, string Name, string Description, string Entity, string EntityName, string[] Containers, long Size, bool Private,
    string CustomData, bool Deleted, string CreatedBy, DateTime CreatedAt, DateTime UpdatedAt, DateTime DeletedAt, string Owner)
{
    public static CollectionJson From(Collection c) => new(
        c.Id, c.Name, c.Description, c.EntityId, c.Entity?.Name ?? "", c.Containers.Select(x => x.Id).ToArray(), c.Size, c.IsPrivate,
        "", false, c.CreatedById, c.CreatedAt, c.UpdatedAt, Zero, c.Entity?.Name ?? "");

    internal static readonly DateTime Zero = DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc);
}

public sealed record ContainerJson(
    string Id, string Name, string Description, string FullDescription, string Collection, string CollectionName,
    string Entity, string EntityName, string[] Images, Dictionary<string, string> ImageTags,
    Dictionary<string, Dictionary<string, string>> ArchTags, long Size, long DownloadCount, int Stars, bool Private, bool ReadOnly,
    string CustomData, bool Deleted, string CreatedBy, DateTime CreatedAt, DateTime UpdatedAt, DateTime DeletedAt, string Owner)
{
    public static ContainerJson From(Container x)
    {
        var collection = x.Collection!;
        return new(x.Id, x.Name, x.Description, x.FullDescription, collection.Id, collection.Name, collection.EntityId,
            collection.Entity?.Name ?? "", x.Images.Select(i => i.Id).ToArray(), ImageTagsOf(x.Tags), ArchTagsOf(x.Tags),
            x.Size, x.DownloadCount, collection.StarCount, collection.IsPrivate, false,
            "", false, x.CreatedById, x.CreatedAt, x.UpdatedAt, CollectionJson.Zero, collection.Entity?.Name ?? "");
    }

    /// <summary>Arch-less legacy view: the most recently set tag of each name, any arch.</summary>
    public static Dictionary<string, string> ImageTagsOf(IEnumerable<Tag> tags) =>
        tags.OrderBy(t => t.UpdatedAt).GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.Last().ImageId);

    public static Dictionary<string, Dictionary<string, string>> ArchTagsOf(IEnumerable<Tag> tags) =>
        tags.GroupBy(t => t.Arch).ToDictionary(g => g.Key, g => g.ToDictionary(t => t.Name, t => t.ImageId));
}

public sealed record ImageJson(
    string Id, string Hash, string Description, string Container, long Size, bool Uploaded, bool? Signed, string? Arch,
    string[] Fingerprints, bool? Encrypted, string CustomData, string Entity, string EntityName, string Collection,
    string CollectionName, string ContainerName, string[] Tags, string ContainerDescription, int ContainerStars,
    long ContainerDownloads, bool Deleted, string CreatedBy, DateTime CreatedAt, DateTime UpdatedAt, DateTime DeletedAt, string Owner)
{
    /// <summary>The same shape from the lookup cache's record.</summary>
    public static ImageJson From(ResolvedImage i)
    {
        var x = i.Container;
        return new(i.Id, "sha256." + i.Hash, i.Description, x.Id, i.Size, i.Uploaded, i.Signed, i.Arch,
            i.SignedBy.Split(' ', StringSplitOptions.RemoveEmptyEntries), i.Encrypted, "",
            x.EntityId, x.EntityName, x.CollectionId, x.CollectionName, x.Name, i.Tags.Select(t => t.Name).Distinct().Order().ToArray(),
            x.Description, x.CollectionStars, x.DownloadCount, false, i.CreatedByName, i.CreatedAt, i.UpdatedAt, CollectionJson.Zero, x.EntityName);
    }

    public static ImageJson From(Image i)
    {
        var x = i.Container!;
        var c = x.Collection!;
        return new(i.Id, "sha256." + i.Hash, i.Description, i.ContainerId, i.Size, i.Uploaded, i.Signed, i.Arch,
            i.SignedBy.Split(' ', StringSplitOptions.RemoveEmptyEntries), i.Encrypted, "",
            c.EntityId, c.Entity?.Name ?? "", c.Id, c.Name, x.Name, i.Tags.Select(t => t.Name).Distinct().Order().ToArray(),
            x.Description, c.StarCount, x.DownloadCount, false, i.CreatedByName, i.CreatedAt, i.UpdatedAt, CollectionJson.Zero, c.Entity?.Name ?? "");
    }
}

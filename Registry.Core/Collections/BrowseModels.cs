using Registry.Core.Access;
using Registry.Core.Containers;

namespace Registry.Core.Collections;

public enum CollectionFilter { All, Mine, Starred }

/// <summary>One row of the collections grid.</summary>
public sealed record CollectionSummary(
    string Id, string Entity, string Name, string Description, bool IsPrivate, bool IsMine, bool StarredByMe,
    int Stars, int Containers, long Bytes, DateTime UpdatedAt, IReadOnlyList<string> ContainerNames)
{
    public string Path => $"{Entity}/{Name}";
}

/// <summary>A page request of the collections grid; <see cref="SortBy"/> is a <see cref="CollectionSummary"/> property name.</summary>
public sealed record CollectionQuery(string? Search = null, CollectionFilter Filter = CollectionFilter.All, string? SortBy = null,
    bool Descending = false, int Page = 0, int PageSize = 25);

public sealed record CollectionPage(List<CollectionSummary> Items, int Total);

/// <summary>Counts of what the viewer may see.</summary>
/// <summary><paramref name="Bytes"/> counts every image in full (as quotas do); <paramref name="StoredBytes"/> each distinct file once, as it lies on disk.</summary>
public sealed record RegistryStats(int Collections, int Containers, int Images, long Bytes, long StoredBytes);

/// <summary>A recently updated container and its newest tags.</summary>
public sealed record RecentContainer(string Entity, string Collection, string Name, DateTime UpdatedAt, IReadOnlyList<string> Tags)
{
    public string Path => $"{Entity}/{Collection}/{Name}";
}

/// <summary>Bytes of one container, for the treemap.</summary>
public sealed record ContainerStorage(string Name, long Bytes);

/// <summary>Bytes of one collection and its containers, for the treemap; <paramref name="StoredBytes"/> counts each distinct file once.</summary>
public sealed record CollectionStorage(string Entity, string Name, bool IsPrivate, List<ContainerStorage> Containers, long StoredBytes)
{
    public string Path => $"{Entity}/{Name}";
    public long Bytes => Containers.Sum(c => c.Bytes);
}

/// <summary>A collection page: the collection, its containers (with tags and images) and the viewer's rights.</summary>
public sealed record CollectionView(Collection Collection, List<Container> Containers, CollectionAccess Access);

/// <summary>The treemap's data: the largest collections, the rest as one count and size, and the stored bytes of everything visible.</summary>
public sealed record StorageOverview(List<CollectionStorage> Largest, int OtherCount, long OtherBytes, long StoredBytes)
{
    public long Bytes => Largest.Sum(c => c.Bytes) + OtherBytes;
}

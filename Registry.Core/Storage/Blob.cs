namespace Registry.Core.Storage;

/// <summary>A stored blob: the database's record of a verified file in the content-addressed store.</summary>
public class Blob
{
    public string Hash { get; set; } = "";
    public long Size { get; set; }
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
}

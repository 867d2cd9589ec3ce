namespace Registry.Core.Uploads;

/// <summary>
/// An upload from the web page in progress. Kept in the database, with its staged bytes kept at start-up while it is live,
/// so an upload cut off by a server restart resumes where it stopped.
/// </summary>
public class BrowserUpload
{
    public string Id { get; set; } = Ids.New();
    public string UserId { get; set; } = "";
    public string CollectionId { get; set; } = "";
    public string Entity { get; set; } = "";
    public string Collection { get; set; } = "";
    public string Container { get; set; } = "";
    public string Tag { get; set; } = "";
    public string Description { get; set; } = "";
    /// <summary>The <see cref="Storage.BlobUpload"/> holding the bytes so far.</summary>
    public string StagingId { get; set; } = "";
    public long Size { get; set; }
    /// <summary>Bytes confirmed so far, as recorded; never trusted beyond the staged length (see <see cref="BrowserUploadService"/>).</summary>
    public long Received { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Moved forward by every chunk; past it the upload is gone and housekeeping removes it with its staged bytes.</summary>
    public DateTime ExpiresAt { get; set; }
}

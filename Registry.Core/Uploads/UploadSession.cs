namespace Registry.Core.Uploads;

public enum UploadKind { Single = 0, Multipart = 1, Browser = 2 }
/// <summary>Open: parts may be written. Received: a single-part file arrived and matched the image's hash. Completing: one
/// completion publishes it (others wait). Completed and Aborted are final.</summary>
public enum UploadState { Open = 0, Received = 1, Completed = 2, Aborted = 3, Completing = 4 }

/// <summary>
/// An upload in progress for one image. Its bytes are only staged (<see cref="StagingId"/>, a <see cref="Storage.BlobUpload"/>) until completion publishes them.
/// A single-part upload has one part, number 0, for the whole file; each part's URL carries its own secret, of which
/// only the hash is stored.
/// </summary>
public class UploadSession
{
    public string Id { get; set; } = Ids.New();
    public string ImageId { get; set; } = "";
    public string UserId { get; set; } = "";
    public UploadKind Kind { get; set; }
    public UploadState State { get; set; }
    public long Size { get; set; }
    public long PartSize { get; set; }
    public int TotalParts { get; set; }
    public string StagingId { get; set; } = "";
    public DateTime CreatedAt { get; set; } = DateTime.UtcNow;
    public DateTime ExpiresAt { get; set; }
    public List<UploadPart> Parts { get; set; } = [];
}

public class UploadPart
{
    public string SessionId { get; set; } = "";
    public int PartNumber { get; set; }
    public long Size { get; set; }
    /// <summary>Hex sha256 the client announced for this part; empty = not announced.</summary>
    public string Sha256 { get; set; } = "";
    public string SecretHash { get; set; } = "";
    public bool Received { get; set; }
    public string ETag { get; set; } = "";
    /// <summary>The request writing this part now (see <see cref="WriterLease"/>); null when none is.</summary>
    public string? Writer { get; set; }
}

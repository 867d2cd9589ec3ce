namespace Registry.Core.Uploads;

public enum UploadKind { Single = 0, Multipart = 1, Browser = 2 }
public enum UploadState { Open = 0, Received = 1, Completed = 2, Aborted = 3 }

/// <summary>An upload in progress for one image. The upload URL carries <c>{Id}.{secret}</c>; only the secret's hash is stored.</summary>
public class UploadSession
{
    public string Id { get; set; } = Ids.New();
    public string ImageId { get; set; } = "";
    public string UserId { get; set; } = "";
    public UploadKind Kind { get; set; }
    public UploadState State { get; set; }
    public string SecretHash { get; set; } = "";
    public long Size { get; set; }
    public long PartSize { get; set; }
    public int TotalParts { get; set; }
    public string TempPath { get; set; } = "";
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
}

namespace Registry.Core.Uploads;

/// <summary>A capability to PUT bytes: the session (and part) it is for and the secret that proves it.</summary>
public sealed record UploadTicket(string SessionId, int PartNumber, string Secret, long PartSize, int TotalParts);

/// <summary>What the push completion reports to the client.</summary>
public sealed record UploadCompletion(long QuotaUsage, long QuotaTotal, string ContainerPath);

namespace Registry.Core;

/// <summary>Settings of the registry, section <c>Registry</c> in appsettings.json (env <c>Registry__Name</c>).</summary>
public sealed class RegistryOptions
{
    public const string SectionName = "Registry";

    /// <summary>Folder holding the SQLite database and every image byte. Relative paths are resolved against the working directory.</summary>
    public string DataPath { get; set; } = "./data";

    /// <summary>Display name of this registry, shown in the web UI and reported by <c>/version</c>.</summary>
    public string Name { get; set; } = "Registry";

    /// <summary>Contact shown on the home page (an e-mail address or URL).</summary>
    public string Contact { get; set; } = "";

    /// <summary>Entity used for one- and two-component refs (<c>library://x</c>, <c>library://c/x</c>).</summary>
    public string DefaultEntity { get; set; } = "default";

    /// <summary>Collection used for one-component refs.</summary>
    public string DefaultCollection { get; set; } = "default";

    /// <summary>Public base URL (scheme://host:port) used in upload and download URLs; empty = taken from each request.</summary>
    public string PublicUrl { get; set; } = "";

    /// <summary>Part size offered to clients for multipart uploads, in bytes. Each part costs a presign call and a request;
    /// the client streams parts (it never holds one in memory), so large parts are cheap for it.</summary>
    public long MultipartPartSize { get; set; } = 256L * 1024 * 1024;

    /// <summary>Whether clients are asked to send each multipart part's SHA-256 (the protocol's <c>s3compliant</c> option),
    /// which the server then checks as the part arrives. Off, a corrupted part is still caught before anything becomes
    /// visible (the whole file must hash to the image's SHA-256), only later; client and server each save a hash pass.</summary>
    public bool PartChecksums { get; set; }

    /// <summary>Whether multipart uploads are offered at all (false: clients fall back to one PUT).</summary>
    public bool MultipartEnabled { get; set; } = true;

    /// <summary>How long an upload URL handed to a client stays valid (gc keeps unreferenced blobs at least this long).</summary>
    public TimeSpan UploadUrlLifetime { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How long a signed download URL (the target of a pull's 303) stays valid.</summary>
    public TimeSpan DownloadUrlLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Storage quota per entity in bytes reported to clients and enforced at push; 0 = unlimited.</summary>
    public long DefaultQuotaBytes { get; set; }

    /// <summary>Whether ordinary users may create collections (in their own entity and their teams'); admins always can.</summary>
    public bool UserCollections { get; set; } = true;

    /// <summary>New collections are private unless their creator asks otherwise.</summary>
    public bool DefaultPrivate { get; set; }

    /// <summary>No collection may be public: new ones are private whatever is asked, making one public is refused, and public ones left from before are made private at start-up.</summary>
    public bool PrivateOnly { get; set; }

    /// <summary>New collections accept only images with a signature verified against this registry's keyserver (owners can change it per collection).</summary>
    public bool DefaultOnlySigned { get; set; }

    /// <summary>Most collections one entity (a user's own, or a team's) may hold when a non-admin creates one; 0 = unlimited.</summary>
    public int MaxCollectionsPerUser { get; set; }

    /// <summary>How often the server runs <c>admin gc</c> by itself; 0 = never (run it by hand or from cron). On several nodes
    /// one node at a time runs it (the others skip that round).</summary>
    public TimeSpan GcInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Which database holds the registry's rows: <c>Sqlite</c> (a file in the data folder, the default) or
    /// <c>PostgreSql</c> (<see cref="DatabaseConnection"/>; several nodes can share it).</summary>
    public DatabaseProvider Database { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>The PostgreSQL connection string (<c>Host=db;Database=registry;Username=registry;Password=…</c>); the
    /// database must exist, its tables are made by the migrations at start-up. Unused with SQLite.</summary>
    public string DatabaseConnection { get; set; } = "";

    /// <summary>Touched by the admin CLI after it writes, watched by the server (its read caches).</summary>
    public string WriteSignalFile => Path.Combine(DataRoot, "cli-writes.signal");

    /// <summary>Resolved absolute data folder.</summary>
    public string DataRoot => Path.GetFullPath(DataPath);
}

public enum DatabaseProvider { Sqlite, PostgreSql }

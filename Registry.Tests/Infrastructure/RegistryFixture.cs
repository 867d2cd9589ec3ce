using System.Security.Cryptography;

namespace Registry.Tests.Infrastructure;

/// <summary>
/// Shared by all end-to-end tests: one running registry server process, one build of the Go
/// library-client driver, and a scratch directory for SIF files (the browser tests add a browser).
/// </summary>
public class RegistryFixture : IAsyncLifetime
{
    private RegistryServer? _server;

    public RegistryServer Server => _server ?? throw new InvalidOperationException("server not started");

    /// <summary>Scratch directory, deleted at the end of the run.</summary>
    public string WorkDir { get; }

    public SifFiles Sif { get; }

    public RegistryFixture() : this("registry-e2e-work-") { }

    protected RegistryFixture(string workDirPrefix)
    {
        WorkDir = Directory.CreateTempSubdirectory(workDirPrefix).FullName;
        Sif = new SifFiles(Path.Combine(WorkDir, "sif"));
    }

    public virtual async Task InitializeAsync()
    {
        // Build the driver and start the server concurrently.
        var build = GoDriver.GetBinaryAsync();
        _server = await RegistryServer.StartAsync();
        await build;
    }

    public virtual async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        try { Directory.Delete(WorkDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Runs the library-client driver against the server, with a token when given.</summary>
    public Task<ProcessResult> LibAsync(string? token, params string[] args) => GoDriver.RunAgainstAsync(Server.BaseUrl, token, args);

    /// <summary>A fresh path in the scratch directory.</summary>
    public string NewPath(string suffix = ".sif") => Path.Combine(WorkDir, Guid.NewGuid().ToString("N") + suffix);

    /// <summary>A unique lowercase name valid as entity/collection/container/user name, e.g. <c>alice-3f9a0c1d</c>.</summary>
    public static string Unique(string prefix) => $"{prefix}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    /// <summary>Creates a user with a unique name (its entity has the same name) and mints a token.</summary>
    public Task<TestUser> NewUserAsync(string prefix, bool admin = false) => Server.NewUserAsync(Unique(prefix), admin);
}

[CollectionDefinition(Name)]
public sealed class EndToEndCollection : ICollectionFixture<RegistryFixture>
{
    public const string Name = "EndToEnd";
}

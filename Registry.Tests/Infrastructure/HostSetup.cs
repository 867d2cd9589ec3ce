using Microsoft.Extensions.DependencyInjection;
using Registry.Core;

namespace Registry.Tests.Infrastructure;

/// <summary>
/// What a test changes about a registry host, on top of the test defaults: settings by configuration key
/// (<c>["Registry:PrivateOnly"] = "true"</c>), services replaced after Program registered its own (in-process host
/// only), the database provider, and a data folder the test owns and keeps (to start the registry again on the same bytes).
/// </summary>
public sealed class HostSetup
{
    private readonly Dictionary<string, string?> _settings = [];

    /// <summary>Sets one setting; a null value removes the key from a process host's environment.</summary>
    public string? this[string key]
    {
        get => _settings[key];
        set => _settings[key] = value;
    }

    public IReadOnlyDictionary<string, string?> Settings => _settings;

    /// <summary>Replaces or adds services after the application's own registrations.</summary>
    public Action<IServiceCollection>? Services { get; init; }

    /// <summary>A data folder the test owns and keeps; default a fresh one deleted with the host.</summary>
    public string? DataPath { get; init; }

    /// <summary>The database provider; PostgreSQL gets a fresh database of its own on the run's <see cref="PostgresServer"/>.</summary>
    public DatabaseProvider? Database { get; init; }

    /// <summary>These options plus <paramref name="more"/>'s settings (which win), services and data folder.</summary>
    public HostSetup With(HostSetup? more)
    {
        var merged = new HostSetup { Services = Services + more?.Services, DataPath = more?.DataPath ?? DataPath, Database = more?.Database ?? Database };
        foreach (var (key, value) in _settings.Concat(more?._settings ?? [])) merged[key] = value;
        return merged;
    }

    /// <summary>The settings as environment variables (<c>Section__Key</c>), for a host in a child process.</summary>
    public IEnumerable<KeyValuePair<string, string?>> AsEnvironment() =>
        _settings.Select(s => KeyValuePair.Create(s.Key.Replace(":", "__"), s.Value));
}

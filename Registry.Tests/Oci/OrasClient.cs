using Registry.Tests.Infrastructure;

namespace Registry.Tests.Oci;

/// <summary>
/// The project's Go client in Oci/orasclient (what apptainer's <c>internal/pkg/client/oras</c> does, on oras-go's auth
/// client): built once per test run, run with its flags, its <c>key=value</c> output read into a dictionary.
/// </summary>
public static class OrasClient
{
    private static readonly Lazy<Task<string>> Binary = new(() => GoDriver.BuildAsync(Path.Combine("Oci", "orasclient"), "orasclient"),
        LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Builds the client now (a fixture starting servers meanwhile saves the wait).</summary>
    public static Task<string> BuildAsync() => Binary.Value;

    /// <summary>Runs the client with <paramref name="args"/> (and <paramref name="environment"/>, e.g. <c>SSL_CERT_FILE</c>).</summary>
    public static async Task<(ProcessResult Result, Dictionary<string, string> Values)> RunAsync(IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var result = await ProcessRunner.RunAsync(await Binary.Value, [.. args], environment, timeout: TimeSpan.FromMinutes(3));
        var values = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        return (result, values);
    }
}

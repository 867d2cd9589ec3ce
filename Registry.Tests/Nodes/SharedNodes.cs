using Registry.Core;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Nodes;

/// <summary>
/// Registry nodes (real server processes) on one PostgreSQL database and one data folder, started at once with the same
/// settings; disposing stops them and drops the database and the folder.
/// </summary>
public sealed class SharedNodes : IAsyncDisposable
{
    private SharedNodes(List<RegistryServer> nodes, string database, string dataPath) => (Nodes, Database, DataPath) = (nodes, database, dataPath);

    public IReadOnlyList<RegistryServer> Nodes { get; }
    /// <summary>The connection string of the nodes' database.</summary>
    public string Database { get; }
    public string DataPath { get; }

    public RegistryServer this[int node] => Nodes[node];

    public static async Task<SharedNodes> StartAsync(int count, HostSetup? settings = null)
    {
        var database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        var data = Directory.CreateTempSubdirectory("registry-nodes-").FullName;
        var setup = new HostSetup { DataPath = data, ["Registry:Database"] = nameof(DatabaseProvider.PostgreSql), ["Registry:DatabaseConnection"] = database }
            .With(settings);
        var starting = Enumerable.Range(0, count).Select(_ => RegistryServer.StartAsync(setup)).ToList();
        try { return new SharedNodes([.. await Task.WhenAll(starting)], database, data); }
        catch
        {
            foreach (var node in starting.Where(s => s.IsCompletedSuccessfully)) await node.Result.DisposeAsync();
            await Cleanup(database, data);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes) await node.DisposeAsync();
        await Cleanup(Database, DataPath);
    }

    private static async Task Cleanup(string database, string data)
    {
        await (await PostgresServer.GetAsync()).DropDatabaseAsync(database);
        try { Directory.Delete(data, recursive: true); } catch (IOException) { }
    }
}

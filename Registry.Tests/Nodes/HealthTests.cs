using System.Net;
using Microsoft.Data.Sqlite;
using Registry.Tests.Infrastructure;

namespace Registry.Tests.Nodes;

/// <summary>
/// The load balancer's probes on a real server process: liveness never looks at the database or disk, readiness goes
/// red with its reason when the data folder stops taking new files or the database
/// lacks a migration, and green again once that is over; neither is rate-limited.
/// </summary>
[Collection(NodesCollection.Name)]
public sealed class HealthTests
{
    [Fact]
    public async Task Readiness_goes_red_while_the_data_folder_takes_no_new_file_and_green_again()
    {
        await using var server = await RegistryServer.StartAsync();
        (await ReadyAsync(server)).Status.ShouldBe(HttpStatusCode.OK);

        // Immutable: not even root creates a file in it (as a read-only mount would, which the server's open files forbid).
        (await ProcessRunner.RunAsync("chattr", ["+i", server.DataPath])).ExitCode.ShouldBe(0);
        try
        {
            var (status, body) = await ReadyAsync(server);
            status.ShouldBe(HttpStatusCode.ServiceUnavailable);
            body.ShouldContain("\"status\":\"not ready\"");
            body.ShouldContain("data folder");
            (await server.Http.GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK); // alive: route around it, don't restart it
        }
        finally
        {
            (await ProcessRunner.RunAsync("chattr", ["-i", server.DataPath])).ExitCode.ShouldBe(0);
        }
        (await ReadyAsync(server)).Status.ShouldBe(HttpStatusCode.OK);
        Directory.GetFiles(server.DataPath, ".ready-probe-*").ShouldBeEmpty();
    }

    [Fact]
    public async Task Readiness_goes_red_while_a_migration_is_missing_and_green_again()
    {
        await using var server = await RegistryServer.StartAsync();
        (await ReadyAsync(server)).Status.ShouldBe(HttpStatusCode.OK);
        var last = Sql(server.DataPath, "SELECT MigrationId FROM __EFMigrationsHistory ORDER BY MigrationId DESC LIMIT 1");
        var version = Sql(server.DataPath, $"SELECT ProductVersion FROM __EFMigrationsHistory WHERE MigrationId = '{last}'");

        Sql(server.DataPath, $"DELETE FROM __EFMigrationsHistory WHERE MigrationId = '{last}'");
        var (status, body) = await ReadyAsync(server);
        status.ShouldBe(HttpStatusCode.ServiceUnavailable);
        body.ShouldContain("migrations not applied");
        body.ShouldContain(last);

        Sql(server.DataPath, $"INSERT INTO __EFMigrationsHistory (MigrationId, ProductVersion) VALUES ('{last}', '{version}')");
        (await ReadyAsync(server)).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Probes_are_anonymous_and_never_rate_limited()
    {
        var setup = new HostSetup { ["RateLimits:AnonymousPerAddressPerMinute"] = "2" };
        await using var server = await RegistryServer.StartAsync(setup);
        var probes = Enumerable.Range(0, 200).Select(i => server.Http.GetAsync(i % 2 == 0 ? "/readyz" : "/healthz"));
        var answers = await Task.WhenAll(probes);
        answers.Select(a => a.StatusCode).Distinct().ShouldBe([HttpStatusCode.OK]);
        (await server.Http.GetStringAsync("/healthz")).ShouldBe("ok\n");
        // The limit itself is on: the API is refused after two anonymous calls.
        var api = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => server.Http.GetAsync("/v1/entities/nobody")));
        api.ShouldContain(a => a.StatusCode == HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task An_http_1_0_check_without_a_host_header_is_answered()
    {
        await using var server = await RegistryServer.StartAsync();
        var uri = new Uri(server.BaseUrl);
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync("GET /readyz HTTP/1.0\r\n\r\n"u8.ToArray());
        var answer = await new StreamReader(stream).ReadToEndAsync();
        answer.ShouldStartWith("HTTP/1.1 200");
        answer.ShouldContain("\"status\":\"ready\"");
    }

    private static async Task<(HttpStatusCode Status, string Body)> ReadyAsync(RegistryServer server)
    {
        using var response = await server.Http.GetAsync("/readyz");
        response.Headers.CacheControl?.NoStore.ShouldBeTrue();
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string Sql(string dataPath, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(dataPath, "registry.db")};Pooling=False;Default Timeout=10");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql; // one statement: ExecuteScalar answers the first one's row
        return command.ExecuteScalar()?.ToString() ?? "";
    }
}

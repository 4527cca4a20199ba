using System.Text.Json;
using CompanyOs.Configuration;
using CompanyOs.Events;
using CompanyOs.Events.Sqlite;
using CompanyOs.Server.Agents;
using CompanyOs.Server.Hosting;
using CompanyOs.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CompanyOs.Server.Tests.Agents;

/// <summary>
/// A gateway-only server (no agent definitions, prompts or tools, an empty SQLite run store) builds the agent runtime on the
/// first request of the agent API instead of at start-up; a server whose store holds runs builds it at start-up (to take
/// them over), and a run store that cannot be opened still fails start-up.
/// </summary>
public sealed class DeferredRuntimeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_gateway_only_server_builds_the_agent_runtime_on_the_first_agent_request_once()
    {
        var root = GatewayOnlyRoot();
        await using var server = await GatewayServer.StartAsync(Arguments(root), null, Ct);
        var runs = server.Services.GetRequiredService<AgentRuns>();
        Assert.True(runs.IsDeferred);
        // The store was opened and checked at start-up (and created: an empty store).
        Assert.True(File.Exists(Path.Combine(root, "data", "runs.db")));

        using var http = AgentHttp.Client(server.BaseUri, await AgentHttp.KeyAsync(server, "acme"));
        var lists = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => http.GetJsonAsync("v1/runs")));
        Assert.All(lists, list => Assert.Empty(list.GetProperty("data").EnumerateArray()));
        Assert.False(runs.IsDeferred);
        Assert.NotNull(runs.Scheduler);
        Assert.Empty((await http.GetJsonAsync("v1/prompts")).GetProperty("data").EnumerateArray());

        // The runtime answers as a gateway-only runtime built at start-up did: no agent types.
        using var start = await http.PostAsync("v1/runs", """{"agent":"writer","task":"t"}""");
        Assert.Equal("agent", (await start.JsonAsync(404)).GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task A_build_on_first_use_that_fails_answers_that_request_with_an_error_and_the_next_request_builds_anew()
    {
        var root = GatewayOnlyRoot();
        await using var server = await GatewayServer.StartAsync(Arguments(root), null, Ct);
        var runs = server.Services.GetRequiredService<AgentRuns>();
        Assert.True(runs.IsDeferred);
        using var http = AgentHttp.Client(server.BaseUri, await AgentHttp.KeyAsync(server, "acme"));

        // The store's directory replaced by a file after start-up: the build cannot open the store.
        var data = Path.Combine(root, "data");
        Directory.Delete(data, recursive: true);
        File.WriteAllText(data, "not a directory");
        using (var failed = await http.GetAsync(new Uri("v1/runs", UriKind.Relative), Ct))
        {
            Assert.Equal(500, (int)failed.StatusCode);
        }

        Assert.True(runs.IsDeferred);
        File.Delete(data);
        Assert.Empty((await http.GetJsonAsync("v1/runs")).GetProperty("data").EnumerateArray());
        Assert.False(runs.IsDeferred);
    }

    [Fact]
    public async Task A_gateway_only_server_whose_run_store_holds_events_builds_the_runtime_at_start_up()
    {
        var root = GatewayOnlyRoot();
        var file = Path.Combine(root, "data", "runs.db");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await using (var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { DatabasePath = file }, cancellationToken: Ct))
        {
            using var data = JsonDocument.Parse("{}");
            await store.AppendAsync("run-left-behind", ExpectedVersion.Any, [new EventData(Guid.NewGuid(), "test", data.RootElement.Clone(), new EventMetadata())], Ct);
        }

        await using var server = await GatewayServer.StartAsync(Arguments(root), null, Ct);
        var runs = server.Services.GetRequiredService<AgentRuns>();

        Assert.False(runs.IsDeferred);
        Assert.NotNull(runs.Scheduler); // started, and looking for runs to take over
        Assert.True(runs.WhenReadyAsync().IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_gateway_only_server_whose_run_store_cannot_be_opened_fails_start_up_naming_the_setting()
    {
        var root = GatewayOnlyRoot();
        File.WriteAllText(Path.Combine(root, "not-a-directory"), "x");

        var e = await Assert.ThrowsAsync<ConfigurationException>(() => GatewayServer.StartAsync(
            Arguments(root, $"--CompanyOs:Server:RunsDatabase={Path.Combine(root, "not-a-directory", "runs.db")}"), null, Ct));

        Assert.Contains("runs_database", e.Message, StringComparison.Ordinal);
    }

    private static string GatewayOnlyRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), "companyos-deferred-runtime-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "config"));
        File.WriteAllText(Path.Combine(root, "config", "llm.yaml"), TestServers.DefaultYaml);
        return root;
    }

    private static string[] Arguments(string root, params string[] extra) =>
    [
        "--urls", "http://127.0.0.1:0", "--contentRoot", root, "--config", Path.Combine(root, "config", "llm.yaml"), "--emulator",
        "--keys-db", Path.Combine(root, "keys.db"), "--Logging:LogLevel:Default=None", .. extra,
    ];
}

using CompanyOs.Emulator.Scripting;
using Npgsql;

namespace CompanyOs.Server.Tests.Agents;

/// <summary>
/// The agent API over a PostgreSQL run store (<c>runs_postgres</c>), on the throw-away server scripts/test.sh starts
/// (COMPANYOS_TEST_POSTGRES; missing, the test fails): two servers share the runs, one decides what the other started.
/// </summary>
public sealed class PostgresRunStoreTests
{
    [Fact]
    public async Task Two_servers_over_one_postgres_store_share_runs_decisions_and_event_streams()
    {
        var connection = Environment.GetEnvironmentVariable("COMPANYOS_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("COMPANYOS_TEST_POSTGRES is not set: run ./scripts/test.sh, which starts a throw-away PostgreSQL.");
        var schema = "agentapi_" + Guid.NewGuid().ToString("N");
        try
        {
            var project = new AgentProject();
            string[] postgres = [$"--CompanyOs:Server:RunsPostgres={connection}", $"--CompanyOs:Server:RunsPostgresSchema={schema}"];
            await using var first = await project.StartAsync(postgres);
            await using var second = await project.StartAsync(postgres);
            first.Emulator!.Script.Enqueue(ScriptedTurn.ToolCalls(("read_file", """{"path":"notes.txt"}""")) with { Position = 0 });
            var key = await AgentHttp.KeyAsync(first, "acme");
            using var one = AgentHttp.Client(first.BaseUri, key);
            using var two = AgentHttp.Client(second.BaseUri, key);

            var id = (await one.StartAsync()).GetProperty("id").GetString()!;
            var waiting = await two.WaitForStatusAsync(id, "awaiting_approval");
            Assert.Single((await two.GetJsonAsync("v1/decisions")).GetProperty("data").EnumerateArray());
            Assert.Single((await two.GetJsonAsync("v1/runs")).GetProperty("data").EnumerateArray());
            var callId = waiting.GetProperty("pending")[0].GetProperty("call_id").GetString()!;
            using var approve = await two.PostAsync($"v1/runs/{id}/approvals/{callId}/approve", "{}");
            await approve.JsonAsync(200);

            await one.WaitForStatusAsync(id, "completed");
            var fromOne = await SseClient.ReadAllAsync(one, $"v1/runs/{id}/events");
            var fromTwo = await SseClient.ReadAllAsync(two, $"v1/runs/{id}/events");
            Assert.Equal(fromOne.Select(e => e.Data), fromTwo.Select(e => e.Data));
            Assert.Equal("completed", fromTwo[^1].Json.GetProperty("status").GetString());
        }
        finally
        {
            await using var dataSource = NpgsqlDataSource.Create(connection);
            await using var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
            await drop.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }
    }
}

using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace CompanyOs.Cli.Tests.Commands.Runs;

/// <summary><c>runs</c> lists from the run read model (the <c>run_summaries</c> table next to the events), kept up to date by every listing.</summary>
public sealed class RunsReadModelTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Runs_lists_from_the_projection_in_the_store_file_and_sees_runs_written_since()
    {
        var first = await _cli.Cli("run", "researcher", "Summarise event sourcing");
        var listed = await _cli.Cli("runs", "--json");
        var run = JsonDocument.Parse(listed.Out).RootElement.EnumerateArray().Single();
        Assert.Equal(first.RunId, run.GetProperty("run_id").GetString());
        Assert.True(run.GetProperty("emulated").GetBoolean());
        Assert.Equal(JsonValueKind.String, run.GetProperty("ended_at").ValueKind);
        Assert.Equal([(first.RunId, "completed")], ProjectedRows());

        var second = await _cli.Cli("run", "architect", "Sketch a cache");
        var again = await _cli.Cli("runs", "--json");

        Assert.Equal([second.RunId, first.RunId], JsonDocument.Parse(again.Out).RootElement.EnumerateArray().Select(r => r.GetProperty("run_id").GetString()));
        Assert.Equal([(first.RunId, "completed"), (second.RunId, "completed")], ProjectedRows());
    }

    private List<(string, string)> ProjectedRows()
    {
        var rows = new List<(string, string)>();
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _cli.Database, Pooling = false }.ToString()))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT run_id, status FROM run_summaries ORDER BY start_position";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        return rows;
    }

    [Fact]
    public async Task Runs_rebuild_drops_the_rows_and_projects_every_event_again()
    {
        var run = await _cli.Cli("run", "researcher", "Summarise event sourcing");
        Assert.Equal(ExitCodes.Success, (await _cli.Cli("runs", "--json")).Exit);
        Execute("UPDATE run_summaries SET status = 'failed', total_tokens = -1");

        var rebuilt = await _cli.Cli("runs", "rebuild", "--json");

        Assert.True(rebuilt.Exit == ExitCodes.Success, rebuilt.All);
        using var doc = JsonDocument.Parse(rebuilt.Out);
        Assert.Equal(1, doc.RootElement.GetProperty("runs").GetInt32());
        Assert.True(doc.RootElement.GetProperty("checkpoint").GetInt64() > 0);
        Assert.Equal([(run.RunId, "completed")], ProjectedRows());
        var listed = JsonDocument.Parse((await _cli.Cli("runs", "--json")).Out).RootElement.EnumerateArray().Single();
        Assert.True(listed.GetProperty("total_tokens").GetInt64() > 0);
    }

    [Fact]
    public async Task Runs_rebuild_without_a_store_is_exit_2()
    {
        var rebuilt = await _cli.Cli("runs", "rebuild");

        Assert.Equal(ExitCodes.BadInput, rebuilt.Exit);
        Assert.Contains("no event store at", rebuilt.Err, StringComparison.Ordinal);
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _cli.Database, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

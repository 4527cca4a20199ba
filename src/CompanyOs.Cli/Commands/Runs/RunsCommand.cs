using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using CompanyOs.Agents.Approvals;
using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Runs;
using CompanyOs.Cli.Errors;
using CompanyOs.Cli.Hosting;
using CompanyOs.Cli.Runs;
using Spectre.Console;

namespace CompanyOs.Cli.Commands.Runs;

/// <summary><c>companyos runs</c> (list), <c>runs show &lt;run-id&gt;</c> and its alias <c>trace &lt;run-id&gt;</c>: read the event store only, no model needed.</summary>
internal static class RunsCommand
{
    public static Command Create(CliEnvironment environment)
    {
        var org = new Option<string?>("--org") { Description = "Only runs of this organisation." };
        var (db, json) = (DatabaseOption(), JsonOption("One JSON array of runs."));
        var command = new Command("runs", "List the runs in the event store: status, agent, iterations, tokens, cost, pending decisions.") { org, db, json };
        command.Subcommands.Add(Show("show", environment));
        command.SetAction((parse, ct) => CommandBoundary.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            var path = CompanyOsPaths.ResolveDatabase(parse.GetValue(db), environment);
            var output = parse.InvocationConfiguration.Output;
            EventStoreFile.RejectDirectory(path);
            if (!File.Exists(path))
            {
                await (parse.GetValue(json) ? output.WriteLineAsync("[]") : parse.InvocationConfiguration.Error.WriteLineAsync($"no runs yet: {path} does not exist.")).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            await using var reader = await RunReader.OpenAsync(path, ct).ConfigureAwait(false);
            var runs = await reader.ListAsync(parse.GetValue(org), ct).ConfigureAwait(false);
            var interrupted = new HashSet<string>(StringComparer.Ordinal);
            foreach (var run in runs)
            {
                if (await reader.IsInterruptedAsync(run, ct).ConfigureAwait(false))
                {
                    interrupted.Add(run.RunId);
                }
            }

            var settings = new RunOutputSettings([], path, ConfigFileLocator.Locate(null, environment.WorkingDirectory));
            if (parse.GetValue(json))
            {
                var array = new JsonArray([.. runs.Select(r => (JsonNode?)WithInterruption(WithPending(RunJson.Summary(r), r), r, interrupted.Contains(r.RunId), settings))]);
                await output.WriteLineAsync(array.ToJsonString(RunJson.Options)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var console = CliConsole.Create(output, environment);
            WriteTable(console, runs, path, interrupted);
            foreach (var run in runs.Where(r => interrupted.Contains(r.RunId)))
            {
                console.WriteLine($"{run.RunId} was interrupted (no live driver); continue it with: {ResumeCommand(run, settings)}");
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary><c>show &lt;run-id&gt;</c> (under <c>runs</c>) or <c>trace &lt;run-id&gt;</c> (top level): every step of one run.</summary>
    public static Command Show(string name, CliEnvironment environment)
    {
        var runId = new Argument<string>("run-id") { Description = "The run (see `companyos runs`)." };
        var (db, json) = (DatabaseOption(), JsonOption("One JSON object: the run's summary, its steps with event data, and pending decisions."));
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show each tool's whole output under its step (without it: a one-line preview)." };
        var command = new Command(name, "Show every recorded step of a run, its state and what it waits for.") { runId, db, json, verbose };
        command.SetAction((parse, ct) => CommandBoundary.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            var path = CompanyOsPaths.ResolveDatabase(parse.GetValue(db), environment);
            RunLookup.RequireDatabase(path);
            var id = RunLookup.CheckRunId(parse.GetValue(runId));
            await using var reader = await RunReader.OpenAsync(path, ct).ConfigureAwait(false);
            var (state, steps) = await reader.ReadAsync(id, ct).ConfigureAwait(false);
            if (state.Status == RunStatus.None)
            {
                throw new CliUsageException($"unknown run '{id}' in {path}. List runs with: companyos runs");
            }

            var pending = PendingApprovals.From(state, TimeProvider.System.GetUtcNow());
            var settings = new RunOutputSettings([], path, ConfigFileLocator.Locate(null, environment.WorkingDirectory));
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                var doc = RunJson.Summary(state);
                doc["steps"] = new JsonArray([.. steps.Select(s => (JsonNode?)new JsonObject
                {
                    ["version"] = s.Version,
                    ["event"] = RunEventCodec.TypeName(s.Event),
                    ["at"] = s.At,
                    ["summary"] = s.Summary,
                    ["data"] = JsonNode.Parse(RunEventCodec.Serialize(s.Event).GetRawText()),
                })]);
                doc["pending"] = RunJson.Pending(pending, settings.CommandArguments(state));
                WithInterruption(doc, state, await reader.IsInterruptedAsync(state, ct).ConfigureAwait(false), settings);
                await output.WriteLineAsync(doc.ToJsonString(RunJson.Options)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var console = CliConsole.Create(output, environment);
            var human = new HumanRunOutput(console, output, settings with { Verbose = parse.GetValue(verbose) });
            foreach (var step in steps)
            {
                await human.WriteStepAsync(step, ct).ConfigureAwait(false);
            }

            if (await reader.IsInterruptedAsync(state, ct).ConfigureAwait(false))
            {
                console.MarkupLine("[yellow]interrupted (no live driver):[/] no process drives this run any more; continue it with:");
                console.WriteLine($"  {ResumeCommand(state, settings)}");
            }

            await human.WriteResultAsync(new Agents.Runtime.AgentRunResult(state, pending), listPending: true).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static JsonObject WithPending(JsonObject summary, RunState state)
    {
        summary["pending"] = PendingCount(state);
        return summary;
    }

    private static JsonObject WithInterruption(JsonObject summary, RunState state, bool isInterrupted, RunOutputSettings settings)
    {
        summary["interrupted"] = isInterrupted;
        if (isInterrupted)
        {
            summary["resume_command"] = ResumeCommand(state, settings);
        }

        return summary;
    }

    private static string ResumeCommand(RunState state, RunOutputSettings settings) =>
        $"companyos resume {ShellText.Quote(state.RunId)}{settings.CommandArguments(state)}";

    // An ended run (e.g. cancelled while waiting) has nothing left to decide.
    private static int PendingCount(RunState state) => state.Status.IsTerminal() ? 0 : state.WaitingCalls.Count();

    private static void WriteTable(IAnsiConsole console, IReadOnlyList<RunState> runs, string path, HashSet<string> interrupted)
    {
        if (runs.Count == 0)
        {
            console.WriteLine($"no runs in {path}.");
            return;
        }

        var table = new Table().AddColumns("run", "agent", "status", "org", "iterations", "tokens", "cost $", "pending", "started", "task");
        foreach (var r in runs)
        {
            table.AddRow(
                [.. new[]
                {
                    r.RunId, r.Start?.AgentType ?? "?", interrupted.Contains(r.RunId) ? "interrupted (no live driver)" : r.Status.ToWireName(), r.OrgId ?? "-", r.Iterations.ToString(CultureInfo.InvariantCulture),
                    r.TotalTokens.ToString(CultureInfo.InvariantCulture),
                    r.CostUsd.ToString("0.######", CultureInfo.InvariantCulture) + (r.CostIncomplete ? "+" : string.Empty),
                    PendingCount(r).ToString(CultureInfo.InvariantCulture),
                    r.StartedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    ShellText.OneLine(r.Start?.Task ?? string.Empty, 60),
                }.Select(v => (Spectre.Console.Rendering.IRenderable)new Text(v))]);
        }

        console.Write(table);
    }

    private static Option<string?> DatabaseOption() => new("--db")
    {
        Description = $"SQLite event store file (default: ${CompanyOsPaths.DatabaseVariable}, else {CompanyOsPaths.DefaultDatabase} under the current directory).",
    };

    private static Option<bool> JsonOption(string description) => new("--json") { Description = description };
}

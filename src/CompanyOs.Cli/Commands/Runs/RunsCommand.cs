using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using CompanyOs.Agents.Approvals;
using CompanyOs.Agents.Journal;
using CompanyOs.Agents.ReadModel;
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
        var status = new Option<string?>("--status") { Description = $"Only runs with this status ({string.Join(", ", StatusNames)})." };
        var agent = new Option<string?>("--agent") { Description = "Only runs of this agent type." };
        var limit = new Option<int?>("--limit", "-n") { Description = "At most this many runs (the newest)." };
        var (db, json) = (DatabaseOption(), JsonOption("One JSON array of runs."));
        var command = new Command("runs", "List the runs in the event store: status, agent, iterations, tokens, cost, pending decisions.") { org, status, agent, limit, db, json };
        command.Subcommands.Add(Show("show", environment));
        command.Subcommands.Add(Rebuild(environment));
        command.SetAction((parse, ct) => CommandBoundary.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            var wanted = parse.GetValue(status)?.Trim().ToLowerInvariant();
            if (wanted is not null && !StatusNames.Contains(wanted))
            {
                throw new CliUsageException($"--status '{parse.GetValue(status)}' is not a run status; expected one of {string.Join(", ", StatusNames)}.");
            }

            if (parse.GetValue(limit) is < 1)
            {
                throw new CliUsageException($"--limit {parse.GetValue(limit)} must be at least 1.");
            }

            var path = CompanyOsPaths.ResolveDatabase(parse.GetValue(db), environment);
            var output = parse.InvocationConfiguration.Output;
            EventStoreFile.RejectDirectory(path);
            if (!File.Exists(path))
            {
                await (parse.GetValue(json) ? output.WriteLineAsync("[]") : parse.InvocationConfiguration.Error.WriteLineAsync($"no runs yet: {path} does not exist.")).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            await using var reader = await RunReader.OpenAsync(path, ct).ConfigureAwait(false);
            RunStatus? stored = wanted is null ? null : wanted == Interrupted ? RunStatus.Running : RunStatusExtensions.TryParseWireName(wanted, out var s) ? s : null;
            var interrupted = new HashSet<string>(StringComparer.Ordinal);
            var runs = await reader.ListSummariesAsync(parse.GetValue(org), stored, parse.GetValue(agent), parse.GetValue(limit), async run =>
            {
                if (await reader.IsInterruptedAsync(run.RunId, run.Status, ct).ConfigureAwait(false))
                {
                    interrupted.Add(run.RunId);
                }

                return wanted != Interrupted || interrupted.Contains(run.RunId);
            }, ct).ConfigureAwait(false);

            // Only an interrupted run is read back from its stream: its resume command names the configuration it started with.
            var resume = new Dictionary<string, string>(StringComparer.Ordinal);
            var settings = new RunOutputSettings([], path, ConfigFileLocator.Locate(null, environment.WorkingDirectory));
            foreach (var run in runs.Where(r => interrupted.Contains(r.RunId)))
            {
                resume[run.RunId] = ResumeCommand((await reader.ReadAsync(run.RunId, ct).ConfigureAwait(false)).State, settings);
            }

            if (parse.GetValue(json))
            {
                var array = new JsonArray([.. runs.Select(r => (JsonNode?)WithInterruption(SummaryJson(r), resume.GetValueOrDefault(r.RunId)))]);
                await output.WriteLineAsync(array.ToJsonString(RunJson.Options)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var console = CliConsole.Create(output, environment);
            WriteTable(console, runs, path, interrupted);
            foreach (var (id, command) in resume)
            {
                // Written past the table's layout: a command must stay on one line to be copied.
                await output.WriteLineAsync($"{id} was interrupted (no live driver); continue it with: {command}").ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary><c>runs rebuild</c>: drops the run read model of the store and projects every event again.</summary>
    private static Command Rebuild(CliEnvironment environment)
    {
        var (db, json) = (DatabaseOption(), JsonOption("One JSON object: runs and checkpoint."));
        var command = new Command("rebuild", "Rebuild the run list (the read model next to the events) from every stored event.") { db, json };
        command.SetAction((parse, ct) => CommandBoundary.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            var path = CompanyOsPaths.ResolveDatabase(parse.GetValue(db), environment);
            RunLookup.RequireDatabase(path);
            await using var reader = await RunReader.OpenAsync(path, ct).ConfigureAwait(false);
            var checkpoint = await reader.Catalog.RebuildAsync(ct).ConfigureAwait(false);
            var runs = (await reader.ListSummariesAsync(null, null, null, null, null, ct).ConfigureAwait(false)).Count;
            var output = parse.InvocationConfiguration.Output;
            await output.WriteLineAsync(parse.GetValue(json)
                ? new JsonObject { ["runs"] = runs, ["checkpoint"] = checkpoint }.ToJsonString(RunJson.Options)
                : $"rebuilt the run list of {path}: {runs} run(s), every event up to position {checkpoint}.").ConfigureAwait(false);
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
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing the run's steps as they are stored (by any process) until it ends; Ctrl+C stops following." };
        var command = new Command(name, "Show every recorded step of a run, its state and what it waits for.") { runId, db, json, verbose, follow };
        command.SetAction((parse, ct) => CommandBoundary.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            if (parse.GetValue(follow) && parse.GetValue(json))
            {
                throw new CliUsageException("--follow is for the human output; for JSON lines of a live run use `run`/`resume --json`.");
            }

            var path = CompanyOsPaths.ResolveDatabase(parse.GetValue(db), environment);
            RunLookup.RequireDatabase(path);
            var typed = RunLookup.CheckRunId(parse.GetValue(runId));
            await using var reader = await RunReader.OpenAsync(path, ct).ConfigureAwait(false);
            var id = await reader.ResolveAsync(typed, ct).ConfigureAwait(false) ?? typed;
            var (state, steps) = await reader.ReadAsync(id, ct).ConfigureAwait(false);
            if (state.Status == RunStatus.None)
            {
                throw new CliUsageException($"unknown run '{id}' in {path}. List runs with: companyos runs");
            }

            IReadOnlyList<PendingApproval> pending = PendingApprovals.From(state, TimeProvider.System.GetUtcNow());
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
                WithInterruption(doc, await reader.IsInterruptedAsync(state, ct).ConfigureAwait(false) ? ResumeCommand(state, settings) : null);
                await output.WriteLineAsync(doc.ToJsonString(RunJson.Options)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var console = CliConsole.Create(output, environment);
            var human = new HumanRunOutput(console, output, settings with { Verbose = parse.GetValue(verbose) });
            foreach (var step in steps)
            {
                await human.WriteStepAsync(step, CancellationToken.None).ConfigureAwait(false);
            }

            if (parse.GetValue(follow))
            {
                (state, pending) = await FollowAsync(reader, human, state, steps.Count > 0 ? steps[^1].Version : -1, ct).ConfigureAwait(false);
            }

            if (await reader.IsInterruptedAsync(state, CancellationToken.None).ConfigureAwait(false))
            {
                console.MarkupLine("[yellow]interrupted (no live driver):[/] no process drives this run any more; continue it with:");
                console.WriteLine($"  {ResumeCommand(state, settings)}");
            }

            await human.WriteResultAsync(new Agents.Runtime.AgentRunResult(state, pending), listPending: true).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Prints steps stored after <paramref name="printed"/> as they come, until the run ends or Ctrl+C; returns the last state read.</summary>
    private static async Task<(RunState State, IReadOnlyList<PendingApproval> Pending)> FollowAsync(
        RunReader reader, HumanRunOutput human, RunState state, long printed, CancellationToken cancellationToken)
    {
        var time = TimeProvider.System;
        try
        {
            while (!state.Status.IsTerminal())
            {
                await Task.Delay(FollowInterval, time, cancellationToken).ConfigureAwait(false);
                var (current, steps) = await reader.ReadAsync(state.RunId, cancellationToken).ConfigureAwait(false);
                foreach (var step in steps.Where(s => s.Version > printed))
                {
                    await human.WriteStepAsync(step, CancellationToken.None).ConfigureAwait(false);
                    printed = step.Version;
                }

                state = current;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C ends the following, not the run: show where it stands.
        }

        return (state, PendingApprovals.From(state, time.GetUtcNow()));
    }

    private static readonly TimeSpan FollowInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>A run of the list as JSON: the read model's summary (<c>runs show</c> has the whole run).</summary>
    private static JsonObject SummaryJson(RunSummary r) => new()
    {
        ["run_id"] = r.RunId,
        ["org_id"] = r.OrgId,
        ["agent_type"] = r.AgentType,
        ["task"] = r.Task,
        ["capability"] = r.Capability,
        ["prompt_name"] = r.PromptName,
        ["prompt_version"] = r.PromptVersion,
        ["status"] = r.Status.ToWireName(),
        ["error"] = r.Error,
        ["iterations"] = r.Iterations,
        ["input_tokens"] = r.InputTokens,
        ["output_tokens"] = r.OutputTokens,
        ["total_tokens"] = r.TotalTokens,
        ["cost_usd"] = r.CostUsd,
        ["cost_incomplete"] = r.CostIncomplete,
        ["emulated"] = r.Emulated,
        ["pending"] = r.PendingCount,
        ["started_at"] = r.CreatedAt,
        ["updated_at"] = r.UpdatedAt,
        ["ended_at"] = r.EndedAt,
    };

    private const string Interrupted = "interrupted";

    // Stored statuses as written in JSON, plus "interrupted" (running, but no process holds the run's lease).
    private static readonly string[] StatusNames =
        [.. Enum.GetValues<RunStatus>().Where(s => s != RunStatus.None).Select(s => s.ToWireName()), Interrupted];

    private static JsonObject WithInterruption(JsonObject summary, string? resumeCommand)
    {
        summary["interrupted"] = resumeCommand is not null;
        if (resumeCommand is not null)
        {
            summary["resume_command"] = resumeCommand;
        }

        return summary;
    }

    private static string ResumeCommand(RunState state, RunOutputSettings settings) =>
        $"companyos resume {ShellText.Quote(state.RunId)}{settings.CommandArguments(state)}";

    private static void WriteTable(IAnsiConsole console, IReadOnlyList<RunSummary> runs, string path, HashSet<string> interrupted)
    {
        if (runs.Count == 0)
        {
            console.WriteLine($"no runs in {path}.");
            return;
        }

        // On a terminal short ids (any unique prefix is accepted wherever a run id is; pipes get whole ids), and on a
        // narrow one the columns that matter least go first, so that each run stays on one line at 80 columns.
        var width = console.Profile.Width;
        var ids = width >= 160 ? runs.ToDictionary(r => r.RunId, r => r.RunId, StringComparer.Ordinal) : ShortIds(runs);
        var columns = new List<(string Name, Func<RunSummary, string> Value)>
        {
            ("run", r => ids[r.RunId]),
            ("agent", r => r.AgentType),
            ("status", r => interrupted.Contains(r.RunId) ? (width < 120 ? "interrupted" : "interrupted (no live driver)") : r.Status.ToWireName()),
        };
        if (width >= 120 || runs.Any(r => r.OrgId is not null))
        {
            columns.Add(("org", r => r.OrgId ?? "-"));
        }

        columns.Add(("iter", r => r.Iterations.ToString(CultureInfo.InvariantCulture)));
        if (width >= 120)
        {
            columns.Add(("tokens", r => r.TotalTokens.ToString(CultureInfo.InvariantCulture)));
        }

        columns.Add(("cost $", r => r.CostUsd.ToString("0.######", CultureInfo.InvariantCulture) + (r.CostIncomplete ? "+" : string.Empty)));
        columns.Add(("wait", r => r.PendingCount.ToString(CultureInfo.InvariantCulture)));
        if (width >= 100)
        {
            columns.Add(("started", r => r.CreatedAt.ToString(width >= 120 ? "yyyy-MM-dd HH:mm:ss" : "MM-dd HH:mm", CultureInfo.InvariantCulture)));
        }

        // Plain columns two spaces apart; the task (last) gets what is left of the line, cut with "…".
        var rows = runs.Select(r => columns.Select(c => c.Value(r)).ToArray()).ToList();
        var widths = columns.Select((c, i) => Math.Max(c.Name.Length, rows.Max(row => row[i].Length))).ToArray();
        var used = widths.Sum() + (2 * columns.Count);
        var taskWidth = Math.Clamp(width - used, 10, 60);
        console.WriteLine(Line(columns.Select(c => c.Name), widths, "task"));
        foreach (var (row, run) in rows.Zip(runs))
        {
            console.WriteLine(Line(row, widths, ShellText.OneLine(run.Task, taskWidth)));
        }
    }

    private static string Line(IEnumerable<string> cells, int[] widths, string task) =>
        string.Concat(cells.Select((c, i) => c.PadRight(widths[i]) + "  ")) + task;

    /// <summary>The shortest prefix of each id, from <c>run_</c> plus 8 characters up, that no other listed run shares.</summary>
    private static Dictionary<string, string> ShortIds(IReadOnlyList<RunSummary> runs)
    {
        var ids = runs.Select(r => r.RunId).Distinct(StringComparer.Ordinal).ToList();
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            var length = Math.Min(id.Length, 12);
            while (length < id.Length && ids.Any(other => other != id && other.StartsWith(id[..length], StringComparison.Ordinal)))
            {
                length++;
            }

            result[id] = id[..length];
        }

        return result;
    }

    private static Option<string?> DatabaseOption() => new("--db")
    {
        Description = $"SQLite event store file (default: ${CompanyOsPaths.DatabaseVariable}, else {CompanyOsPaths.DefaultDatabase} in the nearest folder up from here with .companyos/ or config/llm.yaml, else here).",
    };

    private static Option<bool> JsonOption(string description) => new("--json") { Description = description };
}

using System.Globalization;
using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Steps;
using CompanyOs.Cli.Runs;
using Spectre.Console;

namespace CompanyOs.Cli.Commands.Demo;

/// <summary>After the demo's run: what the trace holds, what it cost by provider and model, and where its events are stored — all read back from the store.</summary>
internal static class DemoReport
{
    public static void Write(IAnsiConsole console, RunState state, IReadOnlyList<AgentStep> steps, RunOutputSettings settings)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(settings);
        var events = steps.Select(s => s.Event).ToList();
        var calls = events.OfType<LlmCallCompleted>().ToList();
        var tools = events.OfType<ToolCallCompleted>().ToList();
        var parallel = state.Turns.Where(t => t.CallIds.Count > 1).Sum(t => t.CallIds.Count);
        var granted = events.OfType<ApprovalGranted>().Count();
        var rejected = events.OfType<ApprovalRejected>().Count();
        var trace = events.OfType<AgentReasoningCompleted>().LastOrDefault()?.Trace ?? [];
        var seconds = (state.UpdatedAt - state.StartedAt).TotalSeconds;

        console.WriteLine();
        console.MarkupLine("[bold]Trace summary[/]");
        console.WriteLine(Invariant($"  {state.Iterations} iteration(s) · {calls.Count} LLM call(s) · {tools.Count} tool call(s) ({tools.Count(t => !t.IsError)} ok, {tools.Count(t => t.IsError)} failed; {parallel} in parallel) · {granted} approval(s) granted, {rejected} rejected · {seconds:0.0} s"));
        if (trace.Count > 0)
        {
            var actions = trace.Select(t => t.ToolName is { } tool ? $"{t.Action} {tool}" : t.Action);
            console.WriteLine($"  trace ({trace.Count} steps): {string.Join(" → ", actions)}");
        }

        console.WriteLine();
        console.MarkupLine("[bold]Cost by provider/model[/]");
        var rows = calls.GroupBy(c => (Provider: c.Provider ?? "?", Model: c.Model ?? "?"))
            .OrderBy(g => g.Key.Provider, StringComparer.Ordinal).ThenBy(g => g.Key.Model, StringComparer.Ordinal)
            .Select(g => Row(g.Key.Provider + (settings.Emulated.Contains(g.Key.Provider) ? " (EMULATED)" : string.Empty), g.Key.Model, g.ToList()))
            .ToList();
        rows.Add(Row("total", string.Empty, calls));
        var header = new[] { "provider", "model", "calls", "input", "output", "cost $" };
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
        console.WriteLine("  " + Format(header, widths));
        foreach (var row in rows)
        {
            console.WriteLine("  " + Format(row, widths));
        }

        console.WriteLine();
        console.MarkupLine("[bold]Where the events are[/]");
        console.WriteLine($"  {steps.Count} events in stream {RunEventCodec.StreamId(state.RunId)} of the SQLite file {settings.Database}");
        console.WriteLine($"  replay them: companyos trace {ShellText.Quote(state.RunId)} --db {ShellText.Quote(settings.Database)}");
    }

    private static string[] Row(string provider, string model, List<LlmCallCompleted> calls)
    {
        var unpriced = calls.Any(c => c.CostUsd is null);
        var cost = calls.Sum(c => c.CostUsd ?? 0m).ToString("0.000000", CultureInfo.InvariantCulture) + (unpriced ? "+ (some unpriced)" : string.Empty);
        return
        [
            provider, model, calls.Count.ToString(CultureInfo.InvariantCulture),
            calls.Sum(c => c.InputTokens).ToString(CultureInfo.InvariantCulture),
            calls.Sum(c => c.OutputTokens).ToString(CultureInfo.InvariantCulture), cost,
        ];
    }

    // Text columns left-aligned, numbers right-aligned.
    private static string Format(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i < 2 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd();

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

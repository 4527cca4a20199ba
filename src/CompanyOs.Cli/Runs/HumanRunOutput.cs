using System.Globalization;
using CompanyOs.Agents.Approvals;
using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Runtime;
using CompanyOs.Agents.Steps;
using Spectre.Console;

namespace CompanyOs.Cli.Runs;

/// <summary>Live steps and the final state as human text (Spectre.Console; every model text and argument is markup-escaped).</summary>
internal sealed class HumanRunOutput(IAnsiConsole console, TextWriter promptWriter, RunOutputSettings settings) : IRunOutput
{
    // The iteration whose text is being streamed on the current line, if any; its stored message is then not repeated.
    private int? _streaming;
    private int? _streamed;

    public TextWriter PromptWriter => promptWriter;

    public ValueTask WriteStepAsync(AgentStep step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (step.Event is ModelOutputDelta delta)
        {
            WriteDelta(step, delta);
            return ValueTask.CompletedTask;
        }

        if (_streaming is not null)
        {
            console.WriteLine();
            _streamed = _streaming;
            _streaming = null;
        }

        if (step.Event is AssistantMessage message && message.Iteration == _streamed)
        {
            // Its text was shown as it streamed; the tool calls it makes follow as their own lines.
            return ValueTask.CompletedTask;
        }

        console.MarkupLine(StepLine.Markup(step, settings.Emulated));
        if (settings.Verbose && step.Event is ToolCallCompleted { Output.Length: > 0 } completed)
        {
            WriteFullOutput(completed.Output);
        }

        return ValueTask.CompletedTask;
    }

    private void WriteFullOutput(string output)
    {
        foreach (var line in output.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'))
        {
            console.MarkupLine($"[grey]          │[/] {Markup.Escape(line)}");
        }
    }

    private void WriteDelta(AgentStep step, ModelOutputDelta delta)
    {
        if (delta.Restart)
        {
            if (_streaming is not null)
            {
                console.WriteLine();
            }

            _streaming = null;
            console.MarkupLine("[yellow]          the model's stream broke; asking again[/]");
            return;
        }

        if (_streaming is null)
        {
            var time = step.At.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
            console.Markup($"[grey]{time}[/] {"model",-9} ");
            _streaming = delta.Iteration;
        }

        console.Write(delta.Text.ReplaceLineEndings(" "));
    }

    public Task WriteResultAsync(AgentRunResult result, bool listPending)
    {
        ArgumentNullException.ThrowIfNull(result);
        console.WriteLine();
        if (result.Result is { } text && result.Status != RunStatus.AwaitingApproval)
        {
            console.WriteLine(text);
            console.WriteLine();
        }

        if (result.Error is { } error && result.Status != RunStatus.Completed)
        {
            var label = result.Status == RunStatus.Cancelled ? "cancelled:" : "error:";
            console.MarkupLine($"[red]{label}[/] {Markup.Escape(error)}");
        }

        if (listPending && result.Pending.Count > 0)
        {
            WritePending(result.RunId, result.Pending, settings.CommandArguments(result.State));
        }

        console.MarkupLine(StatusLine(result.State));
        return Task.CompletedTask;
    }

    public Task WriteInterruptedAsync(string runId)
    {
        console.MarkupLine($"[yellow]interrupted:[/] run {Markup.Escape(runId)} is stored and can be continued with:");
        console.WriteLine($"  companyos resume {ShellText.Quote(runId)}{settings.CommandArguments()}");
        return Task.CompletedTask;
    }

    private void WritePending(string runId, IReadOnlyList<PendingApproval> pending, string commandArguments)
    {
        console.MarkupLine($"[yellow]Run {Markup.Escape(runId)} waits for {pending.Count} decision(s):[/]");
        foreach (var p in pending)
        {
            var what = p.Kind == PendingKind.Question
                ? $"question {p.Id}: {p.Reason}"
                : $"{p.ToolName} (call {p.CallId}) {ShellText.OneLine(p.ProposedArguments.GetRawText(), StepLine.MaxSummaryChars)} — {p.Reason}";
            var expiry = p.ExpiresAt is { } at ? $" (expires {at.ToString("u", CultureInfo.InvariantCulture)})" : string.Empty;
            console.MarkupLine($"  • {Markup.Escape(what)}{Markup.Escape(expiry)}");
            foreach (var command in PendingCommands.For(p, commandArguments))
            {
                console.WriteLine($"      {command}");
            }
        }
    }

    private string StatusLine(RunState state)
    {
        var cost = state.CostUsd.ToString("0.######", CultureInfo.InvariantCulture) + (state.CostIncomplete ? "+ (some calls unpriced)" : string.Empty);
        var colour = state.Status switch
        {
            RunStatus.Completed => "green",
            RunStatus.AwaitingApproval or RunStatus.Running => "yellow",
            _ => "red",
        };
        var line = $"{state.Status.ToWireName()} · run {state.RunId} · {state.Start?.AgentType} · {state.Iterations} iteration(s) · "
            + $"{state.LlmCalls} LLM call(s) · {state.TotalTokens} tokens · ${cost}";
        var emulated = settings.Emulated.Count > 0 ? " · [bold yellow]EMULATED[/]" : string.Empty;
        return $"[{colour}]{Markup.Escape(line)}[/]{emulated}";
    }
}

using System.Globalization;
using CompanyOs.Agents.Approvals;
using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Runtime;
using CompanyOs.Agents.Steps;
using CompanyOs.Cli.Hosting;
using Spectre.Console;

namespace CompanyOs.Cli.Runs;

/// <summary>Live steps and the final state as human text (Spectre.Console; every model text and argument is markup-escaped).</summary>
/// <remarks>
/// With a <see cref="TerminalStatus"/> (standard output is a terminal) a status line shows the model call or tools that
/// run and the gateway's retries and fallbacks; it is erased before every line written here and never drawn on a line
/// of streaming text.
/// </remarks>
internal sealed class HumanRunOutput(IAnsiConsole console, TextWriter promptWriter, RunOutputSettings settings, TerminalStatus? status = null) : IRunOutput
{
    private readonly List<string> _runningTools = [];

    // The iteration whose text is being streamed on the current line, if any; its stored message is then not repeated.
    private int? _streaming;
    private int? _streamed;
    private GatewayActivity? _activity;

    public TextWriter PromptWriter => promptWriter;

    public void Observe(GatewayActivity activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        _activity = activity;
        if (status is null)
        {
            return;
        }

        activity.Started = model =>
        {
            if (_streaming is null)
            {
                status.Show($"model {model ?? "call"}");
            }
        };
        activity.Ended = status.Hide;
        activity.Sink = e =>
        {
            if (_streaming is null)
            {
                status.Note(e.StatusNote());
            }
        };
    }

    public ValueTask WriteStepAsync(AgentStep step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (status is null)
        {
            WriteStep(step);
        }
        else
        {
            if (step.Event is ModelOutputDelta)
            {
                // Streamed text continues the current line: the status must not be redrawn after it.
                status.Hide();
            }

            if (step.Event is ToolCallCompleted)
            {
                Track(step.Event);
            }

            status.Above(() => WriteStep(step));
            if (step.Event is ToolCallStarted)
            {
                Track(step.Event);
            }
        }

        return ValueTask.CompletedTask;
    }

    // Which tools run, for the status line: shown while any does (updated before a result's line, so it is not redrawn after it).
    private void Track(object stepEvent)
    {
        switch (stepEvent)
        {
            case ToolCallStarted started:
                _runningTools.Add(started.ToolName);
                status!.Show($"tool {string.Join(", ", _runningTools)}");
                break;
            case ToolCallCompleted completed:
                _runningTools.Remove(completed.ToolName);
                if (_runningTools.Count > 0)
                {
                    status!.Show($"tool {string.Join(", ", _runningTools)}");
                }
                else
                {
                    status!.Hide();
                }

                break;
        }
    }

    private void WriteStep(AgentStep step)
    {
        if (step.Event is ModelOutputDelta delta)
        {
            WriteDelta(step, delta);
            return;
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
            return;
        }

        console.MarkupLine(StepLine.Markup(step, settings.Emulated));
        if (settings.Verbose && step.Event is ToolCallCompleted { Output.Length: > 0 } completed)
        {
            WriteFullOutput(completed.Output);
        }
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
        if (status is null)
        {
            WriteResult(result, listPending);
        }
        else
        {
            status.Hide();
            status.Above(() => WriteResult(result, listPending));
        }

        return Task.CompletedTask;
    }

    private void WriteResult(AgentRunResult result, bool listPending)
    {
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
            if (result.Status == RunStatus.Failed && _activity?.Exhausted is { Count: > 1 } failures)
            {
                console.MarkupLine($"[red]error:[/] {Markup.Escape(GatewayActivity.Describe(failures))}");
            }
        }

        if (listPending && result.Pending.Count > 0)
        {
            WritePending(result.RunId, result.Pending, settings.CommandArguments(result.State));
        }

        console.MarkupLine(StatusLine(result.State));
    }

    public Task WriteInterruptedAsync(string runId)
    {
        status?.Hide();
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

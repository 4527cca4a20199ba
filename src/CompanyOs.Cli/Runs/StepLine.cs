using System.Globalization;
using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Steps;
using Spectre.Console;

namespace CompanyOs.Cli.Runs;

/// <summary>One step as one line of Spectre markup: time, kind, summary (escaped), and EMULATED on model calls the emulator answered.</summary>
internal static class StepLine
{
    public const int MaxSummaryChars = 240;

    /// <summary>How much of a tool's output the step line shows (the whole output with <c>--verbose</c>).</summary>
    public const int MaxPreviewChars = 160;

    public static string Markup(AgentStep step, IReadOnlyList<string> emulated)
    {
        ArgumentNullException.ThrowIfNull(step);
        var (label, colour) = Label(step);
        var text = ShellText.OneLine(step.Summary, MaxSummaryChars);
        if (step.Event is ToolCallCompleted { Output.Length: > 0 } completed)
        {
            text += " → " + ShellText.OneLine(completed.Output, MaxPreviewChars);
        }

        var summary = Spectre.Console.Markup.Escape(text);
        var suffix = step.Event is LlmCallCompleted { Provider: { } provider } && emulated.Contains(provider) ? " [bold yellow]EMULATED[/]" : string.Empty;
        var time = step.At.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        return $"[grey]{time}[/] [{colour}]{label,-9}[/] {summary}{suffix}";
    }

    private static (string Label, string Colour) Label(AgentStep step) => step.Kind switch
    {
        AgentStepKind.RunStarted => ("start", "blue"),
        AgentStepKind.LlmCall => ("llm", "grey"),
        AgentStepKind.Message => ("model", "default"),
        AgentStepKind.ToolRequested => ("tool", "aqua"),
        AgentStepKind.ApprovalRequested => ("approval", "yellow"),
        AgentStepKind.QuestionAsked => ("question", "yellow"),
        AgentStepKind.Decision => ("decision", "yellow"),
        AgentStepKind.ToolStarted => ("running", "aqua"),
        AgentStepKind.ToolResult => ("result", step.Event is ToolCallCompleted { IsError: false } ? "aqua" : "red"),
        AgentStepKind.Trace => ("trace", "grey"),
        _ => ("end", step.Event is RunCompleted ? "green" : "red"),
    };
}

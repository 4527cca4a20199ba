using System.Globalization;
using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Runs;

namespace CompanyOs.Agents.Runtime;

/// <summary>Builds the seed's <c>AgentReasoningCompleted</c> event (trace of think / tool_call / ask_human / respond steps) from a run's state.</summary>
internal static class SeedTraceBuilder
{
    public static AgentReasoningCompleted Build(RunState state)
    {
        var trace = new List<SeedTraceStep>();
        for (var i = 0; i < state.Turns.Count; i++)
        {
            var turn = state.Turns[i];
            var isLast = i == state.Turns.Count - 1;
            if (!string.IsNullOrWhiteSpace(turn.Text))
            {
                trace.Add(ForText(turn.Text, turn.At, respond: isLast && turn.CallIds.Count == 0));
            }

            foreach (var id in turn.CallIds)
            {
                trace.Add(ForCall(state.Calls[id], state.Calls[id].RequestedAt));
            }
        }

        return new AgentReasoningCompleted
        {
            SessionId = state.RunId,
            TaskId = state.Start?.TaskId,
            Status = state.Status.ToWireName(),
            Trace = trace,
        };
    }

    /// <summary>A <c>think</c> step, or the <c>respond</c> step of the final answer.</summary>
    public static SeedTraceStep ForText(string text, DateTimeOffset at, bool respond) =>
        new() { Timestamp = Iso(at), Thought = text, Action = respond ? "respond" : "think" };

    /// <summary>A tool call's step: <c>ask_human</c> when a person was asked (a question or an approval), else <c>tool_call</c>.</summary>
    public static SeedTraceStep ForCall(ToolCallState call, DateTimeOffset at) => new()
    {
        Timestamp = Iso(at),
        Thought = call.Question ?? $"I need to use {call.ToolName}",
        Action = call.ApprovalId is not null ? "ask_human" : "tool_call",
        ToolName = call.ToolName,
        ToolInput = call.EffectiveArguments ?? call.Arguments,
        ToolOutput = call.Result,
    };

    private static string Iso(DateTimeOffset at) => at.ToString("O", CultureInfo.InvariantCulture);
}

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
                trace.Add(new SeedTraceStep
                {
                    Timestamp = Iso(turn.At),
                    Thought = turn.Text,
                    Action = isLast && turn.CallIds.Count == 0 ? "respond" : "think",
                });
            }

            foreach (var id in turn.CallIds)
            {
                var call = state.Calls[id];
                trace.Add(new SeedTraceStep
                {
                    Timestamp = Iso(call.RequestedAt),
                    Thought = call.Question ?? $"I need to use {call.ToolName}",
                    Action = call.ApprovalId is not null ? "ask_human" : "tool_call",
                    ToolName = call.ToolName,
                    ToolInput = call.EffectiveArguments ?? call.Arguments,
                    ToolOutput = call.Result,
                });
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

    private static string Iso(DateTimeOffset at) => at.ToString("O", CultureInfo.InvariantCulture);
}

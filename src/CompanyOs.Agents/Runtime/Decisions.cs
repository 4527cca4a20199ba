using System.Globalization;
using System.Text.Json;
using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Runs;
using CompanyOs.Tools;

namespace CompanyOs.Agents.Runtime;

/// <summary>Turns a human decision into events against a run's current state, or explains why it does not apply.</summary>
internal static class Decisions
{
    /// <summary>Set when the decision came too late: the expiry is recorded instead and this is thrown after the run continued.</summary>
    internal sealed class Outcome
    {
        public AgentRunException? Error { get; set; }
    }

    public static IReadOnlyList<RunEvent> Approve(
        RunState state, string callId, JsonElement? edited, string? decidedBy, IToolRegistry registry, DateTimeOffset now, Outcome outcome)
    {
        var call = Waiting(state, callId, ToolCallPhase.AwaitingApproval, "tool call");
        if (Expired(call, now, outcome, state.RunId) is { } expired)
        {
            return [expired];
        }

        outcome.Error = null;
        var effective = call.Arguments;
        if (edited is { } args)
        {
            if (args.ValueKind != JsonValueKind.Object)
            {
                throw new AgentRunException(AgentRunErrorKind.InvalidArguments, $"Run '{state.RunId}', call '{callId}': edited arguments must be a JSON object.", state.RunId);
            }

            if (!registry.TryGet(call.ToolName, out var tool))
            {
                throw new AgentRunException(AgentRunErrorKind.InvalidArguments, $"Run '{state.RunId}', call '{callId}': tool '{call.ToolName}' is not available to validate the edited arguments.", state.RunId);
            }

            var problems = registry.Validate(tool, args);
            if (problems.Count > 0)
            {
                throw new AgentRunException(
                    AgentRunErrorKind.InvalidArguments,
                    $"Run '{state.RunId}', call '{callId}': edited arguments do not match the schema of '{call.ToolName}': {string.Join("; ", problems)}",
                    state.RunId);
            }

            effective = args.Clone();
        }

        return
        [
            new ApprovalGranted
            {
                ApprovalId = call.ApprovalId!,
                CallId = callId,
                ProposedArguments = call.Arguments,
                EffectiveArguments = effective,
                Edited = edited is not null && !JsonElement.DeepEquals(effective, call.Arguments),
                DecidedBy = decidedBy,
            },
        ];
    }

    public static IReadOnlyList<RunEvent> Reject(RunState state, string callId, string reason, string? decidedBy, DateTimeOffset now, Outcome outcome)
    {
        var call = Waiting(state, callId, ToolCallPhase.AwaitingApproval, "tool call");
        if (Expired(call, now, outcome, state.RunId) is { } expired)
        {
            return [expired];
        }

        outcome.Error = null;
        return [new ApprovalRejected { ApprovalId = call.ApprovalId!, CallId = callId, Reason = reason, DecidedBy = decidedBy }];
    }

    public static IReadOnlyList<RunEvent> Answer(RunState state, string questionId, string text, string? answeredBy, DateTimeOffset now, Outcome outcome)
    {
        var call = state.WaitingCalls.FirstOrDefault(c => c.ApprovalId == questionId && c.Phase == ToolCallPhase.AwaitingAnswer)
            ?? throw new AgentRunException(AgentRunErrorKind.NotPending, $"Run '{state.RunId}' has no pending question '{questionId}'.", state.RunId);
        if (Expired(call, now, outcome, state.RunId) is { } expired)
        {
            return [expired];
        }

        outcome.Error = null;
        return [new QuestionAnswered { QuestionId = questionId, CallId = call.CallId, Answer = text, AnsweredBy = answeredBy }];
    }

    private static ToolCallState Waiting(RunState state, string callId, ToolCallPhase phase, string what)
    {
        if (!state.Calls.TryGetValue(callId, out var call) || call.Phase != phase)
        {
            var pending = string.Join(", ", state.WaitingCalls.Where(c => c.Phase == phase).Select(c => c.CallId));
            throw new AgentRunException(
                AgentRunErrorKind.NotPending,
                $"Run '{state.RunId}' has no pending {what} '{callId}' (pending: {(pending.Length == 0 ? "none" : pending)}).",
                state.RunId);
        }

        return call;
    }

    private static ApprovalExpired? Expired(ToolCallState call, DateTimeOffset now, Outcome outcome, string runId)
    {
        if (call.ExpiresAt is not { } expiresAt || expiresAt > now)
        {
            return null;
        }

        outcome.Error = new AgentRunException(
            AgentRunErrorKind.Expired,
            string.Create(CultureInfo.InvariantCulture, $"Run '{runId}': '{call.ApprovalId}' for call '{call.CallId}' expired at {expiresAt:O}; the expiry was recorded."),
            runId);
        return new ApprovalExpired { ApprovalId = call.ApprovalId!, CallId = call.CallId };
    }
}

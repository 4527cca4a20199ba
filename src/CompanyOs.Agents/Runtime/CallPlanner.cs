using CompanyOs.Agents.Approvals;
using CompanyOs.Agents.Definitions;
using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Runs;
using CompanyOs.Tools;
using CompanyOs.Tools.Registry;

namespace CompanyOs.Agents.Runtime;

/// <summary>
/// Decides, the moment a tool call is requested, what happens to it: fails at once (unknown tool, invalid arguments), waits
/// for a human (approval or <c>ask_human</c>), completes at once (<c>complete_task</c>), or is ready to run.
/// </summary>
internal static class CallPlanner
{
    /// <param name="call">The requested call.</param>
    /// <param name="parseError">Why its arguments could not be read, if they could not.</param>
    /// <param name="callsInTurn">How many calls the turn made (<c>complete_task</c> must be alone).</param>
    /// <param name="settings">The run's settings.</param>
    /// <param name="registry">The tools.</param>
    /// <param name="now">Now, for approval expiry.</param>
    public static IEnumerable<RunEvent> Plan(
        ToolCallRecord call, string? parseError, int callsInTurn, RunSettings settings, IToolRegistry registry, DateTimeOffset now)
    {
        var isBuiltIn = BuiltInTools.IsBuiltIn(call.Name);
        ITool? tool = null;
        var offered = !isBuiltIn && settings.Tools.Contains(call.Name) && registry.TryGet(call.Name, out tool);
        yield return new ToolCallRequested
        {
            CallId = call.CallId,
            ToolName = call.Name,
            Arguments = call.Arguments,
            Risk = isBuiltIn ? "builtin" : tool is null ? "unknown" : tool.Risk == ToolRisk.Low ? "low" : "high",
            Idempotent = tool?.IsIdempotent ?? false,
        };

        if (parseError is not null)
        {
            yield return Failed(call, "invalid_arguments", parseError);
            yield break;
        }

        DateTimeOffset? expiresAt = settings.ApprovalTimeoutSeconds is { } seconds ? now.AddSeconds(seconds) : null;
        if (call.Name == BuiltInTools.AskHuman)
        {
            var question = BuiltInTools.ReadStringArgument(call.Arguments, "question");
            yield return question is null
                ? Failed(call, "invalid_arguments", "ask_human needs a non-empty string argument 'question'")
                : new QuestionAsked { QuestionId = NewId("q"), CallId = call.CallId, Question = question, ExpiresAt = expiresAt };
            yield break;
        }

        if (call.Name == BuiltInTools.CompleteTask && callsInTurn > 1)
        {
            // Ending the run in the same turn would drop the other calls' results (or a human's answer) unseen.
            yield return Failed(
                call, "invalid_call", "complete_task must be the only tool call of its turn: call it again once the other calls' results are in");
            yield break;
        }

        if (call.Name == BuiltInTools.CompleteTask)
        {
            var result = BuiltInTools.ReadStringArgument(call.Arguments, "result");
            yield return result is null
                ? Failed(call, "invalid_arguments", "complete_task needs a non-empty string argument 'result'")
                : new ToolCallCompleted { CallId = call.CallId, ToolName = call.Name, Output = "Task marked complete.", OutputChars = 21 };
            yield break;
        }

        if (!offered || tool is null)
        {
            var available = string.Join(", ", settings.Tools.Append(BuiltInTools.AskHuman).Append(BuiltInTools.CompleteTask));
            yield return Failed(call, "unknown_tool", $"there is no tool '{call.Name}'. Available tools: {available}");
            yield break;
        }

        var problems = registry.Validate(tool, call.Arguments);
        if (problems.Count > 0)
        {
            yield return Failed(call, "invalid_arguments", ToolInvoker.DescribeProblems(tool.Name, problems));
            yield break;
        }

        var autonomy = Enum.Parse<AutonomyLevel>(settings.Autonomy, ignoreCase: true);
        if (ApprovalPolicy.ReasonToWait(autonomy, call.Name, tool) is { } reason)
        {
            yield return new ApprovalRequested
            {
                ApprovalId = NewId("apr"),
                CallId = call.CallId,
                ToolName = call.Name,
                ProposedArguments = call.Arguments,
                ArgumentsHash = ArgumentsHash.Compute(call.Arguments),
                Reason = reason,
                ExpiresAt = expiresAt,
            };
        }
    }

    /// <summary>True when the latest turn called <c>complete_task</c> successfully; <paramref name="result"/> is its result.</summary>
    public static bool TryGetCompletion(RunState state, out string result)
    {
        foreach (var call in state.LastTurnCalls)
        {
            if (call.ToolName == BuiltInTools.CompleteTask && call.Phase == ToolCallPhase.Completed
                && BuiltInTools.ReadStringArgument(call.Arguments, "result") is { } text)
            {
                result = text;
                return true;
            }
        }

        result = string.Empty;
        return false;
    }

    private static ToolCallFailed Failed(ToolCallRecord call, string reason, string error) =>
        new() { CallId = call.CallId, ToolName = call.Name, Reason = reason, Error = error };

    private static string NewId(string prefix) => $"{prefix}_{Guid.NewGuid():N}";
}

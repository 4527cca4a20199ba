using System.Text.Json;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Runtime;
using CompanyOs.Server.Errors;
using CompanyOs.Server.Keys;

namespace CompanyOs.Server.Agents;

/// <summary>
/// Pending approvals and questions of the caller's org, and the decisions on them. A decision is recorded (with the id of
/// the key that made it) and the run is driven on in the background; a second decision on the same call is 409.
/// </summary>
internal static class DecisionsApi
{
    public static RouteGroupBuilder MapDecisions(this RouteGroupBuilder group)
    {
        group.MapGet("/decisions", (Delegate)ListAsync).WithName("ListDecisions").Produces<DecisionList>()
            .WithSummary("Pending approvals and questions of the org's runs.");
        group.MapPost("/runs/{id}/approvals/{callId}/approve", ApproveAsync).WithName("Approve").Body<ApproveBody>()
            .Produces<RunObject>().WithSummary("Approve a tool call, optionally with edited arguments (validated against the tool's schema).");
        group.MapPost("/runs/{id}/approvals/{callId}/reject", RejectAsync).WithName("Reject").Body<RejectBody>()
            .Produces<RunObject>().WithSummary("Reject a tool call with a reason (the model is told).");
        group.MapPost("/runs/{id}/questions/{questionId}/answer", AnswerAsync).WithName("Answer").Body<AnswerBody>()
            .Produces<RunObject>().WithSummary("Answer an ask_human question.");
        return group;
    }

    private static Task<IResult> ListAsync(HttpContext http) => AgentEndpoint.RunAsync(http, async (caller, runs) =>
    {
        // From the read model (pending decisions per org), never by re-folding every run.
        var pending = await runs.Runtime.Runs.ListPendingDecisionsAsync(caller.Org, http.RequestAborted);
        var data = pending.Where(p => string.Equals(p.OrgId, caller.Org, StringComparison.Ordinal)).Select(p => RunObjects.Decision(p, runs.Tools)).ToList();
        return TypedResults.Json(new DecisionList([.. data.OrderBy(d => d.CreatedAt)]), AgentJsonContext.Default.DecisionList);
    });

    private static Task<IResult> ApproveAsync(HttpContext http, string id, string callId) => AgentEndpoint.RunAsync(http, async (caller, runs) =>
    {
        var (state, call) = await PendingCallAsync(http, caller, runs, id, callId, ToolCallPhase.AwaitingApproval);
        var body = await AgentEndpoint.ReadObjectAsync(http.Request, http.RequestAborted);
        AgentEndpoint.OnlyFields(body, "arguments");
        JsonElement? edited = null;
        if (body.TryGetProperty("arguments", out var arguments) && arguments.ValueKind != JsonValueKind.Null)
        {
            edited = arguments;
            Validate(runs, call, arguments);
        }

        return await DecideAsync(http, caller, runs, state.RunId, RunDecision.Approve(call.CallId, edited));
    });

    private static Task<IResult> RejectAsync(HttpContext http, string id, string callId) => AgentEndpoint.RunAsync(http, async (caller, runs) =>
    {
        var (state, call) = await PendingCallAsync(http, caller, runs, id, callId, ToolCallPhase.AwaitingApproval);
        var body = await AgentEndpoint.ReadObjectAsync(http.Request, http.RequestAborted);
        AgentEndpoint.OnlyFields(body, "reason");
        var reason = AgentEndpoint.String(body, "reason")
            ?? throw new ApiRequestException(ApiError.Invalid("reason", "'reason' is required: the model is told why its call was rejected."));
        return await DecideAsync(http, caller, runs, state.RunId, RunDecision.Reject(call.CallId, reason));
    });

    private static Task<IResult> AnswerAsync(HttpContext http, string id, string questionId) => AgentEndpoint.RunAsync(http, async (caller, runs) =>
    {
        var (state, call) = await PendingCallAsync(http, caller, runs, id, questionId, ToolCallPhase.AwaitingAnswer);
        var body = await AgentEndpoint.ReadObjectAsync(http.Request, http.RequestAborted);
        AgentEndpoint.OnlyFields(body, "answer");
        var answer = AgentEndpoint.String(body, "answer", nonEmpty: false)
            ?? throw new ApiRequestException(ApiError.Invalid("answer", "'answer' is required: the text the agent gets back."));
        return await DecideAsync(http, caller, runs, state.RunId, RunDecision.Answer(call.ApprovalId!, answer));
    });

    private static async Task<IResult> DecideAsync(HttpContext http, Caller caller, AgentRuns runs, string runId, RunDecision decision)
    {
        var result = await runs.Runtime.RecordDecisionAsync(runId, decision, caller.KeyId, http.RequestAborted);
        runs.Scheduler.Enqueue(runId);
        return RunsApi.Json(runs, result.State);
    }

    /// <summary>
    /// The call of the caller's run by call id (or approval / question id). 404 for another org's run or an unknown id;
    /// 409 when the call was decided already (or the run has ended).
    /// </summary>
    private static async Task<(RunState State, ToolCallState Call)> PendingCallAsync(
        HttpContext http, Caller caller, AgentRuns runs, string runId, string id, ToolCallPhase phase)
    {
        AgentEndpoint.RequireAgentsScope(caller);
        var state = await AgentEndpoint.OwnedRunAsync(runs, caller, runId, http.RequestAborted);
        var call = state.Calls.TryGetValue(id, out var byCallId) ? byCallId : state.Calls.Values.FirstOrDefault(c => c.ApprovalId == id);
        var what = phase == ToolCallPhase.AwaitingAnswer ? "question" : "tool call awaiting approval";
        if (call is null || (phase == ToolCallPhase.AwaitingAnswer && call.Question is null) || (phase == ToolCallPhase.AwaitingApproval && call.ApprovalReason is null))
        {
            throw new ApiRequestException(new ApiError(ApiErrorKind.NotFound, $"Run '{runId}' has no {what} '{id}'.", "call_id"));
        }

        if (call.Phase != phase || state.Status.IsTerminal())
        {
            throw new ApiRequestException(new ApiError(ApiErrorKind.Conflict,
                $"Run '{runId}': '{id}' has already been decided ({call.Phase.ToString().ToLowerInvariant()}); a decision is made once."));
        }

        return (state, call);
    }

    /// <exception cref="ApiRequestException">400 naming the first field that does not match the tool's schema.</exception>
    private static void Validate(AgentRuns runs, ToolCallState call, JsonElement arguments)
    {
        if (arguments.ValueKind != JsonValueKind.Object)
        {
            throw new ApiRequestException(ApiError.Invalid("arguments", $"'arguments' must be a JSON object (the tool's arguments), got {arguments.ValueKind.ToString().ToLowerInvariant()}."));
        }

        if (!runs.Tools.TryGet(call.ToolName, out var tool))
        {
            throw new ApiRequestException(new ApiError(ApiErrorKind.Conflict, $"Tool '{call.ToolName}' is not available on this server to validate edited arguments."));
        }

        var problems = runs.Tools.Validate(tool, arguments);
        if (problems.Count > 0)
        {
            throw new ApiRequestException(ApiError.Invalid(Param(problems[0]),
                $"The edited arguments do not match the schema of '{call.ToolName}': {string.Join("; ", problems)}"));
        }
    }

    /// <summary><c>$.path: …</c> → <c>arguments.path</c>; a problem of the whole object names the property it is about, when it says.</summary>
    private static string Param(string problem)
    {
        var colon = problem.IndexOf(": ", StringComparison.Ordinal);
        var path = colon > 0 ? problem[..colon] : "$";
        if (path != "$")
        {
            return "arguments" + path[1..];
        }

        var quoted = problem.IndexOf('\'', StringComparison.Ordinal);
        var end = quoted >= 0 ? problem.IndexOf('\'', quoted + 1) : -1;
        return end > quoted + 1 ? $"arguments.{problem[(quoted + 1)..end]}" : "arguments";
    }
}

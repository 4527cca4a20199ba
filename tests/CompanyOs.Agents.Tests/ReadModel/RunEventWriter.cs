using System.Text.Json;
using CompanyOs.Agents.Journal;
using CompanyOs.Events;

namespace CompanyOs.Agents.Tests.ReadModel;

/// <summary>Writes run events straight into a store, as a runtime would, so read-model tests control every step and timestamp.</summary>
internal sealed class RunEventWriter(IEventStore store)
{
    private static readonly JsonElement Args = JsonDocument.Parse("""{"path":"a.txt"}""").RootElement.Clone();

    public async Task<string> StartAsync(string org, string agent, DateTimeOffset at, string? runId = null, string task = "Find out about X", CancellationToken ct = default)
    {
        runId ??= "run_" + Guid.NewGuid().ToString("N");
        await AppendAsync(runId, org, ExpectedVersion.NoStream, ct, new RunStarted
        {
            RunId = runId,
            OrgId = org,
            AgentType = agent,
            Task = task,
            SystemPrompt = "You are a test.",
            UserMessage = "Task: " + task,
            PromptName = agent + "/persona",
            PromptVersion = "1.0.0",
            Settings = new RunSettings { Autonomy = "supervised", MaxIterations = 5 },
            At = at,
        });
        return runId;
    }

    public Task<AppendResult> LlmCallAsync(string runId, string org, int iteration, long input, long output, decimal? cost, DateTimeOffset at, CancellationToken ct = default) =>
        AppendAsync(runId, org, ExpectedVersion.Any, ct, new LlmCallCompleted
        {
            Iteration = iteration, InputTokens = input, OutputTokens = output, TotalTokens = input + output, CostUsd = cost, Model = "m", At = at,
        });

    /// <summary>A turn with one tool call that waits for approval; returns the approval id.</summary>
    public async Task<string> WaitForApprovalAsync(string runId, string org, string callId, DateTimeOffset at, DateTimeOffset? expiresAt = null, CancellationToken ct = default)
    {
        var args = Args;
        var approvalId = "appr_" + callId;
        await AppendAsync(runId, org, ExpectedVersion.Any, ct,
            new AssistantMessage { Iteration = 1, ToolCalls = [new ToolCallRecord(callId, "write_file", args)], At = at },
            new ToolCallRequested { CallId = callId, ToolName = "write_file", Arguments = args, Risk = "high", At = at },
            new ApprovalRequested { ApprovalId = approvalId, CallId = callId, ToolName = "write_file", ProposedArguments = args, ArgumentsHash = "h", Reason = "high risk", ExpiresAt = expiresAt, At = at });
        return approvalId;
    }

    public Task<AppendResult> ApproveAsync(string runId, string org, string callId, DateTimeOffset at, CancellationToken ct = default) =>
        AppendAsync(runId, org, ExpectedVersion.Any, ct, new ApprovalGranted { ApprovalId = "appr_" + callId, CallId = callId, ProposedArguments = Args, EffectiveArguments = Args, At = at });

    public Task<AppendResult> CompleteAsync(string runId, string org, DateTimeOffset at, CancellationToken ct = default) =>
        AppendAsync(runId, org, ExpectedVersion.Any, ct, new RunCompleted { Result = "done", CompletedBy = "model", At = at });

    public Task<AppendResult> CancelAsync(string runId, string org, DateTimeOffset at, CancellationToken ct = default) =>
        AppendAsync(runId, org, ExpectedVersion.Any, ct, new RunCancelled { Reason = "stop", At = at });

    private Task<AppendResult> AppendAsync(string runId, string org, ExpectedVersion expected, CancellationToken ct, params RunEvent[] events) =>
        store.AppendAsync(
            RunEventCodec.StreamId(runId),
            expected,
            [.. events.Select(e => RunEventCodec.ToEventData(e, new EventMetadata { OrgId = org, CorrelationId = runId }))],
            ct);
}

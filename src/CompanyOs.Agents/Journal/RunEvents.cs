using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;

namespace CompanyOs.Agents.Journal;

// The closed set of events of stream agent-session:{run id}, in the order a run writes them, and the small records they carry.
// Adding an event: add it here, to AgentEventJsonContext and to RunEventCodec's map.

/// <summary>
/// An event of an agent run, stored in stream <c>agent-session:{run id}</c> under its type name (the record's name).
/// Payloads are serialized with <see cref="AgentEventJsonContext"/> (snake_case JSON).
/// </summary>
public abstract record RunEvent
{
    /// <summary>When it happened (the runtime's <see cref="TimeProvider"/>).</summary>
    public DateTimeOffset At { get; init; }
}

/// <summary>The first event of a run: who, what, and everything needed to rebuild the conversation from the store alone.</summary>
public sealed record RunStarted : RunEvent
{
    public required string RunId { get; init; }

    public string? OrgId { get; init; }

    public string? TaskId { get; init; }

    public required string AgentType { get; init; }

    public required string Task { get; init; }

    public IReadOnlyDictionary<string, JsonElement> Variables { get; init; } = new Dictionary<string, JsonElement>();

    public IReadOnlyList<string> Memory { get; init; } = [];

    /// <summary>The complete system prompt: persona + memory + autonomy instructions.</summary>
    public required string SystemPrompt { get; init; }

    public IReadOnlyList<PromptMessage> FewShot { get; init; } = [];

    public required string UserMessage { get; init; }

    public string? PromptName { get; init; }

    public string? PromptVersion { get; init; }

    /// <summary>The capability of the agent definition the run was started for (its prompt is <see cref="PromptName"/>); null for a plain task.</summary>
    public string? Capability { get; init; }

    /// <summary>True when the starting host's models were answered by the CompanyOS emulator, not a real provider.</summary>
    public bool Emulated { get; init; }

    /// <summary>
    /// The W3C <c>traceparent</c> of the span the run was started under, when it was traced: every later drive of the run, on
    /// any instance, continues that trace. Omitted when the start was not traced.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? TraceParent { get; init; }

    public required RunSettings Settings { get; init; }

    /// <summary>
    /// The configuration the run was started with (<see cref="Runtime.AgentRuntimeOptions.ConfigurationPath"/>, e.g. the
    /// absolute path of <c>llm.yaml</c>): decisions and resumes must use one with the same tools. Null in runs recorded
    /// before it was kept, or when the host did not say.
    /// </summary>
    public string? ConfigPath { get; init; }

    /// <summary>SHA-256 (hex) of the starting process's tool set (every tool's name and parameter schema); null in older runs.</summary>
    public string? ToolSetHash { get; init; }
}

/// <summary>The agent definition as snapshotted into <see cref="RunStarted"/>: a resumed run uses these, never the current file.</summary>
public sealed record RunSettings
{
    public string? Model { get; init; }

    public double? Temperature { get; init; }

    public int? MaxOutputTokens { get; init; }

    public int MaxIterations { get; init; }

    public int MaxParallelTools { get; init; }

    /// <summary><c>manual</c>, <c>supervised</c> or <c>autonomous</c>.</summary>
    public required string Autonomy { get; init; }

    public decimal? BudgetUsd { get; init; }

    public long? BudgetTokens { get; init; }

    /// <summary>Registry tools offered to the model (built-ins are always offered).</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];

    /// <summary>Tools the definition names that the registry did not have when the run started.</summary>
    public IReadOnlyList<string> UnavailableTools { get; init; } = [];

    [JsonPropertyName("approval_timeout_seconds")]
    public double? ApprovalTimeoutSeconds { get; init; }
}

/// <summary>A few-shot example message of the persona prompt: <c>user</c> or <c>assistant</c> and its text.</summary>
public sealed record PromptMessage(string Role, string Text);

/// <summary>One model round trip through the gateway, with what it cost.</summary>
public sealed record LlmCallCompleted : RunEvent
{
    /// <summary>1-based model round trip; the final tools-disabled turn has <see cref="Final"/> set.</summary>
    public int Iteration { get; init; }

    public bool Final { get; init; }

    public string? Model { get; init; }

    public string? Provider { get; init; }

    public string? PromptName { get; init; }

    public string? PromptVersion { get; init; }

    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    public long CachedInputTokens { get; init; }

    public long CacheWriteTokens { get; init; }

    public long TotalTokens { get; init; }

    /// <summary>Null when the gateway could not price the model (never a silent zero).</summary>
    public decimal? CostUsd { get; init; }

    public double LatencyMs { get; init; }

    public string? FinishReason { get; init; }

    public int Attempts { get; init; } = 1;

    public bool CacheHit { get; init; }

    public IReadOnlyList<string> FallbackPath { get; init; } = [];

    public string? ResponseId { get; init; }
}

/// <summary>
/// A model call whose stream broke after output had started. The runtime asks the turn again, but the provider billed this
/// attempt, so what the gateway charged for it counts towards the run's tokens, cost and budget; the turn's answer is
/// recorded by the <see cref="LlmCallCompleted"/> of the call asked again.
/// </summary>
public sealed record LlmCallInterrupted : RunEvent
{
    /// <summary>The round trip the cut attempt belonged to (see <see cref="LlmCallCompleted.Iteration"/>).</summary>
    public int Iteration { get; init; }

    public bool Final { get; init; }

    public string? Model { get; init; }

    public string? Provider { get; init; }

    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    public long TotalTokens { get; init; }

    /// <summary>What the gateway charged; null when unknown (an unpriced model, or a chat client that is not the gateway).</summary>
    public decimal? CostUsd { get; init; }

    /// <summary>True when the charge is the gateway's estimate (the call's maximum, as for every interrupted attempt), not reported usage.</summary>
    public bool Estimated { get; init; }

    /// <summary>Why the stream broke (the gateway's message; never a key).</summary>
    public string? Error { get; init; }
}

/// <summary>
/// A piece of the model's text as it streams in, for live UIs. Transient: emitted as an <see cref="Steps.AgentStep"/> of
/// kind <see cref="Steps.AgentStepKind.TextDelta"/> but never stored — the stored <see cref="AssistantMessage"/> carries the
/// whole text once the turn is complete.
/// </summary>
public sealed record ModelOutputDelta : RunEvent
{
    /// <summary>The iteration (model turn) the text belongs to.</summary>
    public required int Iteration { get; init; }

    /// <summary>The new text, appended to what came before in this turn.</summary>
    public required string Text { get; init; }

    /// <summary>
    /// True when the stream broke and the turn is being asked again without streaming: discard the text shown for this
    /// turn so far (<see cref="Text"/> is empty); the stored <see cref="AssistantMessage"/> that follows is the answer.
    /// </summary>
    public bool Restart { get; init; }
}

/// <summary>The assistant's message of one turn, with <b>all</b> its tool calls, kept intact for the history.</summary>
public sealed record AssistantMessage : RunEvent
{
    public int Iteration { get; init; }

    public string? Text { get; init; }

    public IReadOnlyList<ToolCallRecord> ToolCalls { get; init; } = [];

    /// <summary>The tools-disabled turn at max iterations.</summary>
    public bool Final { get; init; }

    /// <summary>Tool calls the model made in the final turn anyway; they were not recorded nor run.</summary>
    public int IgnoredToolCalls { get; init; }

    /// <summary>
    /// Why the model stopped (<c>stop</c>, <c>tool_calls</c>, <c>length</c>, <c>content_filter</c>, …); null in runs
    /// recorded before it was kept (read as a normal stop).
    /// </summary>
    public string? FinishReason { get; init; }
}

/// <summary>One tool call as the model made it: id (unique in the run), tool name and arguments (a JSON object).</summary>
public sealed record ToolCallRecord(string CallId, string Name, JsonElement Arguments);

/// <summary>The model asked for a tool call; what happens next follows as approval, question, start or failure events.</summary>
public sealed record ToolCallRequested : RunEvent
{
    public required string CallId { get; init; }

    public required string ToolName { get; init; }

    public JsonElement Arguments { get; init; }

    /// <summary><c>low</c>, <c>high</c>, <c>unknown</c> (not in the registry) or <c>builtin</c>.</summary>
    public required string Risk { get; init; }

    public bool Idempotent { get; init; }
}

/// <summary>A tool call waits for a human decision. Durable: any process can decide it later.</summary>
public sealed record ApprovalRequested : RunEvent
{
    public required string ApprovalId { get; init; }

    public required string CallId { get; init; }

    public required string ToolName { get; init; }

    public JsonElement ProposedArguments { get; init; }

    /// <summary>SHA-256 of the canonical JSON of the proposed arguments (keys sorted), hex.</summary>
    public required string ArgumentsHash { get; init; }

    public required string Reason { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>A human approved a tool call, possibly with edited arguments (proposed and effective are both kept).</summary>
public sealed record ApprovalGranted : RunEvent
{
    public required string ApprovalId { get; init; }

    public required string CallId { get; init; }

    public JsonElement ProposedArguments { get; init; }

    public JsonElement EffectiveArguments { get; init; }

    public bool Edited { get; init; }

    public string? DecidedBy { get; init; }
}

/// <summary>A human rejected a tool call; the model receives a tool result saying so.</summary>
public sealed record ApprovalRejected : RunEvent
{
    public required string ApprovalId { get; init; }

    public required string CallId { get; init; }

    public required string Reason { get; init; }

    public string? DecidedBy { get; init; }
}

/// <summary>Nobody decided in time; the call counts as not approved and the model is told so.</summary>
public sealed record ApprovalExpired : RunEvent
{
    /// <summary>The approval or question id.</summary>
    public required string ApprovalId { get; init; }

    public required string CallId { get; init; }
}

/// <summary>The agent asked a person a question through the built-in <c>ask_human</c> tool; the run waits for the answer.</summary>
public sealed record QuestionAsked : RunEvent
{
    public required string QuestionId { get; init; }

    public required string CallId { get; init; }

    public required string Question { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>A person answered an <c>ask_human</c> question; the answer is the tool result.</summary>
public sealed record QuestionAnswered : RunEvent
{
    public required string QuestionId { get; init; }

    public required string CallId { get; init; }

    public required string Answer { get; init; }

    public string? AnsweredBy { get; init; }
}

/// <summary>Written just before a tool runs. A Started without a result after a crash means "may have run": never re-run unless idempotent.</summary>
public sealed record ToolCallStarted : RunEvent
{
    public required string CallId { get; init; }

    public required string ToolName { get; init; }

    /// <summary>The arguments actually used (the edited ones when a human changed them).</summary>
    public JsonElement Arguments { get; init; }

    /// <summary>1 for the first run; higher when an idempotent tool is re-run after an interruption.</summary>
    public int Attempt { get; init; } = 1;
}

/// <summary>A tool returned. <see cref="IsError"/> marks an error the tool reported itself (the model sees it and may recover).</summary>
public sealed record ToolCallCompleted : RunEvent
{
    public required string CallId { get; init; }

    public required string ToolName { get; init; }

    /// <summary>The output, capped at the runtime's limit; when capped it ends with a marker saying how much was cut.</summary>
    public required string Output { get; init; }

    public bool IsError { get; init; }

    /// <summary>Length of the full output in characters, before any cap.</summary>
    public int OutputChars { get; init; }

    public bool Truncated { get; init; }

    public double DurationMs { get; init; }
}

/// <summary>A tool call could not produce a result: unknown tool, invalid arguments, exception or timeout. Sent to the model as a tool error.</summary>
public sealed record ToolCallFailed : RunEvent
{
    public required string CallId { get; init; }

    public required string ToolName { get; init; }

    /// <summary><c>unknown_tool</c>, <c>invalid_arguments</c>, <c>exception</c> or <c>timeout</c>.</summary>
    public required string Reason { get; init; }

    public required string Error { get; init; }

    public double DurationMs { get; init; }
}

/// <summary>A non-idempotent tool had started when the run was interrupted; it is not re-run and the model is told so.</summary>
public sealed record ToolCallInterrupted : RunEvent
{
    public required string CallId { get; init; }

    public required string ToolName { get; init; }
}

/// <summary>The model gave its final answer (a turn without tool calls) or called <c>complete_task</c>.</summary>
public sealed record RunCompleted : RunEvent
{
    public required string Result { get; init; }

    /// <summary><c>final_answer</c> or <c>complete_task</c>.</summary>
    public required string CompletedBy { get; init; }
}

/// <summary>The run cannot go on, e.g. the provider is down after retries and fallback.</summary>
public sealed record RunFailed : RunEvent
{
    public required string Error { get; init; }

    /// <summary>
    /// The provider error kind (e.g. <c>Unavailable</c>) or, for other expected failures of the LLM layer, their family:
    /// <c>BudgetExceeded</c>, <c>RateLimited</c>, <c>Routing</c>, <c>Configuration</c>. Defects are never recorded as a failed run.
    /// </summary>
    public required string ErrorKind { get; init; }

    public string? Provider { get; init; }
}

/// <summary>A person or the system cancelled the run; it will not continue.</summary>
public sealed record RunCancelled : RunEvent
{
    public string? Reason { get; init; }

    public string? CancelledBy { get; init; }
}

/// <summary>
/// The model's answer (a turn without tool calls) was cut off — finish reason <c>length</c> (output token limit) or
/// <c>content_filter</c> — so the run ends without a complete answer. Never recorded as <see cref="RunCompleted"/>.
/// </summary>
public sealed record RunIncomplete : RunEvent
{
    /// <summary>The finish reason that cut the answer: <c>length</c> or <c>content_filter</c>.</summary>
    public required string FinishReason { get; init; }

    /// <summary>The cut answer, as far as it got.</summary>
    public required string Result { get; init; }

    /// <summary>Whether a finish reason means the answer was cut off: <c>length</c> or <c>content_filter</c>.</summary>
    public static bool IsCutOff(string finishReason) =>
        finishReason == ChatFinishReason.Length.Value || finishReason == ChatFinishReason.ContentFilter.Value;
}

/// <summary>The run hit its iteration limit; <see cref="Result"/> is the model's best answer from the final tools-disabled turn.</summary>
public sealed record RunMaxIterationsReached : RunEvent
{
    public required string Result { get; init; }

    public int Iterations { get; init; }
}

/// <summary>The run's USD or token budget was used up before the next model call.</summary>
public sealed record RunBudgetExceeded : RunEvent
{
    /// <summary><c>usd</c> or <c>tokens</c>.</summary>
    public required string Limit { get; init; }

    public decimal LimitValue { get; init; }

    public decimal Spent { get; init; }

    /// <summary>The last assistant text, if any.</summary>
    public string? Result { get; init; }
}

/// <summary>The seed's end-of-run event, kept for consumers that expect its shape (<c>session_id</c>, <c>task_id</c>, <c>trace</c>).</summary>
public sealed record AgentReasoningCompleted : RunEvent
{
    public required string SessionId { get; init; }

    public string? TaskId { get; init; }

    public required string Status { get; init; }

    public IReadOnlyList<SeedTraceStep> Trace { get; init; } = [];
}

/// <summary>One step of the seed's reasoning trace (<c>AgentReasoningCompleted.trace[]</c>).</summary>
public sealed record SeedTraceStep
{
    /// <summary>ISO-8601 timestamp.</summary>
    public required string Timestamp { get; init; }

    public required string Thought { get; init; }

    /// <summary><c>think</c>, <c>tool_call</c>, <c>respond</c> or <c>ask_human</c>.</summary>
    public required string Action { get; init; }

    public string? ToolName { get; init; }

    public JsonElement? ToolInput { get; init; }

    public string? ToolOutput { get; init; }
}

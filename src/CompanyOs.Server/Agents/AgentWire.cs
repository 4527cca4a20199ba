using System.Text.Json;
using System.Text.Json.Serialization;

namespace CompanyOs.Server.Agents;

// The JSON of the agent API (docs/server.md, "Agent API"): snake_case, optional fields left out when empty.

/// <summary>A run: <c>GET /v1/runs/{id}</c>, and the answer of start, cancel, resume and decisions.</summary>
internal sealed record RunObject
{
    public required string Id { get; init; }

    public string Object { get; init; } = "agent.run";

    public string? Org { get; init; }

    public required string Agent { get; init; }

    /// <summary><c>running</c>, <c>awaiting_approval</c>, <c>completed</c>, <c>failed</c>, <c>cancelled</c>, <c>incomplete</c>, <c>max_iterations</c>, <c>budget_exceeded</c>.</summary>
    public required string Status { get; init; }

    public required string Task { get; init; }

    public string? Result { get; init; }

    public string? Error { get; init; }

    public int Iterations { get; init; }

    public required RunUsage Usage { get; init; }

    public decimal CostUsd { get; init; }

    /// <summary>True when a call could not be priced: <see cref="CostUsd"/> is then a lower bound.</summary>
    public bool CostIncomplete { get; init; }

    /// <summary>True when the models were answered by the CompanyOS emulator, not a real provider.</summary>
    public bool Emulated { get; init; }

    /// <summary>The capability the run was started for, when it was.</summary>
    public string? Capability { get; init; }

    /// <summary>In the run object; not in list summaries (the read model keeps what a list shows).</summary>
    public string? Autonomy { get; init; }

    public int? MaxIterations { get; init; }

    public string? PromptName { get; init; }

    public string? PromptVersion { get; init; }

    /// <summary>The pending decisions (in the run object; not in list summaries).</summary>
    public IReadOnlyList<DecisionObject>? Pending { get; init; }

    public int PendingCount { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }
}

internal sealed record RunUsage(long InputTokens, long OutputTokens, long TotalTokens);

/// <summary>A page of runs, newest first.</summary>
internal sealed record RunList(IReadOnlyList<RunObject> Data, bool HasMore, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? NextCursor)
{
    public string Object { get; init; } = "list";
}

/// <summary>A pending approval or question.</summary>
internal sealed record DecisionObject
{
    public required string Id { get; init; }

    public required string RunId { get; init; }

    public string? Agent { get; init; }

    /// <summary><c>approval</c> or <c>question</c>.</summary>
    public required string Kind { get; init; }

    public string? CallId { get; init; }

    public string? Tool { get; init; }

    public JsonElement? Arguments { get; init; }

    public string? Reason { get; init; }

    public string? Question { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>The tool's JSON schema, to edit the arguments against.</summary>
    public JsonElement? ArgumentsSchema { get; init; }
}

internal sealed record DecisionList(IReadOnlyList<DecisionObject> Data)
{
    public string Object { get; init; } = "list";
}

internal sealed record PromptObject
{
    public string Object { get; init; } = "prompt";

    public required string Name { get; init; }

    public string? Description { get; init; }

    public required IReadOnlyList<string> Versions { get; init; }

    public string? LatestVersion { get; init; }

    public required IReadOnlyList<PromptVariableObject> Variables { get; init; }
}

internal sealed record PromptVariableObject(string Name, string Type, bool Required, string? Description, JsonElement? Default);

internal sealed record PromptList(IReadOnlyList<PromptObject> Data)
{
    public string Object { get; init; } = "list";
}

internal sealed record RenderedPromptObject(string Name, string Version, string? System, string? User, IReadOnlyList<PromptMessageObject> Messages)
{
    public string Object { get; init; } = "prompt.rendered";
}

internal sealed record PromptMessageObject(string Role, string Content);

/// <summary><c>event: end</c> of a run's event stream.</summary>
internal sealed record StreamEnd(string Status);

/// <summary><c>event: delta</c>: streamed model text (transient, no id).</summary>
internal sealed record StreamDelta(string Text, int Iteration, bool? Restart);

// Request bodies, read by hand (to name the offending field) and declared here for the OpenAPI document.

internal sealed record StartRunBody(
    string Agent, string? Task, string? Capability, Dictionary<string, JsonElement>? Variables, string? Autonomy, int? MaxIterations, string? IdempotencyKey);

internal sealed record CancelRunBody(string? Reason);

internal sealed record ApproveBody(JsonElement? Arguments);

internal sealed record RejectBody(string Reason);

internal sealed record AnswerBody(string Answer);

internal sealed record RenderPromptBody(string? Version, Dictionary<string, JsonElement>? Variables);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RunObject))]
[JsonSerializable(typeof(RunList))]
[JsonSerializable(typeof(DecisionList))]
[JsonSerializable(typeof(PromptList))]
[JsonSerializable(typeof(PromptObject))]
[JsonSerializable(typeof(RenderedPromptObject))]
[JsonSerializable(typeof(StreamEnd))]
[JsonSerializable(typeof(StreamDelta))]
[JsonSerializable(typeof(StartRunBody))]
[JsonSerializable(typeof(CancelRunBody))]
[JsonSerializable(typeof(ApproveBody))]
[JsonSerializable(typeof(RejectBody))]
[JsonSerializable(typeof(AnswerBody))]
[JsonSerializable(typeof(RenderPromptBody))]
[JsonSerializable(typeof(JsonDocument))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;

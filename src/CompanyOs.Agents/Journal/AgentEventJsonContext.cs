using System.Text.Json.Serialization;

namespace CompanyOs.Agents.Journal;

/// <summary>Source-generated JSON for every run event payload (snake_case, as the seed's events).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true)]
[JsonSerializable(typeof(RunStarted))]
[JsonSerializable(typeof(LlmCallCompleted))]
[JsonSerializable(typeof(LlmCallInterrupted))]
[JsonSerializable(typeof(AssistantMessage))]
[JsonSerializable(typeof(ToolCallRequested))]
[JsonSerializable(typeof(ApprovalRequested))]
[JsonSerializable(typeof(ApprovalGranted))]
[JsonSerializable(typeof(ApprovalRejected))]
[JsonSerializable(typeof(ApprovalExpired))]
[JsonSerializable(typeof(QuestionAsked))]
[JsonSerializable(typeof(QuestionAnswered))]
[JsonSerializable(typeof(ToolCallStarted))]
[JsonSerializable(typeof(ToolCallCompleted))]
[JsonSerializable(typeof(ToolCallFailed))]
[JsonSerializable(typeof(ToolCallInterrupted))]
[JsonSerializable(typeof(RunCompleted))]
[JsonSerializable(typeof(RunFailed))]
[JsonSerializable(typeof(RunCancelled))]
[JsonSerializable(typeof(RunMaxIterationsReached))]
[JsonSerializable(typeof(RunBudgetExceeded))]
[JsonSerializable(typeof(RunIncomplete))]
[JsonSerializable(typeof(AgentReasoningCompleted))]
public sealed partial class AgentEventJsonContext : JsonSerializerContext;

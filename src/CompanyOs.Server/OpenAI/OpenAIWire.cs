using System.Text.Json;
using System.Text.Json.Serialization;

namespace CompanyOs.Server.OpenAI;

// The OpenAI Chat Completions wire format (request, response, stream chunk, error), as the official SDKs send and parse it.
// Fields that are unions in the spec (content, tool_choice, stop) stay JsonElement and are checked by ChatRequestReader.

internal sealed class ChatCompletionRequest
{
    public string? Model { get; set; }
    public List<ChatMessageWire?>? Messages { get; set; }
    public List<ToolWire?>? Tools { get; set; }
    public JsonElement ToolChoice { get; set; }
    public bool? ParallelToolCalls { get; set; }
    public double? Temperature { get; set; }
    public double? TopP { get; set; }
    public int? MaxTokens { get; set; }
    public int? MaxCompletionTokens { get; set; }
    public JsonElement Stop { get; set; }
    public long? Seed { get; set; }
    public double? FrequencyPenalty { get; set; }
    public double? PresencePenalty { get; set; }
    public int? N { get; set; }
    public ResponseFormatWire? ResponseFormat { get; set; }
    public string? User { get; set; }
    public Dictionary<string, string>? Metadata { get; set; }
    public bool? Stream { get; set; }
    public StreamOptionsWire? StreamOptions { get; set; }
}

internal sealed class ChatMessageWire
{
    public string? Role { get; set; }
    public JsonElement Content { get; set; }
    public string? Name { get; set; }
    public List<ToolCallWire?>? ToolCalls { get; set; }
    public string? ToolCallId { get; set; }
}

internal sealed class ToolCallWire
{
    public string? Id { get; set; }
    public string? Type { get; set; }
    public FunctionCallWire? Function { get; set; }
}

internal sealed class FunctionCallWire
{
    public string? Name { get; set; }
    public string? Arguments { get; set; }
}

internal sealed class ToolWire
{
    public string? Type { get; set; }
    public FunctionWire? Function { get; set; }
}

internal sealed class FunctionWire
{
    public string? Name { get; set; }
    public string? Description { get; set; }
    public JsonElement Parameters { get; set; }
    public bool? Strict { get; set; }
}

internal sealed class ResponseFormatWire
{
    public string? Type { get; set; }
    public JsonSchemaFormatWire? JsonSchema { get; set; }
}

internal sealed class JsonSchemaFormatWire
{
    public string? Name { get; set; }
    public string? Description { get; set; }
    public JsonElement Schema { get; set; }
    public bool? Strict { get; set; }
}

internal sealed class StreamOptionsWire
{
    public bool? IncludeUsage { get; set; }
}

internal sealed class ChatCompletionResponse
{
    public required string Id { get; init; }
    public string Object { get; init; } = "chat.completion";
    public long Created { get; init; }
    public required string Model { get; init; }
    public required List<ChoiceWire> Choices { get; init; }
    public UsageWire? Usage { get; init; }
}

internal sealed class ChoiceWire
{
    public int Index { get; init; }
    public required AssistantMessageWire Message { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public JsonElement? Logprobs { get; init; }
    public required string FinishReason { get; init; }
}

internal sealed class AssistantMessageWire
{
    public string Role { get; init; } = "assistant";
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Content { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Refusal { get; init; }
    public List<ToolCallOutWire>? ToolCalls { get; init; }
}

internal sealed class ToolCallOutWire
{
    /// <summary>Position of the call; only in stream chunks, where deltas of one call share it.</summary>
    public int? Index { get; init; }
    public string? Id { get; init; }
    public string? Type { get; init; }
    public required FunctionCallWire Function { get; init; }
}

internal sealed class UsageWire
{
    public long PromptTokens { get; init; }
    public long CompletionTokens { get; init; }
    public long TotalTokens { get; init; }
    public PromptTokensDetailsWire? PromptTokensDetails { get; init; }
}

internal sealed class PromptTokensDetailsWire
{
    public long CachedTokens { get; init; }
}

internal sealed class ChatCompletionChunk
{
    public required string Id { get; init; }
    public string Object { get; init; } = "chat.completion.chunk";
    public long Created { get; init; }
    public required string Model { get; init; }
    public required List<ChunkChoiceWire> Choices { get; init; }

    /// <summary>Written (as null on every chunk but the last) only when the client asked for <c>include_usage</c>.</summary>
    public UsageWire? Usage { get; init; }
}

internal sealed class ChunkChoiceWire
{
    public int Index { get; init; }
    public required DeltaWire Delta { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public JsonElement? Logprobs { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? FinishReason { get; init; }
}

internal sealed class DeltaWire
{
    public string? Role { get; init; }
    public string? Content { get; init; }
    public List<ToolCallOutWire>? ToolCalls { get; init; }
}

internal sealed class OpenAIErrorBody
{
    public required OpenAIErrorWire Error { get; init; }
}

internal sealed class OpenAIErrorWire
{
    public required string Message { get; init; }
    public required string Type { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Param { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Code { get; init; }
}

internal sealed class ModelListWire
{
    public string Object { get; init; } = "list";
    public required List<ModelWire> Data { get; init; }
}

internal sealed class ModelWire
{
    public required string Id { get; init; }
    public string Object { get; init; } = "model";
    public long Created { get; init; }
    public required string OwnedBy { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ChatCompletionRequest))]
[JsonSerializable(typeof(List<ChatMessageWire?>))]
[JsonSerializable(typeof(List<ToolWire?>))]
[JsonSerializable(typeof(ResponseFormatWire))]
[JsonSerializable(typeof(StreamOptionsWire))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(ChatCompletionResponse))]
[JsonSerializable(typeof(ChatCompletionChunk))]
[JsonSerializable(typeof(OpenAIErrorBody))]
[JsonSerializable(typeof(ModelListWire))]
[JsonSerializable(typeof(ModelWire))]
internal sealed partial class OpenAIJsonContext : JsonSerializerContext;

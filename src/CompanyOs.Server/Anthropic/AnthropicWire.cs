using System.Text.Json;
using System.Text.Json.Serialization;

namespace CompanyOs.Server.Anthropic;

// The Anthropic Messages wire format (request, message, stream events, error). Content blocks of a request stay
// JsonElement (a string or an array of typed blocks) and are checked by MessagesRequestReader.

internal sealed class MessagesRequest
{
    public string? Model { get; set; }
    public int? MaxTokens { get; set; }
    public List<AnthropicMessageWire?>? Messages { get; set; }
    public JsonElement System { get; set; }
    public List<AnthropicToolWire?>? Tools { get; set; }
    public AnthropicToolChoiceWire? ToolChoice { get; set; }
    public double? Temperature { get; set; }
    public double? TopP { get; set; }
    public int? TopK { get; set; }
    public List<string>? StopSequences { get; set; }
    public bool? Stream { get; set; }
    public JsonElement Metadata { get; set; }
}

internal sealed class AnthropicMessageWire
{
    public string? Role { get; set; }
    public JsonElement Content { get; set; }
}

internal sealed class AnthropicToolWire
{
    public string? Type { get; set; }
    public string? Name { get; set; }
    public string? Description { get; set; }
    public JsonElement InputSchema { get; set; }
}

internal sealed class AnthropicToolChoiceWire
{
    public string? Type { get; set; }
    public string? Name { get; set; }
    public bool? DisableParallelToolUse { get; set; }
}

internal sealed class MessageWire
{
    public required string Id { get; init; }
    public string Type { get; init; } = "message";
    public string Role { get; init; } = "assistant";
    public required string Model { get; init; }
    public required List<ContentBlockWire> Content { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? StopReason { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? StopSequence { get; init; }
    public required AnthropicUsageWire Usage { get; init; }
}

internal sealed class ContentBlockWire
{
    public required string Type { get; init; }
    public string? Text { get; init; }
    public string? Id { get; init; }
    public string? Name { get; init; }
    public JsonElement? Input { get; init; }

    /// <summary>Who invoked a tool; current API versions send <c>direct</c> (the model) and the SDK requires it.</summary>
    public CallerWire? Caller { get; init; }
}

internal sealed class CallerWire
{
    public string Type { get; init; } = "direct";
}

internal sealed class AnthropicUsageWire
{
    public long InputTokens { get; init; }
    public long CacheCreationInputTokens { get; init; }
    public long CacheReadInputTokens { get; init; }
    public long OutputTokens { get; init; }
}

internal sealed class MessageStartEvent
{
    public string Type { get; init; } = "message_start";
    public required MessageWire Message { get; init; }
}

internal sealed class ContentBlockStartEvent
{
    public string Type { get; init; } = "content_block_start";
    public int Index { get; init; }
    public required ContentBlockWire ContentBlock { get; init; }
}

internal sealed class ContentBlockDeltaEvent
{
    public string Type { get; init; } = "content_block_delta";
    public int Index { get; init; }
    public required BlockDeltaWire Delta { get; init; }
}

internal sealed class BlockDeltaWire
{
    public required string Type { get; init; }
    public string? Text { get; init; }
    public string? PartialJson { get; init; }
}

internal sealed class ContentBlockStopEvent
{
    public string Type { get; init; } = "content_block_stop";
    public int Index { get; init; }
}

internal sealed class MessageDeltaEvent
{
    public string Type { get; init; } = "message_delta";
    public required MessageDeltaWire Delta { get; init; }
    public required AnthropicUsageWire Usage { get; init; }
}

internal sealed class MessageDeltaWire
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? StopReason { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? StopSequence { get; init; }
}

internal sealed class MessageStopEvent
{
    public string Type { get; init; } = "message_stop";
}

internal sealed class CountTokensResponse
{
    public int InputTokens { get; init; }
}

internal sealed class AnthropicErrorBody
{
    public string Type { get; init; } = "error";
    public required AnthropicErrorWire Error { get; init; }
}

internal sealed class AnthropicErrorWire
{
    public required string Type { get; init; }
    public required string Message { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MessagesRequest))]
[JsonSerializable(typeof(MessageWire))]
[JsonSerializable(typeof(MessageStartEvent))]
[JsonSerializable(typeof(ContentBlockStartEvent))]
[JsonSerializable(typeof(ContentBlockDeltaEvent))]
[JsonSerializable(typeof(ContentBlockStopEvent))]
[JsonSerializable(typeof(MessageDeltaEvent))]
[JsonSerializable(typeof(MessageStopEvent))]
[JsonSerializable(typeof(AnthropicErrorBody))]
[JsonSerializable(typeof(CountTokensResponse))]
internal sealed partial class AnthropicJsonContext : JsonSerializerContext;

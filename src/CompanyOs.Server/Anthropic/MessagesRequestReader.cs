using System.Text.Json;
using CompanyOs.Server.Errors;
using Microsoft.Extensions.AI;

namespace CompanyOs.Server.Anthropic;

/// <summary>An Anthropic Messages request, checked and translated for the gateway.</summary>
internal sealed record MessagesCall(string Model, List<ChatMessage> Messages, ChatOptions Options, bool Stream);

/// <summary>
/// Checks an Anthropic Messages request like Anthropic does (400 naming the field as <c>messages.1.content.0.tool_use_id</c>)
/// and translates it to Microsoft.Extensions.AI messages and options.
/// </summary>
internal static class MessagesRequestReader
{
    /// <param name="request">The request body.</param>
    /// <param name="requireMaxTokens">False for <c>count_tokens</c>, which takes no <c>max_tokens</c>.</param>
    public static MessagesCall Read(MessagesRequest request, bool requireMaxTokens = true)
    {
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            throw Invalid("model", "Field required: a configured model id or alias.");
        }

        if (request.MaxTokens is null && requireMaxTokens)
        {
            throw Invalid("max_tokens", "Field required.");
        }

        var maxTokens = request.MaxTokens;
        if (maxTokens < 1)
        {
            throw Invalid("max_tokens", $"must be at least 1, got {maxTokens}.");
        }

        if (request.Messages is not { Count: > 0 } wire)
        {
            throw Invalid("messages", "must be a non-empty array.");
        }

        var options = new ChatOptions
        {
            ModelId = request.Model,
            MaxOutputTokens = maxTokens,
            Temperature = InRange(request.Temperature, 1, "temperature"),
            TopP = InRange(request.TopP, 1, "top_p"),
            TopK = request.TopK is < 0 ? throw Invalid("top_k", "must not be negative.") : request.TopK,
            StopSequences = request.StopSequences,
        };
        ReadTools(request, options);
        var messages = System(request.System);
        messages.AddRange(MessagesContentReader.Read(wire));
        return new MessagesCall(request.Model, messages, options, request.Stream == true);
    }

    private static float? InRange(double? value, double max, string name) => value switch
    {
        null => null,
        { } v when v >= 0 && v <= max => (float)v,
        { } v => throw Invalid(name, $"must be between 0 and {max}, got {v}."),
    };

    private static List<ChatMessage> System(JsonElement system)
    {
        switch (system.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                return [];
            case JsonValueKind.String:
                return [new ChatMessage(ChatRole.System, system.GetString())];
            case JsonValueKind.Array:
                var texts = new List<AIContent>();
                var i = 0;
                foreach (var block in system.EnumerateArray())
                {
                    texts.Add(block.ValueKind == JsonValueKind.Object && block.TryGetProperty("type", out var t) && t.GetString() == "text"
                              && block.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String
                        ? new TextContent(text.GetString())
                        : throw Invalid($"system.{i}", "system blocks must be text blocks."));
                    i++;
                }

                return [new ChatMessage(ChatRole.System, texts)];
            default:
                throw Invalid("system", "must be a string or an array of text blocks.");
        }
    }

    private static void ReadTools(MessagesRequest request, ChatOptions options)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < (request.Tools?.Count ?? 0); i++)
        {
            var tool = request.Tools![i] ?? throw Invalid($"tools.{i}", "must be an object.");
            if (tool.Type is not (null or "custom"))
            {
                throw Invalid($"tools.{i}.type", $"only custom tools (name, description, input_schema) are supported, got '{tool.Type}'.");
            }

            if (string.IsNullOrWhiteSpace(tool.Name))
            {
                throw Invalid($"tools.{i}.name", "Field required.");
            }

            if (tool.InputSchema.ValueKind != JsonValueKind.Object)
            {
                throw Invalid($"tools.{i}.input_schema", "Field required: a JSON schema object.");
            }

            names.Add(tool.Name);
            (options.Tools ??= []).Add(AIFunctionFactory.CreateDeclaration(tool.Name, tool.Description, tool.InputSchema.Clone()));
        }

        if (request.ToolChoice is not { } choice)
        {
            return;
        }

        options.ToolMode = choice.Type switch
        {
            "auto" => ChatToolMode.Auto,
            "none" => ChatToolMode.None,
            "any" when names.Count > 0 => ChatToolMode.RequireAny,
            "tool" when choice.Name is { } name && names.Contains(name) => ChatToolMode.RequireSpecific(name),
            "any" or "tool" => throw Invalid("tool_choice", $"tool_choice '{choice.Type}' needs {(choice.Type == "tool" ? $"'name' naming one of 'tools' (got '{choice.Name}')" : "at least one tool")}."),
            _ => throw Invalid("tool_choice.type", $"must be 'auto', 'any', 'tool' or 'none', got '{choice.Type}'."),
        };
        if (choice.DisableParallelToolUse == true)
        {
            options.AllowMultipleToolCalls = false;
        }
    }

    /// <summary>Anthropic's messages start with the field's dotted path.</summary>
    internal static ApiRequestException Invalid(string field, string problem) => new(ApiError.Invalid(field, $"{field}: {problem}"));
}

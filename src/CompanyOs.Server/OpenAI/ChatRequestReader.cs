using System.Text.Json;
using CompanyOs.Llm.PassThrough;
using CompanyOs.Server.Errors;
using Microsoft.Extensions.AI;

namespace CompanyOs.Server.OpenAI;

/// <summary>
/// An OpenAI chat completions request, checked and translated for the gateway; <paramref name="PassThrough"/>: its
/// pass-through form when <see cref="ChatRequestView"/> read it (null from the full reader: the caller scans the body for it).
/// </summary>
internal sealed record ChatCall(
    string Model, IList<ChatMessage> Messages, ChatOptions Options, bool Stream, bool IncludeUsage, PassThroughRequest? PassThrough = null);

/// <summary>
/// Checks an OpenAI chat completions request like OpenAI does (400 naming the field in OpenAI's notation, e.g.
/// <c>messages[2].tool_call_id</c>) and translates it to Microsoft.Extensions.AI messages and options.
/// </summary>
internal static class ChatRequestReader
{
    /// <summary>What a function without <c>parameters</c> takes: nothing.</summary>
    private static readonly JsonElement NoParameters = ParseOnce("""{"type":"object","properties":{}}""");

    public static ChatCall Read(ChatCompletionRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            throw Invalid("model", "'model' is required: a configured model id or alias.");
        }

        if (request.Messages is not { Count: > 0 } wireMessages)
        {
            throw Invalid("messages", "'messages' must be a non-empty array.");
        }

        var options = ReadOptions(request);
        return new ChatCall(request.Model, ChatMessageReader.Read(wireMessages), options,
            request.Stream == true, request.StreamOptions?.IncludeUsage == true);
    }

    /// <summary>Checks and translates everything but the messages (the request's model must have been checked).</summary>
    public static ChatOptions ReadOptions(ChatCompletionRequest request)
    {
        var options = new ChatOptions { ModelId = request.Model };
        ReadSampling(request, options);
        ReadTools(request, options);
        options.ResponseFormat = ReadResponseFormat(request.ResponseFormat);
        if (request.StreamOptions is not null && request.Stream != true)
        {
            throw Invalid("stream_options", "'stream_options' is only allowed when 'stream' is true.");
        }

        return options;
    }

    private static void ReadSampling(ChatCompletionRequest request, ChatOptions options)
    {
        options.Temperature = InRange(request.Temperature, 0, 2, "temperature");
        options.TopP = InRange(request.TopP, 0, 1, "top_p");
        options.FrequencyPenalty = InRange(request.FrequencyPenalty, -2, 2, "frequency_penalty");
        options.PresencePenalty = InRange(request.PresencePenalty, -2, 2, "presence_penalty");
        if (request.N is { } n && n != 1)
        {
            throw Invalid("n", $"'n' must be 1 (one choice per request), got {n}.");
        }

        if (request.MaxTokens is < 1 || request.MaxCompletionTokens is < 1)
        {
            var name = request.MaxCompletionTokens is < 1 ? "max_completion_tokens" : "max_tokens";
            throw Invalid(name, $"'{name}' must be at least 1.");
        }

        options.MaxOutputTokens = request.MaxCompletionTokens ?? request.MaxTokens;
        options.Seed = request.Seed;
        options.StopSequences = ReadStop(request.Stop);
    }

    private static float? InRange(double? value, double min, double max, string name) => value switch
    {
        null => null,
        { } v when v >= min && v <= max => (float)v,
        { } v => throw Invalid(name, $"'{name}' must be between {min} and {max}, got {v}."),
    };

    private static List<string>? ReadStop(JsonElement stop)
    {
        switch (stop.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                return [stop.GetString()!];
            case JsonValueKind.Array when stop.GetArrayLength() <= 4 && stop.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String):
                return [.. stop.EnumerateArray().Select(s => s.GetString()!)];
            default:
                throw Invalid("stop", "'stop' must be a string or an array of at most 4 strings.");
        }
    }

    private static void ReadTools(ChatCompletionRequest request, ChatOptions options)
    {
        // Most requests name no tools: no set for them.
        HashSet<string>? names = null;
        if (request.Tools is { Count: > 0 } tools)
        {
            options.Tools = [];
            names = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < tools.Count; i++)
            {
                var tool = tools[i];
                if (tool?.Type != "function" || tool.Function is null)
                {
                    throw Invalid($"tools[{i}].type", $"tools[{i}]: only tools of type 'function' with a 'function' object are supported.");
                }

                if (string.IsNullOrWhiteSpace(tool.Function.Name))
                {
                    throw Invalid($"tools[{i}].function.name", $"tools[{i}].function.name is required.");
                }

                if (tool.Function.Parameters.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null or JsonValueKind.Object))
                {
                    throw Invalid($"tools[{i}].function.parameters", $"tools[{i}].function.parameters must be a JSON schema object.");
                }

                names.Add(tool.Function.Name);
                var schema = tool.Function.Parameters.ValueKind == JsonValueKind.Object
                    ? tool.Function.Parameters.Clone()
                    : NoParameters;
                options.Tools.Add(AIFunctionFactory.CreateDeclaration(tool.Function.Name, tool.Function.Description, schema));
            }
        }

        options.ToolMode = ReadToolChoice(request.ToolChoice, names);
        options.AllowMultipleToolCalls = request.ParallelToolCalls;
    }

    private static ChatToolMode? ReadToolChoice(JsonElement choice, HashSet<string>? tools)
    {
        switch (choice.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                return choice.GetString() switch
                {
                    "auto" => ChatToolMode.Auto,
                    "none" => ChatToolMode.None,
                    "required" when tools is { Count: > 0 } => ChatToolMode.RequireAny,
                    "required" => throw Invalid("tool_choice", "tool_choice 'required' needs at least one tool in 'tools'."),
                    var other => throw Invalid("tool_choice", $"tool_choice must be 'auto', 'none', 'required' or a named function, got '{other}'."),
                };
            case JsonValueKind.Object
                when choice.TryGetProperty("function", out var function)
                     && function.ValueKind == JsonValueKind.Object
                     && function.TryGetProperty("name", out var name)
                     && name.ValueKind == JsonValueKind.String:
                var toolName = name.GetString()!;
                return tools?.Contains(toolName) == true
                    ? ChatToolMode.RequireSpecific(toolName)
                    : throw Invalid("tool_choice", $"tool_choice names function '{toolName}', which is not in 'tools'.");
            default:
                throw Invalid("tool_choice", "tool_choice must be a string or {\"type\":\"function\",\"function\":{\"name\":...}}.");
        }
    }

    private static ChatResponseFormat? ReadResponseFormat(ResponseFormatWire? format) => format?.Type switch
    {
        null when format is null => null,
        "text" => ChatResponseFormat.Text,
        "json_object" => ChatResponseFormat.Json,
        "json_schema" when format.JsonSchema is { Schema.ValueKind: JsonValueKind.Object } schema =>
            ChatResponseFormat.ForJsonSchema(schema.Schema.Clone(), schema.Name, schema.Description),
        "json_schema" => throw Invalid("response_format.json_schema", "response_format of type 'json_schema' needs json_schema.schema (an object)."),
        var other => throw Invalid("response_format.type", $"response_format.type must be 'text', 'json_object' or 'json_schema', got '{other}'."),
    };

    private static JsonElement ParseOnce(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    internal static ApiRequestException Invalid(string param, string message) => new(ApiError.Invalid(param, message));
}

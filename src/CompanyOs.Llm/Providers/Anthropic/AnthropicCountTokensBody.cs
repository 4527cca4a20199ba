using System.Text.Json;
using System.Text.Json.Nodes;
using CompanyOs.Llm.Serialization;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Providers.Anthropic;

/// <summary>
/// Builds the <c>/v1/messages/count_tokens</c> body (model, system, messages, tools) in Anthropic's wire format from
/// Microsoft.Extensions.AI messages: text, tool_use and tool_result blocks; tool messages become user turns and
/// consecutive turns of one role are merged, as the Messages API requires.
/// </summary>
internal static class AnthropicCountTokensBody
{
    public static Dictionary<string, JsonElement>? Build(IEnumerable<ChatMessage> messages, ChatOptions? options, string model)
    {
        var system = new List<string>();
        if (!string.IsNullOrWhiteSpace(options?.Instructions))
        {
            system.Add(options.Instructions);
        }

        var turns = new JsonArray();
        string? lastRole = null;
        JsonArray? lastContent = null;
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                system.Add(message.Text);
                continue;
            }

            var role = message.Role == ChatRole.Assistant ? "assistant" : "user";
            var blocks = Blocks(message);
            if (blocks.Count == 0)
            {
                continue;
            }

            if (role == lastRole && lastContent is not null)
            {
                foreach (var block in blocks.ToList())
                {
                    blocks.Remove(block);
                    lastContent.Add(block);
                }

                continue;
            }

            lastRole = role;
            lastContent = blocks;
            turns.Add((JsonNode)new JsonObject { ["role"] = role, ["content"] = blocks });
        }

        if (turns.Count == 0)
        {
            return null;
        }

        var body = new JsonObject { ["model"] = model, ["messages"] = turns };
        if (system.Count > 0)
        {
            body["system"] = string.Join("\n\n", system);
        }

        var tools = new JsonArray();
        foreach (var tool in options?.Tools ?? [])
        {
            if (tool is AIFunctionDeclaration function)
            {
                tools.Add((JsonNode)new JsonObject
                {
                    ["name"] = function.Name,
                    ["description"] = function.Description,
                    ["input_schema"] = JsonNode.Parse(function.JsonSchema.GetRawText()),
                });
            }
        }

        if (tools.Count > 0)
        {
            body["tools"] = tools;
        }

        return body.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value, LlmJsonContext.Default.JsonNode));
    }

    private static JsonArray Blocks(ChatMessage message)
    {
        var blocks = new JsonArray();
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent { Text.Length: > 0 } text:
                    blocks.Add((JsonNode)new JsonObject { ["type"] = "text", ["text"] = text.Text });
                    break;
                case FunctionCallContent call:
                    blocks.Add((JsonNode)new JsonObject
                    {
                        ["type"] = "tool_use",
                        ["id"] = call.CallId,
                        ["name"] = call.Name,
                        ["input"] = JsonSerializer.SerializeToNode(call.Arguments ?? new Dictionary<string, object?>(), LlmJson.AI<IDictionary<string, object?>>()),
                    });
                    break;
                case FunctionResultContent result:
                    blocks.Add((JsonNode)new JsonObject
                    {
                        ["type"] = "tool_result",
                        ["tool_use_id"] = result.CallId,
                        ["content"] = result.Result switch
                        {
                            null => string.Empty,
                            string s => s,
                            JsonElement e => e.GetRawText(),
                            var other => JsonSerializer.Serialize(other, LlmJson.AnyValue),
                        },
                    });
                    break;
            }
        }

        return blocks;
    }
}

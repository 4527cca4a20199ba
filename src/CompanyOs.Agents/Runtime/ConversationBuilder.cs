using System.Text.Json;
using CompanyOs.Agents.Runs;
using Microsoft.Extensions.AI;

namespace CompanyOs.Agents.Runtime;

/// <summary>
/// Rebuilds the chat history from a run's state alone: system, few-shot pairs, task, then each assistant message with all
/// its tool calls followed by one tool message carrying every call's result (same call ids, model order).
/// </summary>
internal static class ConversationBuilder
{
    public static List<ChatMessage> Build(RunState state, string? finalInstruction)
    {
        var start = state.Start ?? throw new InvalidOperationException("The run has not started.");
        var messages = new List<ChatMessage>(3 + start.FewShot.Count + (state.Turns.Count * 2))
        {
            new(ChatRole.System, start.SystemPrompt),
        };
        foreach (var example in start.FewShot)
        {
            messages.Add(new ChatMessage(example.Role == "assistant" ? ChatRole.Assistant : ChatRole.User, example.Text));
        }

        messages.Add(new ChatMessage(ChatRole.User, start.UserMessage));
        foreach (var turn in state.Turns)
        {
            var assistant = new ChatMessage { Role = ChatRole.Assistant };
            if (!string.IsNullOrEmpty(turn.Text))
            {
                assistant.Contents.Add(new TextContent(turn.Text));
            }

            var results = new ChatMessage { Role = ChatRole.Tool };
            foreach (var id in turn.CallIds)
            {
                var call = state.Calls[id];
                assistant.Contents.Add(new FunctionCallContent(call.CallId, call.ToolName, ToDictionary(call.Arguments)));
                results.Contents.Add(new FunctionResultContent(call.CallId, call.Result ?? ToolResultText.Interrupted()));
            }

            messages.Add(assistant);
            if (results.Contents.Count > 0)
            {
                messages.Add(results);
            }
        }

        if (finalInstruction is not null)
        {
            messages.Add(new ChatMessage(ChatRole.User, finalInstruction));
        }

        return messages;
    }

    internal static Dictionary<string, object?> ToDictionary(JsonElement arguments)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (arguments.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in arguments.EnumerateObject())
            {
                result[property.Name] = property.Value;
            }
        }

        return result;
    }
}

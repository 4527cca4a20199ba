using CompanyOs.Emulator.Conversation;

namespace CompanyOs.Emulator.Model;

/// <summary>Facts about a conversation that decide what the scripted model does next.</summary>
internal sealed class ConversationFacts
{
    private ConversationFacts(string lastUserText, int userTurns, IReadOnlyList<(string Name, ToolResultPart Result)> pendingResults)
    {
        LastUserText = lastUserText;
        UserTurns = userTurns;
        PendingResults = pendingResults;
    }

    /// <summary>Text of the last user message that is not only tool results.</summary>
    public string LastUserText { get; }

    public int UserTurns { get; }

    /// <summary>Tool results that arrived after the last user text, with the called tool's name.</summary>
    public IReadOnlyList<(string Name, ToolResultPart Result)> PendingResults { get; }

    public static ConversationFacts From(IReadOnlyList<ConversationMessage> messages)
    {
        var named = NameResults(messages);
        var lastUser = -1;
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            if (IsUserText(messages[i]))
            {
                lastUser = i;
                break;
            }
        }

        var pending = named.Where(r => r.MessageIndex > lastUser).Select(r => (r.Name, r.Result)).ToArray();
        return new ConversationFacts(
            lastUser >= 0 ? messages[lastUser].Text : string.Empty,
            messages.Count(IsUserText),
            pending);
    }

    private static bool IsUserText(ConversationMessage m) => m.Role == ChatRole.User && m.ToolResults.Count == 0 && m.Text.Length > 0;

    /// <summary>
    /// Names every tool result: by explicit tool name, else by call id, else by position among the calls of the
    /// preceding assistant message (Ollama clients often send neither name nor id).
    /// </summary>
    private static List<(int MessageIndex, string Name, ToolResultPart Result)> NameResults(IReadOnlyList<ConversationMessage> messages)
    {
        var byId = new Dictionary<string, string>(StringComparer.Ordinal);
        IReadOnlyList<ToolCallPart> lastCalls = [];
        var position = 0;
        var named = new List<(int, string, ToolResultPart)>();
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message.ToolCalls.Count > 0)
            {
                lastCalls = message.ToolCalls;
                position = 0;
                foreach (var call in message.ToolCalls)
                {
                    byId[call.Id] = call.Name;
                }
            }

            foreach (var result in message.ToolResults)
            {
                var name = result.ToolName
                    ?? (result.CallId is not null && byId.TryGetValue(result.CallId, out var n) ? n : null)
                    ?? (position < lastCalls.Count ? lastCalls[position].Name : "tool");
                position++;
                named.Add((i, name, result));
            }
        }

        return named;
    }
}

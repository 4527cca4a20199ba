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
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var call in messages.SelectMany(m => m.ToolCalls))
        {
            names[call.Id] = call.Name;
        }

        var pending = new List<(string, ToolResultPart)>();
        var lastUserText = string.Empty;
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            var message = messages[i];
            for (var r = message.ToolResults.Count - 1; r >= 0; r--)
            {
                var result = message.ToolResults[r];
                var name = result.ToolName
                    ?? (result.CallId is not null && names.TryGetValue(result.CallId, out var n) ? n : "tool");
                pending.Insert(0, (name, result));
            }

            if (message.Role == ChatRole.User && message.ToolResults.Count == 0 && message.Text.Length > 0)
            {
                lastUserText = message.Text;
                break;
            }
        }

        var userTurns = messages.Count(m => m.Role == ChatRole.User && m.ToolResults.Count == 0);
        return new ConversationFacts(lastUserText, userTurns, pending);
    }
}

namespace CompanyOs.Emulator.Conversation;

/// <summary>One message of a request, reduced to what the scripted model needs.</summary>
internal sealed record ConversationMessage(
    ChatRole Role,
    string Text,
    IReadOnlyList<ToolCallPart> ToolCalls,
    IReadOnlyList<ToolResultPart> ToolResults)
{
    public static ConversationMessage FromText(ChatRole role, string text) => new(role, text, [], []);
}

namespace CompanyOs.Emulator.Conversation;

/// <summary>How the client asked the model to use tools.</summary>
internal sealed record ToolChoice(ToolChoiceMode Mode, string? ToolName = null)
{
    public static ToolChoice Auto { get; } = new(ToolChoiceMode.Auto);
}

namespace CompanyOs.Emulator.Conversation;

/// <summary>Tool-use modes common to the three wire formats.</summary>
internal enum ToolChoiceMode
{
    Auto,
    None,
    Required,
    Specific,
}

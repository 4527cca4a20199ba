namespace CompanyOs.Emulator.Conversation;

/// <summary>Provider-neutral message role.</summary>
internal enum ChatRole
{
    System,
    User,
    Assistant,
    Tool,
}

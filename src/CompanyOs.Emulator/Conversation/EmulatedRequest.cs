namespace CompanyOs.Emulator.Conversation;

/// <summary>A chat request parsed from any of the three wire formats.</summary>
internal sealed record EmulatedRequest(
    EmulatorProvider Provider,
    string Model,
    bool Stream,
    IReadOnlyList<ConversationMessage> Messages,
    IReadOnlyList<ToolSpec> Tools)
{
    public ToolChoice ToolChoice { get; init; } = ToolChoice.Auto;

    public int? MaxOutputTokens { get; init; }

    public IReadOnlyList<string> StopSequences { get; init; } = [];

    /// <summary>OpenAI <c>stream_options.include_usage</c>.</summary>
    public bool IncludeUsage { get; init; }

    /// <summary>Value of the <c>x-emulator-tag</c> header, used to match scripted turns.</summary>
    public string? Tag { get; init; }

    /// <summary>Whether parallel tool calls are allowed (OpenAI <c>parallel_tool_calls</c>, Anthropic <c>disable_parallel_tool_use</c>).</summary>
    public bool ParallelToolCalls { get; init; } = true;
}

namespace CompanyOs.Emulator.Scripting;

/// <summary>Why a scripted turn ends; rendered as each provider's own value.</summary>
public enum ScriptedFinishReason
{
    /// <summary>Natural end (<c>stop</c> / <c>end_turn</c> / <c>stop</c>).</summary>
    Stop,

    /// <summary>Output limit reached (<c>length</c> / <c>max_tokens</c> / <c>length</c>).</summary>
    Length,

    /// <summary>The turn requests tool calls (<c>tool_calls</c> / <c>tool_use</c> / <c>stop</c>).</summary>
    ToolCalls,

    /// <summary>Blocked by a content filter (<c>content_filter</c> / <c>refusal</c> / <c>stop</c>).</summary>
    ContentFilter,
}

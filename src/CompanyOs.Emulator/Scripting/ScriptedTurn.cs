using System.Text.Json;

namespace CompanyOs.Emulator.Scripting;

/// <summary>
/// One model turn that tests enqueue on <see cref="EmulatorServer.Script"/> to control exactly what the next
/// matching request returns. Build with <see cref="Text"/> or <see cref="ToolCalls(ValueTuple{string, string}[])"/>
/// and refine with the <c>With…</c>/<c>For…</c> methods.
/// </summary>
public sealed record ScriptedTurn
{
    private ScriptedTurn(string text, IReadOnlyList<ScriptedToolCall> toolCalls)
    {
        Content = text;
        Calls = toolCalls;
    }

    /// <summary>Assistant text (may be empty when the turn only calls tools).</summary>
    public string Content { get; init; }

    /// <summary>Tool calls, in order; several calls form one parallel assistant turn.</summary>
    public IReadOnlyList<ScriptedToolCall> Calls { get; init; }

    /// <summary>Finish reason; null means derived (tool calls → <see cref="ScriptedFinishReason.ToolCalls"/>, else stop).</summary>
    public ScriptedFinishReason? FinishReason { get; init; }

    /// <summary>Only requests for this exact model id consume the turn; null matches any model.</summary>
    public string? Model { get; init; }

    /// <summary>Only requests to this provider's routes consume the turn; null matches any provider.</summary>
    public EmulatorProvider? Provider { get; init; }

    /// <summary>Only requests carrying this <c>x-emulator-tag</c> header value consume the turn; null matches any.</summary>
    public string? Tag { get; init; }

    /// <summary>
    /// Only requests whose conversation already holds exactly this many assistant messages consume the turn (0 = the
    /// first model turn of a conversation); null matches any position.
    /// </summary>
    public int? Position { get; init; }

    /// <summary>
    /// When true the turn stays in the script after matching, so every matching request gets it — a retried request or a
    /// run resumed after a crash sees the same answer, as from a deterministic model.
    /// </summary>
    public bool Repeatable { get; init; }

    /// <summary>Overrides the input token count; null means counted with the tokenizer.</summary>
    public int? InputTokens { get; init; }

    /// <summary>Overrides the output token count; null means counted with the tokenizer.</summary>
    public int? OutputTokens { get; init; }

    /// <summary>Prompt tokens reported as read from the prompt cache (clamped to the input size).</summary>
    public int CacheReadTokens { get; init; }

    /// <summary>Prompt tokens reported as written to the prompt cache (clamped to the input size).</summary>
    public int CacheWriteTokens { get; init; }

    /// <summary>A text-only turn.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public static ScriptedTurn Text(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new ScriptedTurn(text, []);
    }

    /// <summary>A turn calling one or more tools in parallel: <c>ToolCalls(("web_search", "{\"query\":\"x\"}"))</c>.</summary>
    /// <exception cref="ArgumentException">No calls, an empty name, or arguments that are not a JSON object.</exception>
    public static ScriptedTurn ToolCalls(params (string Name, string ArgumentsJson)[] calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        return ToolCalls(calls.Select(c => new ScriptedToolCall(c.Name, c.ArgumentsJson)).ToArray());
    }

    /// <summary>A turn calling one or more tools in parallel.</summary>
    /// <exception cref="ArgumentException">No calls, an empty name, or arguments that are not a JSON object.</exception>
    public static ScriptedTurn ToolCalls(params ScriptedToolCall[] calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        if (calls.Length == 0)
        {
            throw new ArgumentException("A tool-call turn needs at least one call.", nameof(calls));
        }

        for (var i = 0; i < calls.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(calls[i].Name))
            {
                throw new ArgumentException($"Tool call {i} has an empty name.", nameof(calls));
            }

            if (!IsJsonObject(calls[i].ArgumentsJson))
            {
                throw new ArgumentException($"Tool call {i} ('{calls[i].Name}'): arguments must be a JSON object text.", nameof(calls));
            }
        }

        return new ScriptedTurn(string.Empty, calls);
    }

    /// <summary>Adds text that precedes the tool calls in the same assistant turn.</summary>
    public ScriptedTurn WithText(string text) => this with { Content = text ?? throw new ArgumentNullException(nameof(text)) };

    /// <summary>Restricts the turn to requests for <paramref name="model"/>.</summary>
    public ScriptedTurn ForModel(string model) => this with { Model = model };

    /// <summary>Restricts the turn to requests to <paramref name="provider"/>'s routes.</summary>
    public ScriptedTurn ForProvider(EmulatorProvider provider) => this with { Provider = provider };

    /// <summary>Restricts the turn to requests carrying header <c>x-emulator-tag: {tag}</c>.</summary>
    public ScriptedTurn ForTag(string tag) => this with { Tag = tag };

    /// <summary>
    /// Restricts the turn to the given position in a conversation (the number of assistant messages the request already
    /// holds) and keeps it for every such request: a script keyed by conversation state rather than by arrival order.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="position"/> is negative.</exception>
    public ScriptedTurn AtPosition(int position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        return this with { Position = position, Repeatable = true };
    }

    /// <summary>Keeps the turn in the script after it matches (see <see cref="Repeatable"/>).</summary>
    public ScriptedTurn Repeating() => this with { Repeatable = true };

    /// <summary>Reports the given prompt-cache token counts.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative count.</exception>
    public ScriptedTurn WithCacheTokens(int read, int write)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(read);
        ArgumentOutOfRangeException.ThrowIfNegative(write);
        return this with { CacheReadTokens = read, CacheWriteTokens = write };
    }

    /// <summary>Reports exactly these token counts instead of tokenizer counts.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative count.</exception>
    public ScriptedTurn WithUsage(int inputTokens, int outputTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(outputTokens);
        return this with { InputTokens = inputTokens, OutputTokens = outputTokens };
    }

    /// <summary>Overrides the finish reason.</summary>
    public ScriptedTurn WithFinishReason(ScriptedFinishReason reason) => this with { FinishReason = reason };

    internal bool Matches(EmulatorProvider provider, string model, string? tag, int position) =>
        (Provider is null || Provider == provider)
        && (Position is null || Position == position)
        && (Model is null || string.Equals(Model, model, StringComparison.Ordinal))
        && (Tag is null || string.Equals(Tag, tag, StringComparison.Ordinal));

    private static bool IsJsonObject(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

using System.Text.Json;
using CompanyOs.Llm.Serialization;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Tokens;

/// <summary>
/// What <see cref="TiktokenTokenCounter.EstimatePromptTokens"/> counts in a request's messages, gathered straight from a wire
/// body without building <see cref="ChatMessage"/>s (see <c>DeferredChatMessages</c>): the number of messages and each text
/// the estimate tokenizes separately — message text, a function call's name, id and arguments, a function result's id and
/// text. Counting these gives the same estimate as counting the messages they stand for (tested on varied requests).
/// </summary>
public sealed class PromptTexts
{
    private readonly List<string> _texts = [];

    /// <summary>Messages added so far (each carries the estimate's per-message framing and role).</summary>
    public int MessageCount { get; private set; }

    /// <summary>The texts to count, in message order.</summary>
    public IReadOnlyList<string> Texts => _texts;

    /// <summary>Starts the next message.</summary>
    public void AddMessage() => MessageCount++;

    /// <summary>A text part of the current message (<see cref="TextContent"/>).</summary>
    public void AddText(string? text) => _texts.Add(text ?? string.Empty);

    /// <summary>A function call of the current message, counted as its <see cref="FunctionCallContent"/> would be.</summary>
    public void AddFunctionCall(string callId, string name, IDictionary<string, object?>? arguments)
    {
        ArgumentNullException.ThrowIfNull(callId);
        ArgumentNullException.ThrowIfNull(name);
        _texts.Add(name);
        _texts.Add(callId);
        _texts.Add(ArgumentsText(arguments));
    }

    /// <summary>A function result of the current message (<see cref="FunctionResultContent"/> with a string result).</summary>
    public void AddFunctionResult(string callId, string? result)
    {
        ArgumentNullException.ThrowIfNull(callId);
        _texts.Add(callId);
        _texts.Add(result ?? string.Empty);
    }

    /// <summary>The text a function call's arguments are counted as (one definition for both ways of estimating).</summary>
    internal static string ArgumentsText(IDictionary<string, object?>? arguments) =>
        JsonSerializer.Serialize(arguments, LlmJson.AI<IDictionary<string, object?>?>());
}

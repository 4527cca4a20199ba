using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Errors;
using Microsoft.Extensions.AI;
using OllamaSharp.Models.Exceptions;

namespace CompanyOs.Llm.Providers.Ollama;

/// <summary>
/// Ollama specifics: errors arrive as <c>{"error": "..."}</c> bodies (OllamaSharp's <see cref="OllamaException"/>), the
/// stream ends with <c>done: true</c>, usage is <c>prompt_eval_count</c>/<c>eval_count</c> (no prompt cache).
/// </summary>
internal sealed class OllamaDialect : ProviderDialect
{
    public override ProviderKind Kind => ProviderKind.Ollama;

    public override int? StatusFrom(Exception exception) =>
        exception is HttpRequestException { StatusCode: { } status } ? (int)status : null;

    public override ProviderErrorKind? KindFrom(Exception exception) => exception switch
    {
        ModelDoesNotSupportToolsException => ProviderErrorKind.BadRequest,
        _ => null,
    };

    public override ChatResponse Normalise(ChatResponse response)
    {
        foreach (var message in response.Messages)
        {
            EnsureCallIds(message.Contents);
        }

        // Ollama reports done_reason "stop" even when the turn is tool calls.
        if (response.FinishReason == ChatFinishReason.Stop && response.Messages.Any(m => m.Contents.OfType<FunctionCallContent>().Any()))
        {
            response.FinishReason = ChatFinishReason.ToolCalls;
        }

        return base.Normalise(response);
    }

    public override StreamTracker StartStream() => new OllamaStreamTracker(this);

    /// <summary>Ollama's wire format has no tool-call ids; give each call one so results can be paired with it in history.</summary>
    public static void EnsureCallIds(IList<AIContent> contents)
    {
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is FunctionCallContent { CallId: null or "" } call)
            {
                contents[i] = new FunctionCallContent($"call_{Guid.NewGuid():N}"[..29], call.Name, call.Arguments)
                {
                    RawRepresentation = call.RawRepresentation,
                    AdditionalProperties = call.AdditionalProperties,
                };
            }
        }
    }
}

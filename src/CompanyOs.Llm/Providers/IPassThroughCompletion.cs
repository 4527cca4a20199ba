using CompanyOs.Llm.Errors;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Providers;

/// <summary>
/// What a provider client does with a pass-through answer (<see cref="OpenAI.OpenAIPassThrough.SendAsync"/>), run inside the
/// pass-through's own async state rather than in one of the client's around it: the error translation, then normalising
/// the answer.
/// </summary>
internal interface IPassThroughCompletion
{
    /// <summary>Whether <paramref name="exception"/> is translated (<see cref="Translate"/>); else it is thrown as it is.</summary>
    bool IsTranslatable(Exception exception, HttpExchange exchange, CancellationToken cancellationToken);

    /// <summary>The provider error for a failed send or read; <paramref name="exchange"/> holds the response's status.</summary>
    ProviderException Translate(Exception exception, HttpExchange exchange);

    /// <summary>The answer as the client hands it back (normalised; <paramref name="model"/> when it names none).</summary>
    ChatResponse Complete(ChatResponse response, string model);
}

using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Errors;
using global::Anthropic.Exceptions;
using global::Anthropic.Models.Messages;
using System.Text.Json;
using System.Text.Json.Nodes;
using CompanyOs.Llm.Serialization;
using Microsoft.Extensions.AI;

namespace CompanyOs.Llm.Providers.Anthropic;

/// <summary>Anthropic specifics: error types, usage from the raw message, and <c>message_stop</c> as the end of a stream.</summary>
internal sealed class AnthropicDialect : ProviderDialect
{
    public override ProviderKind Kind => ProviderKind.Anthropic;

    public override int? StatusFrom(Exception exception) =>
        exception is AnthropicApiException api ? (int)api.StatusCode : null;

    public override ProviderErrorKind? KindFrom(Exception exception) =>
        exception is AnthropicServiceException service ? FromErrorType(service.Type?.ToString()) : null;

    public override bool IsMalformed(Exception exception) => exception is AnthropicInvalidDataException;

    public override ChatResponse Normalise(ChatResponse response)
    {
        if (response.RawRepresentation is Message { Usage: { } u })
        {
            response.Usage = AnthropicUsage.Create(u.InputTokens, u.OutputTokens, u.CacheReadInputTokens, u.CacheCreationInputTokens);
        }

        return response;
    }

    public override StreamTracker StartStream() => new AnthropicStreamTracker();

    /// <summary>
    /// The SDK's chat adapter (13.14) does not map <see cref="ChatOptions.Temperature"/>; it does start from the body of a
    /// <see cref="MessageCreateParams"/> given by <see cref="ChatOptions.RawRepresentationFactory"/>, so temperature goes there.
    /// </summary>
    public override ChatOptions PrepareRequest(ChatOptions options)
    {
        if (options.Temperature is not { } temperature || options.RawRepresentationFactory is not null)
        {
            return options;
        }

        // The adapter reads the required members of the raw params: "messages" are prepended (an empty list adds none);
        // model and max_tokens are the values this request would have used anyway.
        var body = new Dictionary<string, JsonElement>
        {
            ["model"] = JsonSerializer.SerializeToElement(options.ModelId, LlmJsonContext.Default.String),
            ["max_tokens"] = JsonSerializer.SerializeToElement(options.MaxOutputTokens ?? ProviderClientFactory.DefaultMaxOutputTokens, LlmJsonContext.Default.Int32),
            ["temperature"] = JsonSerializer.SerializeToElement((double)temperature, LlmJsonContext.Default.Double),
            ["messages"] = JsonSerializer.SerializeToElement(new JsonArray(), LlmJsonContext.Default.JsonNode),
        };
        var empty = new Dictionary<string, JsonElement>();
        options.RawRepresentationFactory = _ => MessageCreateParams.FromRawUnchecked(empty, empty, body);
        return options;
    }

    /// <summary>Error types Anthropic sends in error bodies and in-stream <c>error</c> events.</summary>
    public static ProviderErrorKind? FromErrorType(string? type) => type switch
    {
        "overloaded_error" => ProviderErrorKind.Overloaded,
        "rate_limit_error" => ProviderErrorKind.RateLimited,
        "api_error" => ProviderErrorKind.ServerError,
        "authentication_error" => ProviderErrorKind.Authentication,
        "permission_error" => ProviderErrorKind.PermissionDenied,
        "not_found_error" => ProviderErrorKind.NotFound,
        "invalid_request_error" or "request_too_large" => ProviderErrorKind.BadRequest,
        "timeout_error" => ProviderErrorKind.Timeout,
        _ => null,
    };
}

using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Errors;
using global::Anthropic.Exceptions;
using global::Anthropic.Models.Messages;
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

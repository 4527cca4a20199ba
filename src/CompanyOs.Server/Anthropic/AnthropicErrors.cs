using CompanyOs.Server.Errors;

namespace CompanyOs.Server.Anthropic;

/// <summary>Anthropic's error JSON, <c>{"type":"error","error":{"type","message"}}</c>, with Anthropic's error types.</summary>
internal static class AnthropicErrors
{
    public static AnthropicErrorBody Body(ApiError error) => new()
    {
        Error = new AnthropicErrorWire
        {
            Type = error.Kind switch
            {
                ApiErrorKind.Authentication => "authentication_error",
                ApiErrorKind.PermissionDenied => "permission_error",
                ApiErrorKind.NotFound => "not_found_error",
                ApiErrorKind.RequestTooLarge => "request_too_large",
                ApiErrorKind.RateLimited => "rate_limit_error",
                ApiErrorKind.InsufficientQuota => "billing_error",
                ApiErrorKind.UpstreamFailed or ApiErrorKind.UpstreamUnavailable => "api_error",
                ApiErrorKind.UpstreamTimeout => "timeout_error",
                _ => "invalid_request_error",
            },
            Message = error.Message,
        },
    };

    public static IResult Result(ApiError error, HttpResponse response)
    {
        ErrorHeaders.Apply(error, response);
        return TypedResults.Json(Body(error), AnthropicJsonContext.Default.AnthropicErrorBody, statusCode: error.StatusCode);
    }
}

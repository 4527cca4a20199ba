using CompanyOs.Server.Errors;

namespace CompanyOs.Server.OpenAI;

/// <summary>OpenAI's error JSON, <c>{"error":{"message","type","param","code"}}</c>, with OpenAI's types and codes.</summary>
internal static class OpenAIErrors
{
    public static OpenAIErrorBody Body(ApiError error)
    {
        var (type, code) = error.Kind switch
        {
            ApiErrorKind.Authentication => ("invalid_request_error", "invalid_api_key"),
            ApiErrorKind.PermissionDenied => ("invalid_request_error", "permission_denied"),
            ApiErrorKind.NotFound => ("invalid_request_error", error.Param == "model" ? "model_not_found" : null),
            ApiErrorKind.Conflict => ("invalid_request_error", "conflict"),
            ApiErrorKind.RequestTooLarge => ("invalid_request_error", "request_too_large"),
            ApiErrorKind.UnsupportedMediaType => ("invalid_request_error", "unsupported_media_type"),
            ApiErrorKind.RequestTimeout => ("invalid_request_error", "request_timeout"),
            ApiErrorKind.RateLimited => ("requests", "rate_limit_exceeded"),
            ApiErrorKind.InsufficientQuota => ("insufficient_quota", "insufficient_quota"),
            ApiErrorKind.UpstreamFailed => ("server_error", "upstream_error"),
            ApiErrorKind.UpstreamUnavailable => ("server_error", "upstream_unavailable"),
            ApiErrorKind.UpstreamTimeout => ("server_error", "upstream_timeout"),
            _ => ("invalid_request_error", (string?)null),
        };
        return new OpenAIErrorBody { Error = new OpenAIErrorWire { Message = error.Message, Type = type, Param = error.Param, Code = code } };
    }

    public static IResult Result(ApiError error, HttpResponse response)
    {
        ErrorHeaders.Apply(error, response);
        return TypedResults.Json(Body(error), OpenAIJsonContext.Default.OpenAIErrorBody, statusCode: error.StatusCode);
    }
}

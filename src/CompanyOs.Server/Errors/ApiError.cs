namespace CompanyOs.Server.Errors;

/// <summary>What went wrong with a request, independent of the wire format it is reported in.</summary>
internal enum ApiErrorKind
{
    InvalidRequest,
    Authentication,
    PermissionDenied,
    NotFound,
    Conflict,
    RequestTooLarge,
    UnsupportedMediaType,
    RequestTimeout,
    RateLimited,
    InsufficientQuota,
    UpstreamFailed,
    UpstreamUnavailable,
    UpstreamTimeout,
}

/// <summary>
/// One failed request: each wire format renders it in its own error JSON. <see cref="Param"/> names the offending field in
/// the wire's own notation; <see cref="Message"/> never carries a provider key or an upstream body.
/// </summary>
internal sealed record ApiError(ApiErrorKind Kind, string Message, string? Param = null, TimeSpan? RetryAfter = null)
{
    public int StatusCode => Kind switch
    {
        ApiErrorKind.InvalidRequest => 400,
        ApiErrorKind.Authentication => 401,
        ApiErrorKind.PermissionDenied => 403,
        ApiErrorKind.NotFound => 404,
        ApiErrorKind.Conflict => 409,
        ApiErrorKind.RequestTooLarge => 413,
        ApiErrorKind.UnsupportedMediaType => 415,
        ApiErrorKind.RequestTimeout => 408,
        ApiErrorKind.RateLimited or ApiErrorKind.InsufficientQuota => 429,
        ApiErrorKind.UpstreamFailed => 502,
        ApiErrorKind.UpstreamUnavailable => 503,
        ApiErrorKind.UpstreamTimeout => 504,
        _ => 500,
    };

    public static ApiError Invalid(string param, string message) => new(ApiErrorKind.InvalidRequest, message, param);
}

/// <summary>A request the server refuses; thrown while reading or mapping it, turned into the wire's error at the endpoint.</summary>
internal sealed class ApiRequestException(ApiError error) : Exception(error.Message)
{
    public ApiError Error { get; } = error;
}

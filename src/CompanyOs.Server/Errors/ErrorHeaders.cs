namespace CompanyOs.Server.Errors;

internal static class ErrorHeaders
{
    /// <summary><c>Retry-After</c> for rate limits (and known upstream waits) — never for an exhausted budget, where waiting does not help.</summary>
    public static void Apply(ApiError error, HttpResponse response)
    {
        if (error.RetryAfter is { } wait && error.Kind != ApiErrorKind.InsufficientQuota)
        {
            response.Headers.RetryAfter = GatewayErrors.Seconds(wait);
        }
    }
}

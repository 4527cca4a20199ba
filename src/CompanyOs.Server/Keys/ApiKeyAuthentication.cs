using System.Globalization;
using CompanyOs.Server.Errors;
using CompanyOs.Server.Hosting;
using Microsoft.Extensions.Options;

namespace CompanyOs.Server.Keys;

/// <summary>
/// The <c>/v1</c> group's filter: with a key store configured, every request needs a key (<c>Authorization: Bearer</c> or
/// <c>x-api-key</c>) that is known, not revoked, holds the <c>gateway</c> scope and is within its requests per minute; its
/// org pays for the call. Without a
/// store, every call is attributed to the server's default org. Errors use the wire format of the endpoint.
/// </summary>
internal static class ApiKeyAuthentication
{
    public static RouteGroupBuilder RequireApiKeys(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var store = http.RequestServices.GetService<SqliteApiKeyStore>();
            if (store is null)
            {
                http.Features.Set(new Caller(http.RequestServices.GetRequiredService<IOptions<ServerOptions>>().Value.DefaultOrg, null));
                return await next(context);
            }

            var key = Presented(http.Request);
            var record = key is null ? null : await store.FindAsync(key, http.RequestAborted);
            var error = (key, record) switch
            {
                (null, _) => new ApiError(ApiErrorKind.Authentication, "Missing API key: send it as 'Authorization: Bearer cos_…' or in 'x-api-key'."),
                (_, null) => new ApiError(ApiErrorKind.Authentication, "Invalid API key."),
                (_, { RevokedAt: not null }) => new ApiError(ApiErrorKind.Authentication, "This API key has been revoked."),
                (_, _) when !record.Allows(ApiKey.GatewayScope) => new ApiError(ApiErrorKind.PermissionDenied, $"This API key lacks the '{ApiKey.GatewayScope}' scope."),
                _ => null,
            };
            var admitted = true;
            var wait = TimeSpan.Zero;
            if (error is null)
            {
                admitted = http.RequestServices.GetRequiredService<KeyRateLimits>().TryAdmit(record!, out wait, out var remaining);
                if (remaining is { } left)
                {
                    // OpenAI's names, for the key's own limit (the providers' limits are the gateway's business).
                    http.Response.Headers["x-ratelimit-limit-requests"] = record!.Rpm!.Value.ToString(CultureInfo.InvariantCulture);
                    http.Response.Headers["x-ratelimit-remaining-requests"] = left.ToString(CultureInfo.InvariantCulture);
                }
            }

            if (!admitted)
            {
                error = new ApiError(ApiErrorKind.RateLimited,
                    $"Rate limit reached for this API key ({record!.Rpm} requests per minute). Retry after {GatewayErrors.Seconds(wait)} s.", RetryAfter: wait);
            }

            if (error is not null)
            {
                return WireErrors.Result(http, error);
            }

            http.Features.Set(new Caller(record!.Org, record.Id) { Models = record.Models });
            return await next(context);
        });
        return group;
    }

    private static string? Presented(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim() is { Length: > 0 } bearer ? bearer : null;
        }

        return request.Headers["x-api-key"].ToString() is { Length: > 0 } apiKey ? apiKey : null;
    }
}

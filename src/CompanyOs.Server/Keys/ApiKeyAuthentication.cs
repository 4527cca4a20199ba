using System.Data.Common;
using System.Globalization;
using CompanyOs.Server.Errors;
using CompanyOs.Server.Gateway;
using CompanyOs.Server.Hosting;
using Microsoft.Extensions.Options;

namespace CompanyOs.Server.Keys;

/// <summary>
/// The <c>/v1</c> group's filter: with a key store configured, every request needs a key (<c>Authorization: Bearer</c> or
/// <c>x-api-key</c>) that is known, not revoked, holds the group's scope (<c>gateway</c>; none for reads any key may make)
/// and is within its requests per minute; its
/// org pays for the call. Without a store, every call is attributed to the server's default org. Errors use the wire
/// format of the endpoint.
/// </summary>
internal static class ApiKeyAuthentication
{
    private static RateLimitHeaders.NumberText? _rpmText;

    /// <param name="group">The routes.</param>
    /// <param name="scope">The scope every request of the group needs; null: any valid key (endpoints check their own).</param>
    public static RouteGroupBuilder RequireApiKeys(this RouteGroupBuilder group, string? scope = ApiKey.GatewayScope)
    {
        // The application's singletons, not HttpContext.RequestServices (whose first use creates a DI scope per request).
        var services = ((IEndpointRouteBuilder)group).ServiceProvider;

        // Not an async lambda: a key found in the cache and admitted at once (every call but the first of a key, nearly) goes
        // on to the endpoint without an async state of the filter's own.
        group.AddEndpointFilter((context, next) =>
        {
            var authenticating = AuthenticateAsync(context.HttpContext, services, scope);
            return authenticating.IsCompletedSuccessfully
                ? Continue(context, next, authenticating.Result)
                : ContinueWhenAuthenticatedAsync(context, next, authenticating);
        });
        return group;
    }

    private static ValueTask<object?> Continue(EndpointFilterInvocationContext context, EndpointFilterDelegate next, (Caller? Caller, ApiError? Error) result)
    {
        var http = context.HttpContext;
        if (result.Error is not null)
        {
            return ValueTask.FromResult<object?>(WireErrors.Result(http, result.Error));
        }

        http.Features.Set(result.Caller);
        return next(context);
    }

    private static async ValueTask<object?> ContinueWhenAuthenticatedAsync(
        EndpointFilterInvocationContext context, EndpointFilterDelegate next, ValueTask<(Caller? Caller, ApiError? Error)> authenticating) =>
        await Continue(context, next, await authenticating);

    private static async ValueTask<(Caller? Caller, ApiError? Error)> AuthenticateAsync(HttpContext http, IServiceProvider services, string? scope)
    {
        var store = services.GetService<ApiKeyStore>();
        if (store is null)
        {
            return (new Caller(services.GetRequiredService<IOptions<ServerOptions>>().Value.DefaultOrg, null), null);
        }

        var presented = Presented(http.Request);
        ApiKeyRecord? record;
        try
        {
            record = presented.IsEmpty ? null : await store.FindAsync(presented.Span, http.RequestAborted);
        }
        catch (DbException)
        {
            return (null, GatewayErrors.StoreUnavailable);
        }

        switch (presented.IsEmpty, record)
        {
            case (true, _):
                return (null, new ApiError(ApiErrorKind.Authentication, "Missing API key: send it as 'Authorization: Bearer cos_…' or in 'x-api-key'."));
            case (_, null):
                return (null, new ApiError(ApiErrorKind.Authentication, "Invalid API key."));
            case (_, { RevokedAt: not null }):
                return (null, new ApiError(ApiErrorKind.Authentication, "This API key has been revoked."));
            case (_, _) when scope is not null && !record.Allows(scope):
                return (null, new ApiError(ApiErrorKind.PermissionDenied, $"This API key lacks the '{scope}' scope."));
        }

        var (admitted, wait, remaining) = await services.GetRequiredService<KeyRateLimits>().AdmitAsync(record, http.RequestAborted);
        if (remaining is { } left)
        {
            // OpenAI's names, for the key's own limit (the providers' limits are the gateway's business).
            http.Response.Headers["x-ratelimit-limit-requests"] = RateLimitHeaders.Number(record.Rpm!.Value, ref _rpmText);
            http.Response.Headers["x-ratelimit-remaining-requests"] = left.ToString(CultureInfo.InvariantCulture);
        }

        return admitted
            ? (new Caller(record.Org, record.Id) { Models = record.Models, BudgetUsd = record.BudgetUsd, Scopes = record.Scopes }, null)
            : (null, new ApiError(ApiErrorKind.RateLimited,
                $"Rate limit reached for this API key ({record.Rpm} requests per minute). Retry after {GatewayErrors.Seconds(wait)} s.", RetryAfter: wait));
    }

    /// <summary>The presented key, as a slice of its header's text (no copy on every request); empty when there is none.</summary>
    private static ReadOnlyMemory<char> Presented(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization.AsMemory("Bearer ".Length..).Trim();
        }

        return request.Headers["x-api-key"].ToString().AsMemory();
    }
}

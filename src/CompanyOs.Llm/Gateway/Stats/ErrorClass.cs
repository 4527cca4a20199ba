using CompanyOs.Llm.Errors;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Llm.Gateway.RateLimiting;
using CompanyOs.Llm.Gateway.Routing;

namespace CompanyOs.Llm.Gateway.Stats;

/// <summary>The stable, low-cardinality names under which failures are counted (stats rows and the <c>error.type</c> metric tag).</summary>
public static class ErrorClass
{
    public const string Cancelled = "cancelled";
    public const string BudgetExceeded = "budget_exceeded";
    public const string LocalRateLimit = "local_rate_limit";
    public const string Routing = "routing";
    public const string Unexpected = "unexpected";

    /// <summary>Classifies an exception that ended a call.</summary>
    public static string Of(Exception exception) => exception switch
    {
        ProviderException provider => Of(provider.Kind),
        BudgetExceededException => BudgetExceeded,
        RateLimitedException => LocalRateLimit,
        RoutingException => Routing,
        OperationCanceledException => Cancelled,
        _ => Unexpected,
    };

    public static string Of(ProviderErrorKind kind) => kind switch
    {
        ProviderErrorKind.RateLimited => "rate_limited",
        ProviderErrorKind.Overloaded => "overloaded",
        ProviderErrorKind.ServerError => "server_error",
        ProviderErrorKind.Unavailable => "unavailable",
        ProviderErrorKind.Timeout => "timeout",
        ProviderErrorKind.ConnectionFailed => "connection_failed",
        ProviderErrorKind.Authentication => "authentication",
        ProviderErrorKind.PermissionDenied => "permission_denied",
        ProviderErrorKind.BadRequest => "bad_request",
        ProviderErrorKind.NotFound => "not_found",
        ProviderErrorKind.StreamInterrupted => "stream_interrupted",
        ProviderErrorKind.MalformedResponse => "malformed_response",
        ProviderErrorKind.CircuitOpen => "circuit_open",
        _ => "provider_unknown",
    };
}

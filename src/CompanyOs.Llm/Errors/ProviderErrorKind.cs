namespace CompanyOs.Llm.Errors;

/// <summary>What went wrong upstream, independent of the provider's own error vocabulary.</summary>
public enum ProviderErrorKind
{
    Unknown = 0,
    /// <summary>HTTP 429: request or token rate limit at the provider.</summary>
    RateLimited,
    /// <summary>Anthropic 529 <c>overloaded_error</c> and similar capacity errors.</summary>
    Overloaded,
    /// <summary>HTTP 500/502.</summary>
    ServerError,
    /// <summary>HTTP 503/504.</summary>
    Unavailable,
    /// <summary>The per-attempt timeout elapsed or the upstream stopped answering.</summary>
    Timeout,
    /// <summary>Connection refused or reset, DNS failure, TLS failure.</summary>
    ConnectionFailed,
    /// <summary>HTTP 401: missing or invalid API key.</summary>
    Authentication,
    /// <summary>HTTP 403.</summary>
    PermissionDenied,
    /// <summary>HTTP 400/422: the request itself is invalid.</summary>
    BadRequest,
    /// <summary>HTTP 404: unknown model or endpoint.</summary>
    NotFound,
    /// <summary>A stream ended before its terminal event.</summary>
    StreamInterrupted,
    /// <summary>The upstream answered with a body that is not the provider's wire format.</summary>
    MalformedResponse,
    /// <summary>The gateway's circuit breaker for the provider is open: the call was not sent.</summary>
    CircuitOpen,
}

using CompanyOs.Llm.Errors;

namespace CompanyOs.Llm.Tests.Gateway.Fakes;

public enum MatrixFaultKind
{
    Status,
    Reset,
    CutAfter,
}

/// <summary>A fault the matrix injects into the next request of one provider; each harness maps it to its own mechanism.</summary>
public sealed record MatrixFault(MatrixFaultKind Kind, int StatusCode = 0, TimeSpan? RetryAfter = null, int Chunks = 0)
{
    public static MatrixFault Status(int statusCode, TimeSpan? retryAfter = null) => new(MatrixFaultKind.Status, statusCode, retryAfter);

    public static MatrixFault Reset() => new(MatrixFaultKind.Reset);

    public static MatrixFault CutAfter(int chunks) => new(MatrixFaultKind.CutAfter, Chunks: chunks);

    public override string ToString() => Kind switch
    {
        MatrixFaultKind.Status => RetryAfter is { } ra ? $"{StatusCode} (Retry-After {ra.TotalSeconds}s)" : StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
        MatrixFaultKind.CutAfter => $"cut after {Chunks} chunks",
        _ => "connection reset",
    };

    /// <summary>What a provider adapter raises for this fault (used by the fake provider).</summary>
    public ProviderException ToException(string provider) => Kind switch
    {
        MatrixFaultKind.Reset => new ProviderException(provider, ProviderErrorKind.ConnectionFailed, null, "connection reset"),
        MatrixFaultKind.CutAfter => new ProviderException(provider, ProviderErrorKind.StreamInterrupted, null, "stream cut"),
        _ => new ProviderException(provider, StatusCode switch
        {
            429 => ProviderErrorKind.RateLimited,
            500 or 502 => ProviderErrorKind.ServerError,
            503 or 504 => ProviderErrorKind.Unavailable,
            529 => ProviderErrorKind.Overloaded,
            400 or 422 => ProviderErrorKind.BadRequest,
            401 => ProviderErrorKind.Authentication,
            403 => ProviderErrorKind.PermissionDenied,
            404 => ProviderErrorKind.NotFound,
            _ => ProviderErrorKind.Unknown,
        }, StatusCode, $"HTTP {StatusCode}", RetryAfter),
    };
}

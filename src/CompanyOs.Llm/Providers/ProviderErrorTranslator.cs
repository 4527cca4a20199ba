using System.Net.Sockets;
using System.Text.Json;
using CompanyOs.Llm.Errors;

namespace CompanyOs.Llm.Providers;

/// <summary>
/// The one boundary where SDK and transport exceptions become <see cref="ProviderException"/>: kind from the HTTP status
/// (seen by <see cref="ProviderHttpObserver"/> or carried by the SDK exception), else from the exception family. The SDK
/// exception itself is not kept: it carries the upstream's body, which may echo the key; a <see cref="RedactedException"/> is.
/// </summary>
internal sealed class ProviderErrorTranslator(string provider, ProviderDialect dialect, string? apiKey)
{
    public ProviderException Timeout(TimeSpan timeout, bool streaming, Exception inner) =>
        new(provider, ProviderErrorKind.Timeout, null,
            $"Provider '{provider}' did not answer within {timeout.TotalSeconds:0.###}s{(streaming ? " (between stream events)" : string.Empty)}.",
            innerException: RedactedException.From(inner, apiKey));

    public ProviderException StreamEndedEarly() =>
        new(provider, ProviderErrorKind.StreamInterrupted, 200,
            $"Provider '{provider}' ended the stream without its terminal event; the response is incomplete.");

    public ProviderException Translate(Exception exception, HttpExchange exchange, bool producedOutput = false)
    {
        var status = exchange.StatusCode is >= 400 ? exchange.StatusCode : dialect.StatusFrom(exception);
        ProviderErrorKind kind;
        if (dialect.KindFrom(exception) is { } named)
        {
            kind = named;
        }
        else if (status is >= 400)
        {
            kind = FromStatus(status.Value);
        }
        else if (dialect.IsMalformed(exception) || Has<JsonException>(exception) || Has<FormatException>(exception)
            || (exception is ArgumentException && exchange.ResponseStarted))
        {
            kind = ProviderErrorKind.MalformedResponse;
        }
        else if (Has<HttpRequestException>(exception) || Has<IOException>(exception) || Has<SocketException>(exception))
        {
            // Once a 2xx response has begun, losing the connection truncates it; before that, nothing was received.
            kind = exchange.ResponseStarted || producedOutput ? ProviderErrorKind.StreamInterrupted : ProviderErrorKind.ConnectionFailed;
        }
        else
        {
            kind = ProviderErrorKind.Unknown;
        }

        var shownStatus = status is >= 400 ? status : exchange.StatusCode;
        var retryAfter = status is >= 400 ? exchange.RetryAfter : null;
        var wait = retryAfter is { } ra ? $"; retry after {ra.TotalSeconds:0.###}s" : string.Empty;
        var http = shownStatus is { } s ? $"HTTP {s}, " : string.Empty;
        return new ProviderException(provider, kind, shownStatus,
            $"Provider '{provider}' failed ({http}{kind}){wait}: {Describe(exception)}", retryAfter, RedactedException.From(exception, apiKey));
    }

    public static ProviderErrorKind FromStatus(int status) => status switch
    {
        429 => ProviderErrorKind.RateLimited,
        529 => ProviderErrorKind.Overloaded,
        401 => ProviderErrorKind.Authentication,
        403 => ProviderErrorKind.PermissionDenied,
        404 => ProviderErrorKind.NotFound,
        408 => ProviderErrorKind.Timeout,
        503 or 504 => ProviderErrorKind.Unavailable,
        >= 500 => ProviderErrorKind.ServerError,
        >= 400 => ProviderErrorKind.BadRequest,
        _ => ProviderErrorKind.Unknown,
    };

    private string Describe(Exception exception) => RedactedException.Scrub(exception.Message.ReplaceLineEndings(" "), apiKey, maxLength: 300);

    private static bool Has<T>(Exception exception)
        where T : Exception
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is T)
            {
                return true;
            }

            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(Has<T>))
            {
                return true;
            }
        }

        return false;
    }
}

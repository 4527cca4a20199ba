namespace CompanyOs.Llm.Providers;

/// <summary>
/// Sits under the SDK's HTTP client and records the status and <c>Retry-After</c> of each response into the
/// <see cref="HttpExchange"/> of the current call, because the SDKs' exceptions do not all expose response headers.
/// The current exchange flows with the async call, so one handler may serve any number of provider clients — including
/// handlers built by <c>IHttpClientFactory</c>, which the provider client never sees.
/// </summary>
internal sealed class ProviderHttpObserver : DelegatingHandler
{
    private static readonly AsyncLocal<HttpExchange?> Current = new();
    private readonly TimeProvider _timeProvider;

    /// <summary>For an <c>IHttpClientFactory</c> handler chain, which sets the inner handler.</summary>
    public ProviderHttpObserver(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
    }

    public ProviderHttpObserver(HttpMessageHandler inner, TimeProvider timeProvider)
        : base(inner)
    {
        _timeProvider = timeProvider;
    }

    /// <summary>Starts recording for the calling async flow.</summary>
    public static HttpExchange Begin()
    {
        var exchange = new HttpExchange();
        Current.Value = exchange;
        return exchange;
    }

    /// <summary>Makes <paramref name="exchange"/> current again (async iterators lose the value between steps).</summary>
    public static void Resume(HttpExchange exchange) => Current.Value = exchange;

    /// <summary>Without an exchange to record into (e.g. a pass-through call, which records its own), the request is handed straight on.</summary>
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Current.Value is { } exchange ? ObserveAsync(request, exchange, cancellationToken) : base.SendAsync(request, cancellationToken);

    private async Task<HttpResponseMessage> ObserveAsync(HttpRequestMessage request, HttpExchange exchange, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        exchange.StatusCode = (int)response.StatusCode;
        exchange.RetryAfter = response.IsSuccessStatusCode ? null : RetryAfterHeader.Parse(response.Headers, _timeProvider);
        return response;
    }
}

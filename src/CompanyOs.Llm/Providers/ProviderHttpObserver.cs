namespace CompanyOs.Llm.Providers;

/// <summary>
/// Sits under the SDK's HTTP client and records the status and <c>Retry-After</c> of each response into the
/// <see cref="HttpExchange"/> of the current call, because the SDKs' exceptions do not all expose response headers.
/// One instance per provider client; the current exchange flows with the async call.
/// </summary>
internal sealed class ProviderHttpObserver : DelegatingHandler
{
    private readonly AsyncLocal<HttpExchange?> _current = new();
    private readonly TimeProvider _timeProvider;

    public ProviderHttpObserver(HttpMessageHandler inner, TimeProvider timeProvider)
        : base(inner)
    {
        _timeProvider = timeProvider;
    }

    /// <summary>Starts recording for the calling async flow.</summary>
    public HttpExchange Begin()
    {
        var exchange = new HttpExchange();
        _current.Value = exchange;
        return exchange;
    }

    /// <summary>Makes <paramref name="exchange"/> current again (async iterators lose the value between steps).</summary>
    public void Resume(HttpExchange exchange) => _current.Value = exchange;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (_current.Value is { } exchange)
        {
            exchange.StatusCode = (int)response.StatusCode;
            exchange.RetryAfter = response.IsSuccessStatusCode ? null : RetryAfterHeader.Parse(response.Headers, _timeProvider);
        }

        return response;
    }
}

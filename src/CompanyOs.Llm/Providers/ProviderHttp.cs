namespace CompanyOs.Llm.Providers;

/// <summary>
/// One provider's HTTP: the <see cref="HttpClient"/> its SDK sends through, and the same handler chain (observer, the
/// application's handlers, the pooled <see cref="SocketsHttpHandler"/>) for the requests the gateway builds itself (the
/// pass-through). Those go straight to the handlers: <see cref="HttpClient.SendAsync(HttpRequestMessage, CancellationToken)"/>
/// links the caller's token with the client's own pending-requests source on every request (a linked source and its
/// registrations) and adds an async frame of its own, for features such a request does not use (a client timeout — the
/// gateway's are infinite —, a base address, response buffering). The client's <see cref="HttpClient.DefaultRequestHeaders"/>
/// (an application's <c>ConfigureHttpClient</c>) are still added, as the client would.
/// </summary>
internal sealed class ProviderHttp : IDisposable
{
    private readonly HttpMessageInvoker _handlers;

    /// <param name="client">The SDK's client; disposed with this (it owns the handlers only where it was created owning them).</param>
    /// <param name="handlers">The outermost handler of <paramref name="client"/>'s chain; not disposed by the direct path.</param>
    public ProviderHttp(HttpClient client, HttpMessageHandler handlers)
    {
        Client = client;
        _handlers = new HttpMessageInvoker(handlers, disposeHandler: false);
    }

    public HttpClient Client { get; }

    /// <summary>Sends <paramref name="request"/> (an absolute URI) through the client's handlers; the response comes at its headers.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var defaults = Client.DefaultRequestHeaders;
        if (defaults.NonValidated.Count > 0)
        {
            foreach (var (name, values) in defaults.NonValidated)
            {
                if (!request.Headers.NonValidated.Contains(name))
                {
                    request.Headers.TryAddWithoutValidation(name, values);
                }
            }
        }

        return _handlers.SendAsync(request, cancellationToken);
    }

    public void Dispose() => Client.Dispose();
}

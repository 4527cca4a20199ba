using CompanyOs.Llm.Providers;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace CompanyOs.Llm.Hosting;

/// <summary>
/// Shapes every <c>CompanyOs.Llm.*</c> named client of <see cref="IHttpClientFactory"/>: a pooled <see cref="SocketsHttpHandler"/>
/// that renews connections (the SDK keeps its client for the gateway's lifetime, so DNS changes must be picked up below it),
/// keeps no cookies and follows no redirects (<see cref="ProviderClientFactory.CreateDefaultHandler"/>)
/// and, outermost, the <see cref="ProviderHttpObserver"/> that error translation needs. It runs before the application's own
/// configuration of the same name, which may replace the primary handler or add handlers inside the observer.
/// </summary>
internal sealed class ProviderHttpClientSetup(TimeProvider time) : IConfigureNamedOptions<HttpClientFactoryOptions>
{
    public void Configure(string? name, HttpClientFactoryOptions options)
    {
        if (name is null || !name.StartsWith(ProviderClientFactory.HttpClientNamePrefix, StringComparison.Ordinal))
        {
            return;
        }

        options.HttpMessageHandlerBuilderActions.Insert(0, builder =>
        {
            builder.PrimaryHandler = ProviderClientFactory.CreateDefaultHandler();
            builder.AdditionalHandlers.Insert(0, new ProviderHttpObserver(time));
        });
    }

    public void Configure(HttpClientFactoryOptions options) => Configure(Options.DefaultName, options);
}

using CompanyOs.Llm.Providers;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Http.Logging;

namespace CompanyOs.Llm.Hosting;

/// <summary>
/// Takes <see cref="IHttpClientFactory"/>'s default per-request logging handlers (<see cref="LoggingScopeHttpMessageHandler"/>
/// and <see cref="LoggingHttpMessageHandler"/>: four log calls, a scope and two stopwatches per request) off the
/// <c>CompanyOs.Llm.*</c> provider clients: the gateway records every call itself (usage log, metrics, errors), so they only
/// cost time on the hot path. Other named clients of the application keep them. Registered ahead of the factory's own
/// filters so it runs after they have added their handlers.
/// </summary>
internal sealed class ProviderHttpLoggingFilter : IHttpMessageHandlerBuilderFilter
{
    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return builder =>
        {
            next(builder);
            if (builder.Name is { } name && name.StartsWith(ProviderClientFactory.HttpClientNamePrefix, StringComparison.Ordinal))
            {
                for (var i = builder.AdditionalHandlers.Count - 1; i >= 0; i--)
                {
                    if (builder.AdditionalHandlers[i] is LoggingHttpMessageHandler or LoggingScopeHttpMessageHandler)
                    {
                        builder.AdditionalHandlers.RemoveAt(i);
                    }
                }
            }
        };
    }
}

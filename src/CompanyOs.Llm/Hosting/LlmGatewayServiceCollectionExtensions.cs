using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Llm.Gateway.Costs;
using CompanyOs.Llm.Gateway.RateLimiting;
using CompanyOs.Llm.Hosting;
using CompanyOs.Llm.Models;
using CompanyOs.Llm.Providers;
using CompanyOs.Llm.Tokens;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the LLM gateway in a service collection.</summary>
public static class LlmGatewayServiceCollectionExtensions
{
    // Microsoft.Extensions.Hosting's HostDefaults.ContentRootKey, without depending on hosting.
    private const string ContentRootKey = "contentRoot";

    /// <summary>
    /// Registers <see cref="LlmGateway"/> (also as <see cref="IChatClient"/> unless one is registered), its
    /// <see cref="GatewayServices"/> and the validated <see cref="LlmOptions"/>, reading <c>llm.yaml</c> from the file named
    /// by <c>CompanyOs:Llm:ConfigFile</c> (default <c>config/llm.yaml</c>; a relative path is relative to the host's content
    /// root when the configuration has one, else to the working directory). <c>${VAR}</c> references in the file are looked up
    /// in <paramref name="configuration"/> first (user secrets, environment, …), then in the process environment.
    /// </summary>
    /// <remarks>
    /// Provider HTTP goes through <see cref="IHttpClientFactory"/>, one named client per provider
    /// (<see cref="ProviderClientFactory.HttpClientName"/>). <see cref="TimeProvider"/>, <see cref="ILoggerFactory"/>,
    /// <see cref="ISpendStore"/>, <see cref="IWindowRateLimiterFactory"/>, <see cref="ILlmCallRecorder"/>, <see cref="HybridCache"/>, <see cref="ITokenCounter"/>, <see cref="PriceTable"/> and
    /// <see cref="ModelCatalog"/> are taken from the container when registered. The configuration is validated when the host
    /// starts (<c>ValidateOnStart</c>); a bad file fails start-up with its path, key and problem.
    /// </remarks>
    public static IServiceCollection AddLlmGateway(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddLlmGateway(options =>
        {
            var section = configuration.GetSection(LlmGatewayOptions.SectionName);
            // A service is often started from another directory than its own (systemd, containers): follow the host's content root.
            options.ConfigFile = LlmGatewayOptions.ResolveConfigFile(configuration, configuration[ContentRootKey]);

            if (section["RequireApiKeys"] is { } require)
            {
                if (bool.TryParse(require, out var value))
                {
                    options.RequireApiKeys = value;
                }
                else
                {
                    options.BindingProblem = $"RequireApiKeys: '{require}' is not true or false";
                }
            }

            options.Environment ??= name => configuration[name] ?? ProcessEnvironment.Lookup(name);
        });
    }

    /// <summary>Registers the LLM gateway with options set in code (see <see cref="AddLlmGateway(IServiceCollection, IConfiguration)"/>).</summary>
    public static IServiceCollection AddLlmGateway(this IServiceCollection services, Action<LlmGatewayOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<LlmGatewayOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmGatewayOptions>, LlmGatewayOptionsValidator>());
        services.AddHttpClient();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<HttpClientFactoryOptions>, ProviderHttpClientSetup>());
        if (!services.Any(d => d.ServiceType == typeof(IHttpMessageHandlerBuilderFilter) && d.ImplementationType == typeof(ProviderHttpLoggingFilter)))
        {
            // First of the filters, so the outermost: it runs after the factory's logging filter has added its handlers.
            services.Insert(0, ServiceDescriptor.Singleton<IHttpMessageHandlerBuilderFilter, ProviderHttpLoggingFilter>());
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<LlmGatewayOptions>>().Value.Resolve());
        services.TryAddSingleton(sp => ModelCatalog.FromOptions(sp.GetRequiredService<LlmOptions>()));
        services.TryAddSingleton<IProviderClientFactory>(sp => new ProviderClientFactory(
            sp.GetRequiredService<IHttpClientFactory>(), sp.GetRequiredService<IHttpMessageHandlerFactory>(), sp.GetRequiredService<ModelCatalog>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(CreateServices);
        services.TryAddSingleton(sp =>
        {
            var shared = sp.GetRequiredService<GatewayServices>();
            return new LlmGateway(GatewayBuilder.Pipeline(shared), shared, ownsServices: false);
        });
        services.TryAddSingleton<IChatClient>(sp => sp.GetRequiredService<LlmGateway>());
        return services;
    }

    private static GatewayServices CreateServices(IServiceProvider sp)
    {
        var builder = new GatewayBuilder(sp.GetRequiredService<LlmOptions>(), sp.GetRequiredService<IProviderClientFactory>())
            .WithTimeProvider(sp.GetRequiredService<TimeProvider>())
            .WithLoggerFactory(sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance)
            .WithModelCatalog(sp.GetRequiredService<ModelCatalog>());
        if (sp.GetService<ISpendStore>() is { } spend)
        {
            builder.WithSpendStore(spend);
        }

        if (sp.GetService<ILlmCallRecorder>() is { } recorder)
        {
            builder.WithCallRecorder(recorder);
        }

        if (sp.GetService<HybridCache>() is { } cache)
        {
            builder.WithCache(cache);
        }

        if (sp.GetService<ITokenCounter>() is { } tokens)
        {
            builder.WithTokenCounter(tokens);
        }

        if (sp.GetService<IWindowRateLimiterFactory>() is { } limiters)
        {
            builder.WithRateLimiterFactory(limiters);
        }

        if (sp.GetService<PriceTable>() is { } prices)
        {
            builder.WithPrices(prices);
        }

        return builder.BuildServices();
    }
}

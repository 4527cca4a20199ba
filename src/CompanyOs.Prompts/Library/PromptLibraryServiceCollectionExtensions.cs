using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace CompanyOs.Prompts.Library;

/// <summary>Registers the prompt library in a service collection.</summary>
public static class PromptLibraryServiceCollectionExtensions
{
    /// <summary>
    /// Adds a singleton <see cref="PromptLibrary"/> (also as <see cref="IPromptLibrary"/>), configured by
    /// <paramref name="configure"/>. The library loads when first resolved; the container disposes it (stopping the watcher).
    /// A registered <see cref="TimeProvider"/> is used for the reload debounce unless <paramref name="configure"/> sets one.
    /// </summary>
    public static IServiceCollection AddPromptLibrary(this IServiceCollection services, Action<PromptLibraryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(provider =>
        {
            var options = new PromptLibraryOptions { TimeProvider = provider.GetService<TimeProvider>() ?? TimeProvider.System };
            configure?.Invoke(options);
            return new PromptLibrary(options, provider.GetService<ILogger<PromptLibrary>>());
        });
        services.TryAddSingleton<IPromptLibrary>(provider => provider.GetRequiredService<PromptLibrary>());
        return services;
    }
}

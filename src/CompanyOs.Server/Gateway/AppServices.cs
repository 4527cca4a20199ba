using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Models;
using CompanyOs.Llm.Tokens;
using Microsoft.Extensions.AI;

namespace CompanyOs.Server.Gateway;

/// <summary>
/// The application's singletons a <c>/v1</c> call needs, taken from the application's provider (resolved on first use) rather
/// than from <see cref="HttpContext.RequestServices"/>: the first use of that creates a DI scope for the request (a feature, a
/// scope and its dictionary of resolved services, disposed when the response ends), and nothing on this path is scoped.
/// </summary>
/// <param name="services">The application's services (an endpoint builder's <see cref="IEndpointRouteBuilder.ServiceProvider"/>).</param>
internal sealed class AppServices(IServiceProvider services)
{
    // Each a singleton: a race to resolve one resolves the same instance.
    private IChatClient? _gateway;
    private ModelCatalog? _catalog;
    private GatewayServices? _gatewayServices;
    private TimeProvider? _time;
    private ITokenCounter? _tokens;

    /// <summary>The application's services, for what is needed off the hot path.</summary>
    public IServiceProvider Services => services;

    /// <summary>The gateway every call goes through.</summary>
    public IChatClient Gateway => _gateway ??= services.GetRequiredService<IChatClient>();

    /// <summary>The configured models.</summary>
    public ModelCatalog Catalog => _catalog ??= services.GetRequiredService<ModelCatalog>();

    /// <summary>The gateway's routing and rate-limit state.</summary>
    public GatewayServices GatewayServices => _gatewayServices ??= services.GetRequiredService<GatewayServices>();

    /// <summary>The server's clock.</summary>
    public TimeProvider Time => _time ??= services.GetRequiredService<TimeProvider>();

    /// <summary>The gateway's prompt-token counter (the one its limits and budgets estimate with).</summary>
    public ITokenCounter Tokens => _tokens ??= services.GetRequiredService<ITokenCounter>();

    /// <summary>A logger for <typeparamref name="T"/>'s category (off the hot path: failures).</summary>
    public ILogger<T> Logger<T>() => services.GetRequiredService<ILogger<T>>();
}

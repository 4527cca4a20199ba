using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace CompanyOs.Server.Agents;

/// <summary>
/// Serves <c>/openapi/{documentName}.json</c> with ASP.NET Core's own generator and endpoint (<c>AddOpenApi</c>,
/// <c>MapOpenApi</c>), whose services are built on the first request of a document instead of at start-up: registering them
/// in the application's container loads Mvc.Core, Mvc.ApiExplorer, Microsoft.AspNetCore.OpenApi and Microsoft.OpenApi with
/// their types (≈ 2–3 MB of resident memory, docs/benchmarks.md "RSS after load, eighth session") in every server, which most
/// never serve the document. The document is still generated from the application's running endpoints when asked for, with
/// the application's JSON options and the application's services telling which handler parameters are services.
/// </summary>
/// <remarks>
/// The OpenAPI services live in their own container: the application's environment, endpoints, route parameter policies,
/// JSON options, logger factory and server are handed to it, and every other service type of the application is registered
/// there as a forwarder so that the API explorer tells services from request parameters as it would in the application's
/// container. That container lives as long as the application and is not disposed (it owns nothing the application does
/// not: forwarded instances are the application's).
/// </remarks>
internal sealed class OpenApiOnDemand(IServiceCollection applicationServices)
{
    /// <summary>The route of the documents, as <c>MapOpenApi</c>'s default.</summary>
    public const string Route = "/openapi/{documentName}.json";

    private readonly Lock _gate = new();
    private volatile Documents? _documents;

    /// <summary>Registers the holder of the application's service descriptors (read when the first document is asked for).</summary>
    public static void Register(IServiceCollection services) => services.AddSingleton(new OpenApiOnDemand(services));

    /// <summary>Maps <see cref="Route"/>; the OpenAPI services are built on its first request.</summary>
    public static IEndpointConventionBuilder Map(IEndpointRouteBuilder routes)
    {
        var application = routes.ServiceProvider;
        var onDemand = application.GetRequiredService<OpenApiOnDemand>();
        return routes.MapGet(Route, (HttpContext http) => onDemand.ServeAsync(http, application)).ExcludeFromDescription();
    }

    /// <summary>Whether the OpenAPI services have been built (by a request of a document).</summary>
    public bool IsBuilt => _documents is not null;

    /// <summary>Serves the document of the request's route with <c>MapOpenApi</c>'s endpoint, over the OpenAPI container.</summary>
    public async Task ServeAsync(HttpContext http, IServiceProvider application)
    {
        var documents = _documents ?? Build(application);
        var requestServices = http.RequestServices;
        http.RequestServices = documents.Services;
        try
        {
            await documents.Endpoint(http);
        }
        finally
        {
            http.RequestServices = requestServices;
        }
    }

    /// <summary>The OpenAPI options of the server's one document: the <c>/v1</c> API and the documented JSON bodies.</summary>
    internal static void Configure(OpenApiOptions options)
    {
        options.ShouldInclude = d => d.RelativePath?.StartsWith("v1/", StringComparison.Ordinal) == true && d.GroupName is null or "agents";
        options.AddOperationTransformer(async (operation, context, cancellationToken) =>
        {
            if (context.Description.ActionDescriptor.EndpointMetadata.OfType<DocumentedJsonBody>().LastOrDefault() is not { } body)
            {
                return;
            }

            var schema = await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken);
            operation.RequestBody = new OpenApiRequestBody
            {
                Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal) { ["application/json"] = new() { Schema = schema } },
            };
        });
    }

    // Kept out of ServeAsync so that nothing of ApiExplorer or OpenAPI is loaded before the first document is asked for.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Documents Build(IServiceProvider application)
    {
        lock (_gate)
        {
            if (_documents is { } built)
            {
                return built;
            }

            IServiceCollection services = new ServiceCollection();
            services.AddSingleton(application.GetRequiredService<ILoggerFactory>());
            services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
            services.AddSingleton(application.GetRequiredService<IHostEnvironment>());
            services.AddSingleton(application.GetRequiredService<IWebHostEnvironment>());
            services.AddSingleton(application.GetRequiredService<EndpointDataSource>());
            services.AddSingleton(application.GetRequiredService<ParameterPolicyFactory>());
            services.AddSingleton(application.GetRequiredService<IOptions<JsonOptions>>());
            if (application.GetService<IServer>() is { } server)
            {
                services.AddSingleton(server);
            }

            // A lambda, not the method group: ASP.NET Core's XML-comment generator intercepts AddOpenApi calls whose options
            // argument is a lambda and adds the transformers that put this project's XML docs into the schemas.
            services.AddOpenApi(options => Configure(options));
            // The API explorer asks IServiceProviderIsService whether a handler parameter (say ModelDirectory) is a service or
            // comes from the request: every other service type of the application answers yes here too, forwarded on use.
            foreach (var descriptor in applicationServices)
            {
                if (!descriptor.IsKeyedService && !descriptor.ServiceType.IsGenericTypeDefinition)
                {
                    var type = descriptor.ServiceType;
                    services.TryAdd(ServiceDescriptor.Singleton(type, _ => application.GetService(type)!));
                }
            }

            var provider = services.BuildServiceProvider();
            var routes = new DocumentRoutes(provider);
            routes.MapOpenApi(Route);
            var endpoint = routes.DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().Single();
            var documents = new Documents(provider, endpoint.RequestDelegate!);
            _documents = documents;
            return documents;
        }
    }

    private sealed record Documents(IServiceProvider Services, RequestDelegate Endpoint);

    /// <summary>The route builder <c>MapOpenApi</c> maps its endpoint onto, over the OpenAPI container.</summary>
    private sealed class DocumentRoutes(IServiceProvider services) : IEndpointRouteBuilder
    {
        public IServiceProvider ServiceProvider => services;

        public ICollection<EndpointDataSource> DataSources { get; } = [];

        public IApplicationBuilder CreateApplicationBuilder() => new ApplicationBuilder(services);
    }
}

/// <summary>Endpoint metadata: the operation's JSON request body is <see cref="Type"/> (documented by <see cref="OpenApiOnDemand"/>).</summary>
internal sealed record DocumentedJsonBody(Type Type);

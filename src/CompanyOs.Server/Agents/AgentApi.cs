using CompanyOs.Server.Keys;

namespace CompanyOs.Server.Agents;

/// <summary>Registers the agent runtime and maps the agent API (docs/server.md, "Agent API").</summary>
internal static class AgentApi
{
    public static IServiceCollection AddAgentRuns(this IServiceCollection services)
    {
        services.AddSingleton<RunStepHub>();
        services.AddSingleton<AgentRuns>();
        services.AddHostedService(sp => sp.GetRequiredService<AgentRuns>());
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, AgentJsonContext.Default));
        services.AddOpenApi(o => o.ShouldInclude = d => d.RelativePath?.StartsWith("v1/", StringComparison.Ordinal) == true && d.GroupName is null or "agents");
        return services;
    }

    /// <summary>Maps <c>/v1/runs…</c>, <c>/v1/decisions</c>, <c>/v1/prompts…</c> (any valid key reads; changes need the <c>agents</c> scope) and <c>/openapi/v1.json</c>.</summary>
    public static IEndpointRouteBuilder MapAgentApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1").RequireApiKeys(scope: null).WithTags("agents");
        group.MapRuns();
        group.MapRunEvents();
        group.MapDecisions();
        group.MapPrompts();
        routes.MapOpenApi();
        return routes;
    }
}

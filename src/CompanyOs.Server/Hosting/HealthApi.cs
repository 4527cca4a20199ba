using CompanyOs.Llm.Configuration;

namespace CompanyOs.Server.Hosting;

/// <summary><c>/healthz</c> (the process answers) and <c>/readyz</c> (configuration loaded, gateway built).</summary>
internal static class HealthApi
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/healthz", () => TypedResults.Text("ok"));
        routes.MapGet("/readyz", (LlmOptions llm, Microsoft.Extensions.Options.IOptions<ServerOptions> server) =>
        {
            var providers = string.Join(',', llm.Providers.Values.Where(p => p.Enabled).Select(p => p.Name));
            return TypedResults.Text($"ready providers={providers} emulated={(server.Value.Emulator ? "true" : "false")}");
        });
        return routes;
    }
}

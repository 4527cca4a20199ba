using CompanyOs.Emulator.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CompanyOs.Emulator.OpenAI;

/// <summary>Maps the OpenAI routes under <c>/v1</c>.</summary>
internal static class OpenAIEndpoints
{
    public static void MapOpenAI(this IEndpointRouteBuilder app, RequestPipeline pipeline, EmulatorState state)
    {
        var dialect = new OpenAIChatDialect();
        var errors = new OpenAIErrorFormat();
        app.MapPost("/v1/chat/completions", (HttpContext context) =>
            pipeline.RunAsync(context, EmulatorRoute.OpenAIChatCompletions, dialect, scope => ChatHandler.HandleAsync(scope, dialect)));
        app.MapGet("/v1/models", (HttpContext context) =>
            pipeline.RunAsync(context, EmulatorRoute.OpenAIModels, errors, scope =>
                ResponseWriter.WriteBodyAsync(scope, "application/json", ListModels(state))));
        app.MapGet("/v1/models/{id}", context =>
        {
            var id = (string)context.Request.RouteValues["id"]!;
            return pipeline.RunAsync(context, EmulatorRoute.OpenAIModels, errors, scope =>
                state.Options.Models.Contains(id)
                    ? ResponseWriter.WriteBodyAsync(scope, "application/json", JsonBody.Write(w => WriteModel(w, id, state)))
                    : ResponseWriter.WriteErrorAsync(context, errors, 404, $"The model '{id}' does not exist or you do not have access to it.", "model"));
        });
    }

    private static byte[] ListModels(EmulatorState state) => JsonBody.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        foreach (var model in state.Options.Models)
        {
            WriteModel(w, model, state);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static void WriteModel(System.Text.Json.Utf8JsonWriter w, string id, EmulatorState state)
    {
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("object", "model");
        w.WriteNumber("created", state.Time.GetUtcNow().ToUnixTimeSeconds());
        w.WriteString("owned_by", "companyos-emulator");
        w.WriteEndObject();
    }
}

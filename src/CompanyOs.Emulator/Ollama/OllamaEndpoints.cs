using System.Globalization;
using CompanyOs.Emulator.Hosting;
using CompanyOs.Emulator.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CompanyOs.Emulator.Ollama;

/// <summary>Maps the Ollama routes: <c>/api/chat</c>, <c>/api/tags</c>, <c>/api/version</c>.</summary>
internal static class OllamaEndpoints
{
    public static void MapOllama(this IEndpointRouteBuilder app, RequestPipeline pipeline, EmulatorState state)
    {
        var dialect = new OllamaChatDialect();
        app.MapPost("/api/chat", (HttpContext context) =>
            pipeline.RunAsync(context, EmulatorRoute.OllamaChat, dialect, scope => ChatHandler.HandleAsync(scope, dialect)));
        app.MapGet("/api/tags", (HttpContext context) =>
            pipeline.RunAsync(context, EmulatorRoute.OllamaTags, dialect, scope =>
                ResponseWriter.WriteBodyAsync(scope, "application/json", Tags(state))));
        app.MapGet("/api/version", context => Results.Text("{\"version\":\"0.12.6\"}", "application/json").ExecuteAsync(context));
    }

    private static byte[] Tags(EmulatorState state) => JsonBody.Write(w =>
    {
        var modified = state.Time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture);
        w.WriteStartObject();
        w.WriteStartArray("models");
        foreach (var model in state.Options.Models)
        {
            var name = model.Contains(':', StringComparison.Ordinal) ? model : model + ":latest";
            w.WriteStartObject();
            w.WriteString("name", name);
            w.WriteString("model", name);
            w.WriteString("modified_at", modified);
            w.WriteNumber("size", 2_019_393_189);
            w.WriteString("digest", DeterministicIds.Seed(name));
            w.WriteStartObject("details");
            w.WriteString("parent_model", string.Empty);
            w.WriteString("format", "gguf");
            w.WriteString("family", "llama");
            w.WriteStartArray("families");
            w.WriteStringValue("llama");
            w.WriteEndArray();
            w.WriteString("parameter_size", "3.2B");
            w.WriteString("quantization_level", "Q4_K_M");
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });
}

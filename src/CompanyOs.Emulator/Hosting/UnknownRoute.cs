using Microsoft.AspNetCore.Http;

namespace CompanyOs.Emulator.Hosting;

/// <summary>404 for routes the emulator does not serve, in the error shape the path's provider uses.</summary>
internal static class UnknownRoute
{
    public static Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var message = $"The emulator does not serve {context.Request.Method} {path}.";
        IErrorFormat format = path.StartsWith("/api/", StringComparison.Ordinal)
            ? new Ollama.OllamaErrorFormat()
            : context.Request.Headers.ContainsKey("anthropic-version") ? new Anthropic.AnthropicErrorFormat() : new OpenAI.OpenAIErrorFormat();
        return ResponseWriter.WriteErrorAsync(context, format, StatusCodes.Status404NotFound, message);
    }
}

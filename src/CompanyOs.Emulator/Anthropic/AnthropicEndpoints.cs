using System.Text.Json;
using CompanyOs.Emulator.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CompanyOs.Emulator.Anthropic;

/// <summary>Maps the Anthropic routes: <c>/v1/messages</c> and <c>/v1/messages/count_tokens</c>.</summary>
internal static class AnthropicEndpoints
{
    public static void MapAnthropic(this IEndpointRouteBuilder app, RequestPipeline pipeline, EmulatorState state)
    {
        var dialect = new AnthropicMessagesDialect();
        app.MapPost("/v1/messages", (HttpContext context) =>
            pipeline.RunAsync(context, EmulatorRoute.AnthropicMessages, dialect, scope => ChatHandler.HandleAsync(scope, dialect)));
        app.MapPost("/v1/messages/count_tokens", (HttpContext context) =>
            pipeline.RunAsync(context, EmulatorRoute.AnthropicCountTokens, dialect, scope => CountTokensAsync(scope, state)));
    }

    private static async Task CountTokensAsync(RequestScope scope, EmulatorState state)
    {
        int tokens;
        try
        {
            using var doc = JsonDocument.Parse(scope.Body);
            tokens = state.Tokens.CountPrompt(AnthropicRequestParser.Parse(doc.RootElement, requireMaxTokens: false));
        }
        catch (JsonException e)
        {
            await ChatHandler.RejectAsync(scope, $"The request body is not valid JSON: {e.Message}", null).ConfigureAwait(false);
            return;
        }
        catch (InvalidRequestException e)
        {
            await ChatHandler.RejectAsync(scope, e.Message, e.Param).ConfigureAwait(false);
            return;
        }

        await ResponseWriter.WriteBodyAsync(scope, "application/json", JsonBody.Write(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("input_tokens", tokens);
            w.WriteEndObject();
        })).ConfigureAwait(false);
    }
}

using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Models;
using CompanyOs.Llm.Tokens;
using CompanyOs.Server.Errors;
using CompanyOs.Server.Gateway;
using CompanyOs.Server.Keys;
using CompanyOs.Server.Models;
using Microsoft.Extensions.AI;

namespace CompanyOs.Server.Anthropic;

/// <summary><c>POST /v1/messages</c>: the Anthropic Messages API over the gateway, for any configured model (any <c>anthropic-version</c>).</summary>
internal static class MessagesApi
{
    private const string Path = "/v1/messages";

    public static IEndpointRouteBuilder MapMessages(this IEndpointRouteBuilder routes)
    {
        // As /v1/chat/completions: the application's singletons, no DI scope per call.
        var services = new AppServices(routes.ServiceProvider);
        routes.MapPost("/messages", (HttpContext http, CancellationToken aborted) => HandleAsync(http, services, aborted));
        routes.MapPost("/messages/count_tokens", CountTokensAsync);
        return routes;
    }

    private static async Task<IResult> HandleAsync(HttpContext http, AppServices services, CancellationToken aborted)
    {
        var gateway = services.Gateway;
        try
        {
            var request = await RequestBody.ReadAsync(http.Request, AnthropicJsonContext.Default.MessagesRequest, aborted);
            var call = MessagesRequestReader.Read(request);
            CallAdmission.Admit(http, call.Model, call.Options, services);
            if (!call.Stream)
            {
                // Only the model is read after the answer: the request's options and call are not kept alive while the call
                // waits (the gateway works on its own copy), so a garbage collection meanwhile has less to keep.
                var model = call.Model;
                var response = await gateway.GetResponseAsync(call.Messages, call.Options, aborted);
                GatewayHeaders.Apply(http.Response, LlmCallInfo.From(response));
                return TypedResults.Json(MessageResponseWriter.Message(response, model), AnthropicJsonContext.Default.MessageWire);
            }

            var writer = new MessageStreamWriter(http.Response, call, services.Tokens.EstimatePromptTokens(call.Messages, call.Options));
            await GatewayStream.RunAsync(http, gateway.GetStreamingResponseAsync(call.Messages, call.Options, aborted),
                writer.WriteAsync, writer.CompleteAsync, e => writer.FailAsync(EndpointFailures.Stream(e, Path, services.Logger<MessagesCall>())));
            return TypedResults.Empty;
        }
        catch (Exception e) when (GatewayErrors.From(e) is { } error)
        {
            RoutedProvider.From(http, e);
            EndpointFailures.Log(e, error, Path, services.Logger<MessagesCall>());
            return AnthropicErrors.Result(error, http.Response);
        }
    }

    /// <summary>
    /// The gateway's own prompt count (the tokenizer it uses for limits and budgets): exact for OpenAI models, an estimate
    /// for others, as <c>x-companyos-token-count</c> says.
    /// </summary>
    private static async Task<IResult> CountTokensAsync(HttpContext http, ITokenCounter counter, ModelCatalog catalog, ModelDirectory models)
    {
        try
        {
            var request = await RequestBody.ReadAsync(http.Request, AnthropicJsonContext.Default.MessagesRequest, http.RequestAborted);
            var call = MessagesRequestReader.Read(request, requireMaxTokens: false);
            Caller.Of(http).RequireModel(call.Model, catalog);
            if (models.Find(call.Model) is null)
            {
                throw new ApiRequestException(new ApiError(ApiErrorKind.NotFound, $"Unknown model '{call.Model}': no enabled provider serves it.", "model"));
            }

            var count = await counter.CountPromptTokensAsync(call.Messages, call.Options, http.RequestAborted);
            http.Response.Headers["x-companyos-token-count"] = $"{(count.IsEstimate ? "estimate" : "exact")}; method={count.Method}";
            return TypedResults.Json(new CountTokensResponse { InputTokens = count.Tokens }, AnthropicJsonContext.Default.CountTokensResponse);
        }
        catch (ApiRequestException e)
        {
            return AnthropicErrors.Result(e.Error, http.Response);
        }
    }
}

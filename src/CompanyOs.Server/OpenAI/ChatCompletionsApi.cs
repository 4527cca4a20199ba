using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Models;
using CompanyOs.Llm.PassThrough;
using CompanyOs.Server.Errors;
using CompanyOs.Server.Gateway;
using Microsoft.Extensions.AI;

namespace CompanyOs.Server.OpenAI;

/// <summary>
/// <c>POST /v1/chat/completions</c>: the OpenAI Chat Completions API over the gateway, for any configured model. The request
/// is checked and read for the policies straight from its bytes (<see cref="ChatRequestView"/>: its messages are built only
/// if a stage needs them; a body it does not vouch for takes the full reader, whose 400s name the field); when it is answered
/// by a provider of the same wire, the client's bytes go upstream and the provider's own bytes come back
/// (<see cref="PassThroughRequest"/>) and are written as they are.
/// </summary>
internal static class ChatCompletionsApi
{
    private const string Path = "/v1/chat/completions";

    public static IEndpointRouteBuilder MapChatCompletions(this IEndpointRouteBuilder routes)
    {
        // The application's singletons, not the request's services: resolving them per request would create a DI scope per
        // call. (Two parameters: a handler of the HttpContext alone would bind as a RequestDelegate, past the group's filters.)
        var services = new AppServices(routes.ServiceProvider);
        routes.MapPost("/chat/completions", (HttpContext http, CancellationToken aborted) => HandleAsync(http, services, aborted));
        return routes;
    }

    private static async Task<IResult> HandleAsync(HttpContext http, AppServices services, CancellationToken aborted)
    {
        var gateway = services.Gateway;
        try
        {
            var body = await RequestBody.ReadBytesAsync(http.Request, aborted);
            var view = ChatRequestView.TryRead(body);
            var call = view ?? ChatRequestReader.Read(RequestBody.Parse(body, OpenAIJsonContext.Default.ChatCompletionRequest));
            CallAdmission.Admit(http, call.Model, call.Options, services);
            (view is not null ? view.PassThrough : PassThroughRequest.TryCreate(body))?.AttachTo(call.Options);
            if (!call.Stream)
            {
                // Only the model is read after the answer: the request's options and call are not kept alive while the call
                // waits (the gateway works on its own copy), so a garbage collection meanwhile has less to keep.
                var model = call.Model;
                var response = await gateway.GetResponseAsync(call.Messages, call.Options, aborted);
                GatewayHeaders.Apply(http.Response, LlmCallInfo.From(response));
                return response.RawRepresentation is PassThroughResponse raw
                    ? new ProviderBytes(raw)
                    : TypedResults.Json(ChatResponseWriter.Completion(response, model, services.Time.GetUtcNow()),
                        OpenAIJsonContext.Default.ChatCompletionResponse);
            }

            var writer = new ChatStreamWriter(http.Response, call, services.Time.GetUtcNow());
            await GatewayStream.RunAsync(http, gateway.GetStreamingResponseAsync(call.Messages, call.Options, aborted),
                writer.WriteAsync, writer.CompleteAsync, e => writer.FailAsync(EndpointFailures.Stream(e, Path, services.Logger<ChatCall>())));
            return TypedResults.Empty;
        }
        catch (Exception e) when (GatewayErrors.From(e) is { } error)
        {
            RoutedProvider.From(http, e);
            EndpointFailures.Log(e, error, Path, services.Logger<ChatCall>());
            return OpenAIErrors.Result(error, http.Response);
        }
    }

    /// <summary>
    /// The provider's JSON answer written as it came, with its length: one write of headers and body. (Not
    /// <c>TypedResults.Bytes</c>, a file result: it creates a logger and parses the request's conditional and range headers
    /// on every call, for a POST answer that has none.) Once written (the writer has copied it), the body's pooled buffer goes
    /// back to the pool: this is its last reader.
    /// </summary>
    private sealed class ProviderBytes(PassThroughResponse raw) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.ContentType = "application/json";
            response.ContentLength = raw.Body.Length;
            // No cancellation token, as Kestrel's own writes: a gone client completes the write (Kestrel drops the bytes), a
            // stalled one is cut by the minimum response data rate.
            var write = response.BodyWriter.WriteAsync(raw.Body);
            if (write.IsCompleted)
            {
                raw.Release();
                return write.IsCompletedSuccessfully ? Task.CompletedTask : write.AsTask();
            }

            return ReleaseWhenWrittenAsync(write, raw);
        }

        private static async Task ReleaseWhenWrittenAsync(ValueTask<System.IO.Pipelines.FlushResult> write, PassThroughResponse raw)
        {
            try
            {
                await write;
            }
            finally
            {
                raw.Release();
            }
        }
    }
}

using System.Net;
using System.Text;

namespace CompanyOs.Benchmarks.Providers;

/// <summary>Answers every request with the same OpenAI chat completion, in memory (no sockets).</summary>
internal sealed class CannedOpenAIHandler : HttpMessageHandler
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""
        {"id":"chatcmpl-1","object":"chat.completion","created":1730000000,"model":"gpt-4o-mini",
         "choices":[{"index":0,"message":{"role":"assistant","content":"Event sourcing stores every change as an event."},"finish_reason":"stop"}],
         "usage":{"prompt_tokens":12,"completion_tokens":9,"total_tokens":21,"prompt_tokens_details":{"cached_tokens":0}}}
        """);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(Body), RequestMessage = request };
        response.Content.Headers.ContentType = new("application/json");
        return Task.FromResult(response);
    }
}

using System.Net;
using System.Net.Http.Headers;

namespace CompanyOs.Benchmarks.Wire;

/// <summary>Answers every request with the same body and content type, in memory (no sockets); the request body is read.</summary>
internal sealed class CannedHandler(byte[] body, string contentType) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null)
        {
            // Like a real upstream: the request is sent (serialised) in full before the answer.
            await request.Content.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        }

        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body), RequestMessage = request };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return response;
    }
}

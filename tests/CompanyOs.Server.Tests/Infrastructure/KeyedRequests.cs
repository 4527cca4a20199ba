using System.Net.Http.Headers;

namespace CompanyOs.Server.Tests.Infrastructure;

/// <summary>Requests carrying an API key, as <c>Authorization: Bearer</c> or in another header (<c>x-api-key</c>).</summary>
internal static class KeyedRequests
{
    public static async Task<HttpResponseMessage> PostAsync(
        this HttpClient http, string path, string body, string? key, string header = "Authorization", params (string Name, string Value)[] extraHeaders)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await SendAsync(http, request, key, header, extraHeaders);
    }

    public static async Task<HttpResponseMessage> GetAsync(this HttpClient http, string path, string? key, params (string Name, string Value)[] extraHeaders)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        return await SendAsync(http, request, key, "Authorization", extraHeaders);
    }

    private static async Task<HttpResponseMessage> SendAsync(
        HttpClient http, HttpRequestMessage request, string? key, string header, (string Name, string Value)[] extraHeaders)
    {
        if (key is not null)
        {
            if (header == "Authorization")
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
            else
            {
                request.Headers.TryAddWithoutValidation(header, key);
            }
        }

        foreach (var (name, value) in extraHeaders)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }
}

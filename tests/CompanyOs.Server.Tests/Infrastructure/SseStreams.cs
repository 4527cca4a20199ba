using System.Text;

namespace CompanyOs.Server.Tests.Infrastructure;

/// <summary>Reads streamed responses to their end, telling a clean end from a connection reset (how failed streams end).</summary>
internal static class SseStreams
{
    /// <summary>A streamed response read to its end: the text received, and whether the connection was reset instead of ending.</summary>
    internal sealed record Read(HttpResponseMessage Response, string Text, bool Reset) : IDisposable
    {
        public List<string> Events => [.. Text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.Trim())];

        public void Dispose() => Response.Dispose();
    }

    public static async Task<Read> PostAsync(HttpClient http, string path, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
        var (text, reset) = await ReadToEndAsync(reader);
        return new Read(response, text, reset);
    }

    public static async Task<(string Text, bool Reset)> ReadToEndAsync(StreamReader reader)
    {
        var text = new StringBuilder();
        var buffer = new char[4096];
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer, TestContext.Current.CancellationToken)) > 0)
            {
                text.Append(buffer, 0, read);
            }

            return (text.ToString(), false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return (text.ToString(), true);
        }
    }
}

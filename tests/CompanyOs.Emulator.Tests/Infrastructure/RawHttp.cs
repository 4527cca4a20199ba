using System.Net;
using System.Text;
using System.Text.Json;

namespace CompanyOs.Emulator.Tests.Infrastructure;

/// <summary>Plain HttpClient calls, for asserting exact wire shapes.</summary>
internal sealed class RawHttp(EmulatorServer server) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(20) };

    public async Task<RawResponse> PostAsync(string path, string json, CancellationToken cancellationToken, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await _http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var all = response.Headers.Concat(response.Content.Headers)
            .ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        return new RawResponse(response.StatusCode, all, body);
    }

    public async Task<RawResponse> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(path, cancellationToken);
        var all = response.Headers.Concat(response.Content.Headers)
            .ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        return new RawResponse(response.StatusCode, all, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    public void Dispose() => _http.Dispose();
}

internal sealed record RawResponse(HttpStatusCode Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>SSE events as (event name or null, data).</summary>
    public IReadOnlyList<(string? Event, string Data)> SseEvents()
    {
        var events = new List<(string?, string)>();
        foreach (var block in Body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? name = null;
            string? data = null;
            foreach (var line in block.Split('\n'))
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line["event: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data = line["data: ".Length..];
                }
            }

            events.Add((name, data ?? throw new InvalidOperationException($"SSE block without data: {block}")));
        }

        return events;
    }
}

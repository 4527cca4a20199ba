using System.Text;
using System.Text.Json;

namespace CompanyOs.ScaleOut.Tests.Infrastructure;

/// <summary>A stored run event as the run event stream sends it: its version in the run's stream (the SSE id) and type.</summary>
internal sealed record StoredEvent(long Version, string Type, JsonElement Data);

/// <summary>The agent API over HTTP, as a client of any instance uses it.</summary>
internal static class RunApi
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<JsonElement> PostJsonAsync(this HttpClient http, string path, string json, int expectedStatus)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri(path, UriKind.Relative), content, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(expectedStatus == (int)response.StatusCode, $"POST {path}: expected {expectedStatus}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<string> StartRunAsync(this HttpClient http, string agent, string task) =>
        (await http.PostJsonAsync("v1/runs", JsonSerializer.Serialize(new { agent, task }), 201)).GetProperty("id").GetString()!;

    /// <summary>Waits (bounded) until the run has <paramref name="status"/>; fails showing the run as it is.</summary>
    public static async Task<JsonElement> WaitForStatusAsync(this HttpClient http, string runId, string status, TimeSpan? within = null, Func<string>? context = null)
    {
        JsonElement run = default;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var bound = within ?? TimeSpan.FromSeconds(45);
        while (clock.Elapsed < bound)
        {
            run = await http.GetJsonAsync($"v1/runs/{runId}");
            if (run.GetProperty("status").GetString() == status)
            {
                return run;
            }

            await Task.Delay(50, Ct);
        }

        Assert.Fail($"run {runId} did not reach '{status}' within {bound.TotalSeconds:0} s; it is: {run.GetRawText()}\n{context?.Invoke()}");
        return run;
    }

    /// <summary>
    /// Reads the run's stored events from its event stream (from the start) until <paramref name="until"/> holds for the
    /// events read, or the stream ends (<c>event: end</c>); bounded by <paramref name="within"/>.
    /// </summary>
    public static async Task<List<StoredEvent>> ReadEventsAsync(this HttpClient http, string runId, Func<List<StoredEvent>, bool>? until = null, TimeSpan? within = null)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bound.CancelAfter(within ?? TimeSpan.FromSeconds(45));
        var events = new List<StoredEvent>();
        using var response = await http.GetAsync(new Uri($"v1/runs/{runId}/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, bound.Token);
        Assert.True(response.IsSuccessStatusCode, $"GET events of {runId}: {(int)response.StatusCode}");
        await using var stream = await response.Content.ReadAsStreamAsync(bound.Token);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string? id = null;
        string? name = null;
        var data = new StringBuilder();
        try
        {
            while (await reader.ReadLineAsync(bound.Token) is { } line)
            {
                if (line.Length > 0)
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    if (colon <= 0)
                    {
                        continue; // a comment (heartbeat)
                    }

                    var value = line[(colon + 1)..].TrimStart(' ');
                    switch (line[..colon])
                    {
                        case "id": id = value; break;
                        case "event": name = value; break;
                        case "data": data.Append(value); break;
                    }

                    continue;
                }

                if (name == "end")
                {
                    return events;
                }

                if (id is not null && name is not null)
                {
                    events.Add(new StoredEvent(long.Parse(id, System.Globalization.CultureInfo.InvariantCulture), name, JsonDocument.Parse(data.ToString()).RootElement.Clone()));
                    if (until?.Invoke(events) == true)
                    {
                        return events;
                    }
                }

                (id, name) = (null, null);
                data.Clear();
            }
        }
        catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
        {
            Assert.Fail($"the event stream of {runId} did not give what was waited for within the bound; read: {string.Join(", ", events.Select(e => $"{e.Version}:{e.Type}"))}");
        }

        return events;
    }
}

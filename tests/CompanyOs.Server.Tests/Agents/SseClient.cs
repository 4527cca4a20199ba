using System.Text;
using System.Text.Json;

namespace CompanyOs.Server.Tests.Agents;

/// <summary>One Server-Sent Event as received: id (null when none), event name, data; or a comment line.</summary>
internal sealed record SseEvent(string? Id, string? Event, string Data, bool IsComment = false)
{
    public JsonElement Json => JsonDocument.Parse(Data).RootElement;
}

/// <summary>Reads a <c>text/event-stream</c> response as it arrives (a minimal, spec-following parser).</summary>
internal static class SseClient
{
    public static async IAsyncEnumerable<SseEvent> ReadAsync(HttpResponseMessage response, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string? id = null;
        string? name = null;
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0 || name is not null)
                {
                    yield return new SseEvent(id, name, data.ToString());
                }

                id = null;
                name = null;
                data.Clear();
                continue;
            }

            if (line.StartsWith(':'))
            {
                yield return new SseEvent(null, null, line[1..].Trim(), IsComment: true);
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id":
                    id = value;
                    break;
                case "event":
                    name = value;
                    break;
                case "data":
                    data.Append(data.Length > 0 ? "\n" : "").Append(value);
                    break;
            }
        }
    }

    /// <summary>Every event of the stream until it ends (the server ends it with <c>event: end</c>).</summary>
    public static async Task<List<SseEvent>> ReadAllAsync(HttpClient http, string path, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, AgentHttp.Ct);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = new List<SseEvent>();
        await foreach (var e in ReadAsync(response, AgentHttp.Ct))
        {
            events.Add(e);
        }

        return events;
    }
}

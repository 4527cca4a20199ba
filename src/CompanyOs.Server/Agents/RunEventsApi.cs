using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CompanyOs.Agents.Journal;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Steps;
using CompanyOs.Events;
using CompanyOs.Server.Errors;
using CompanyOs.Server.Gateway;
using CompanyOs.Server.Keys;

namespace CompanyOs.Server.Agents;

/// <summary>
/// <c>GET /v1/runs/{id}/events</c>: a run's steps as Server-Sent Events. Stored events are read from the store after
/// <c>Last-Event-ID</c> (each with its stream version as id, so a reconnect neither skips nor repeats one), then followed
/// as they are appended — by this server (told at once) or any other (read within a poll interval). Streamed model text
/// of runs this server drives comes as <c>event: delta</c> without an id. The stream ends with <c>event: end</c> when the
/// run ends or waits for a decision.
/// </summary>
internal static class RunEventsApi
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    public static RouteGroupBuilder MapRunEvents(this RouteGroupBuilder group)
    {
        group.MapGet("/runs/{id}/events", StreamAsync).WithName("RunEvents").Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .WithSummary("The run's steps as Server-Sent Events (replay after Last-Event-ID, then live; deltas; heartbeats; end).");
        return group;
    }

    /// <summary>The SSE event name of a stored event type (e.g. <c>ToolCallCompleted</c> → <c>tool_completed</c>).</summary>
    public static string EventName(string type) => type switch
    {
        nameof(LlmCallCompleted) => "llm_call",
        nameof(ToolCallRequested) => "tool_requested",
        nameof(ToolCallStarted) => "tool_started",
        nameof(ToolCallCompleted) => "tool_completed",
        nameof(ToolCallFailed) => "tool_failed",
        nameof(ToolCallInterrupted) => "tool_interrupted",
        _ => SnakeCase(type),
    };

    private static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }

    // Not async itself: routing reads the handler's attributes when it builds the endpoints at start-up, and an async
    // method's state-machine attribute would load its state machine type, and with it the agent runtime's assembly, in
    // every server (AgentRuns builds the runtime on first use in a gateway-only server).
    private static Task<IResult> StreamAsync(HttpContext http, string id, IHostApplicationLifetime lifetime, IConfiguration configuration) =>
        StreamCoreAsync(http, id, lifetime, configuration);

    private static async Task<IResult> StreamCoreAsync(HttpContext http, string id, IHostApplicationLifetime lifetime, IConfiguration configuration)
    {
        RunState state;
        long after;
        AgentRuns runs;
        try
        {
            runs = http.RequestServices.GetRequiredService<AgentRuns>();
            await runs.WhenReadyAsync().WaitAsync(http.RequestAborted);
            state = await AgentEndpoint.OwnedRunAsync(runs, Caller.Of(http), id, http.RequestAborted);
            after = LastEventId(http.Request);
        }
        catch (Exception e) when (AgentEndpoint.ErrorOf(e) is { } error)
        {
            return OpenAI.OpenAIErrors.Result(error, http.Response);
        }

        var heartbeat = TimeSpan.FromSeconds(configuration.GetValue("CompanyOs:Server:SseHeartbeatSeconds", 15.0));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        using var watch = runs.Hub.Watch(id);
        await ServerSentEvents.StartAsync(http.Response, stop.Token);
        var writer = new Writer(http.Response, runs.Time, stop.Token);
        try
        {
            // Replay from the start of the stream (the fold needs every event); only those after Last-Event-ID are sent.
            state = RunState.Empty;
            state = await CatchUpAsync(runs.Store, id, state, after, writer);
            while (!Ends(state))
            {
                var step = await NextAsync(watch, runs.Time, writer.LastWrite + heartbeat, stop.Token);

                // Up to the step only, so that the text deltas that follow it in the hub's order are still current.
                state = await CatchUpAsync(runs.Store, id, state, after, writer, step?.Version ?? long.MaxValue);
                if (step is { IsTransient: true, Event: ModelOutputDelta delta } && step.Version == state.Version && !Ends(state))
                {
                    await writer.DeltaAsync(delta);
                }

                if (runs.Time.GetUtcNow() >= writer.LastWrite + heartbeat)
                {
                    await writer.HeartbeatAsync();
                }
            }

            // The rest of the batch that ended it (a run's closing trace is appended with its last event).
            state = await CatchUpAsync(runs.Store, id, state, after, writer);
            await writer.EndAsync(state.Status.ToWireName());
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client left or the server stops: the client reconnects with Last-Event-ID.
        }

        return TypedResults.Empty;
    }

    private static bool Ends(RunState state) => state.Status.IsTerminal() || state.Status == RunStatus.AwaitingApproval;

    private static long LastEventId(HttpRequest request)
    {
        var text = request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } header ? header : request.Query["last_event_id"].ToString();
        if (text.Length == 0)
        {
            return -1;
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var version) && version >= -1
            ? version
            : throw new ApiRequestException(ApiError.Invalid("last_event_id", $"Last-Event-ID must be an event id of this stream (a version number), got '{text}'."));
    }

    /// <summary>Waits for a step of this server's drive, the next poll of the store, or the heartbeat, whichever comes first.</summary>
    private static async Task<AgentStep?> NextAsync(RunStepHub.Subscription watch, TimeProvider time, DateTimeOffset heartbeatDue, CancellationToken cancellationToken)
    {
        if (watch.Steps.TryRead(out var ready))
        {
            return ready;
        }

        var wait = heartbeatDue - time.GetUtcNow();
        wait = wait < TimeSpan.Zero ? TimeSpan.Zero : wait < Poll ? wait : Poll;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        try
        {
            return await watch.Steps.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static async Task<RunState> CatchUpAsync(IEventStore store, string runId, RunState state, long after, Writer writer, long until = long.MaxValue)
    {
        if (state.Version >= until)
        {
            return state;
        }

        await foreach (var recorded in store.ReadStreamAsync(RunEventCodec.StreamId(runId), state.Version + 1, writer.Token))
        {
            if (recorded.Version > until)
            {
                break;
            }

            state = state.Apply(recorded);
            if (recorded.Version > after)
            {
                await writer.EventAsync(recorded);
            }
        }

        return state;
    }

    private sealed class Writer(HttpResponse response, TimeProvider time, CancellationToken cancellationToken)
    {
        public DateTimeOffset LastWrite { get; private set; } = time.GetUtcNow();

        public CancellationToken Token => cancellationToken;

        public async Task EventAsync(RecordedEvent recorded)
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("type", EventName(recorded.Type));
                json.WriteNumber("version", recorded.Version);
                foreach (var property in recorded.Data.EnumerateObject())
                {
                    if (property.Name is not ("type" or "version"))
                    {
                        property.WriteTo(json);
                    }
                }

                json.WriteEndObject();
            }

            var head = string.Create(CultureInfo.InvariantCulture, $"id: {recorded.Version}\nevent: {EventName(recorded.Type)}\ndata: ");
            await response.Body.WriteAsync(Encoding.UTF8.GetBytes(head), cancellationToken);
            await response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken);
            await response.Body.WriteAsync("\n\n"u8.ToArray(), cancellationToken);
            await FlushAsync();
        }

        public async Task DeltaAsync(ModelOutputDelta delta)
        {
            await ServerSentEvents.WriteAsync(response, "delta", new StreamDelta(delta.Text, delta.Iteration, delta.Restart ? true : null),
                AgentJsonContext.Default.StreamDelta, cancellationToken);
            LastWrite = time.GetUtcNow();
        }

        public async Task EndAsync(string status)
        {
            await ServerSentEvents.WriteAsync(response, "end", new StreamEnd(status), AgentJsonContext.Default.StreamEnd, cancellationToken);
            LastWrite = time.GetUtcNow();
        }

        public async Task HeartbeatAsync()
        {
            await ServerSentEvents.WriteRawAsync(response, ": heartbeat\n\n", cancellationToken);
            LastWrite = time.GetUtcNow();
        }

        private async Task FlushAsync()
        {
            await response.Body.FlushAsync(cancellationToken);
            LastWrite = time.GetUtcNow();
        }
    }
}

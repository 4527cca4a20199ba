using System.Text.Json;
using CompanyOs.Emulator;
using CompanyOs.Emulator.Scripting;

namespace CompanyOs.Server.Tests.Agents;

/// <summary>
/// The must-show flow over HTTP on a real Kestrel (127.0.0.1): start → steps live over SSE → approval via the API → the
/// run completes; Last-Event-ID resumes without gap or duplicate; idempotent start; 409 on a second decision; cancel.
/// </summary>
public sealed class RunLifecycleTests
{
    private const string ReadNotes = """{"path":"notes.txt"}""";

    private static CancellationToken Ct => AgentHttp.Ct;

    [Fact]
    public async Task A_run_streams_its_steps_live_waits_for_approval_and_completes_after_an_approval_over_http()
    {
        var project = new AgentProject();
        // Slow chunks: the final answer streams in pieces while the event stream is open.
        await using var server = await project.StartAsync(new EmulatorOptions
        {
            FirstByteDelay = TimeSpan.FromMilliseconds(400),
            ChunkDelay = TimeSpan.FromMilliseconds(20),
        });
        server.Emulator!.Script.Enqueue(ScriptedTurn.ToolCalls(("read_file", ReadNotes)) with { Position = 0 });
        var (keyId, key) = await AgentHttp.KeyWithIdAsync(server.Services, "acme");
        using var http = AgentHttp.Client(server.BaseUri, key);

        var started = await http.StartAsync();
        var id = started.GetProperty("id").GetString()!;
        Assert.Equal("agent.run", started.GetProperty("object").GetString());
        Assert.Equal("acme", started.GetProperty("org").GetString());
        Assert.Equal("writer", started.GetProperty("agent").GetString());
        Assert.True(started.GetProperty("emulated").GetBoolean());

        // The first stream ends when the run waits for the decision.
        var first = await SseClient.ReadAllAsync(http, $"v1/runs/{id}/events");
        var stored = first.Where(e => e.Id is not null).ToList();
        Assert.Equal(Enumerable.Range(0, stored.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), stored.Select(e => e.Id));
        Assert.Equal(["run_started", "llm_call", "assistant_message", "tool_requested", "approval_requested"], stored.Select(e => e.Event));
        Assert.Equal("end", first[^1].Event);
        Assert.Equal("awaiting_approval", first[^1].Json.GetProperty("status").GetString());
        var requested = stored[^1].Json;
        Assert.Equal("approval_requested", requested.GetProperty("type").GetString());
        Assert.Equal("read_file", requested.GetProperty("tool_name").GetString());

        var decisions = await http.GetJsonAsync("v1/decisions");
        var decision = Assert.Single(decisions.GetProperty("data").EnumerateArray());
        Assert.Equal(id, decision.GetProperty("run_id").GetString());
        Assert.Equal("approval", decision.GetProperty("kind").GetString());
        Assert.Equal("notes.txt", decision.GetProperty("arguments").GetProperty("path").GetString());
        Assert.Equal("object", decision.GetProperty("arguments_schema").GetProperty("type").GetString());
        var callId = decision.GetProperty("call_id").GetString()!;

        // The approval is recorded at once; the run goes on in the background. A stream resumed after the last id it saw
        // gets the rest: the model's first byte comes only after 400 ms, so these steps are appended while it is open.
        using var approve = await http.PostAsync($"v1/runs/{id}/approvals/{callId}/approve", "{}");
        var approved = await approve.JsonAsync(200);
        Assert.Empty(approved.GetProperty("pending").EnumerateArray());
        var reading = SseClient.ReadAllAsync(http, $"v1/runs/{id}/events", stored[^1].Id);

        var rest = await reading.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var restStored = rest.Where(e => e.Id is not null).ToList();
        Assert.Equal(
            Enumerable.Range(stored.Count, restStored.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            restStored.Select(e => e.Id));
        Assert.Equal(["approval_granted", "tool_started", "tool_completed", "llm_call", "assistant_message", "run_completed", "agent_reasoning_completed"],
            restStored.Select(e => e.Event));
        Assert.Equal(keyId, restStored[0].Json.GetProperty("decided_by").GetString());
        Assert.Contains("ship on Friday", restStored[2].Json.GetProperty("output").GetString(), StringComparison.Ordinal);
        Assert.Equal("completed", rest[^1].Json.GetProperty("status").GetString());

        // The final answer streamed in as deltas (no id) before its stored message, and they add up to it.
        var deltas = rest.Where(e => e.Event == "delta").ToList();
        Assert.NotEmpty(deltas);
        Assert.All(deltas, d => Assert.Null(d.Id));
        var message = restStored.Single(e => e.Event == "assistant_message");
        Assert.True(rest.IndexOf(deltas[^1]) < rest.IndexOf(message), "deltas come before the stored message");
        Assert.Equal(message.Json.GetProperty("text").GetString(), string.Concat(deltas.Select(d => d.Json.GetProperty("text").GetString())));

        var run = await http.GetJsonAsync($"v1/runs/{id}");
        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(run.GetProperty("result").GetString()));
        Assert.True(run.GetProperty("usage").GetProperty("total_tokens").GetInt64() > 0);
        Assert.Equal(2, run.GetProperty("iterations").GetInt32());
        Assert.True(run.TryGetProperty("ended_at", out _));
    }

    [Fact]
    public async Task Last_event_id_resumes_the_stream_without_a_gap_or_a_duplicate_from_any_point()
    {
        var project = new AgentProject();
        await using var server = await project.StartAsync();
        server.Emulator!.Script.Enqueue(ScriptedTurn.ToolCalls(("read_file", ReadNotes)) with { Position = 0 });
        using var http = AgentHttp.Client(server.BaseUri, await AgentHttp.KeyAsync(server, "acme"));
        var id = (await http.StartAsync("""{"agent":"writer","task":"Read the notes","autonomy":"autonomous"}""")).GetProperty("id").GetString()!;
        await http.WaitForStatusAsync(id, "completed");

        var all = (await SseClient.ReadAllAsync(http, $"v1/runs/{id}/events")).Where(e => e.Id is not null).ToList();
        Assert.True(all.Count >= 10, $"a completed run with a tool call has at least 10 events, got {all.Count}");
        Assert.Equal(Enumerable.Range(0, all.Count).Select(i => (long)i), all.Select(e => long.Parse(e.Id!, System.Globalization.CultureInfo.InvariantCulture)));
        foreach (var last in new[] { 0, 3, all.Count - 2, all.Count - 1 })
        {
            var resumed = await SseClient.ReadAllAsync(http, $"v1/runs/{id}/events", last.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var ids = resumed.Where(e => e.Id is not null).Select(e => e.Id).ToList();
            Assert.Equal(all.Skip(last + 1).Select(e => e.Id), ids);
            Assert.Equal(all.Skip(last + 1).Select(e => e.Data), resumed.Where(e => e.Id is not null).Select(e => e.Data));
            Assert.Equal("end", resumed[^1].Event);
        }

        var byQuery = await SseClient.ReadAllAsync(http, $"v1/runs/{id}/events?last_event_id=5");
        Assert.Equal(all.Skip(6).Select(e => e.Id), byQuery.Where(e => e.Id is not null).Select(e => e.Id));
        using var bad = await http.GetAsync(new Uri($"v1/runs/{id}/events?last_event_id=abc", UriKind.Relative), Ct);
        var error = await bad.JsonAsync(400);
        Assert.Equal("last_event_id", error.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task A_start_retried_with_the_same_idempotency_key_returns_the_same_run_and_never_a_second()
    {
        var project = new AgentProject();
        await using var server = await project.StartAsync();
        using var acme = AgentHttp.Client(server.BaseUri, await AgentHttp.KeyAsync(server, "acme"));
        using var other = AgentHttp.Client(server.BaseUri, await AgentHttp.KeyAsync(server, "other"));
        const string Body = """{"agent":"writer","task":"Read notes.txt","idempotency_key":"order-42"}""";

        var first = await acme.StartAsync(Body);
        using var again = await acme.PostAsync("v1/runs", Body);
        var second = await again.JsonAsync(200);
        using var byHeader = await acme.PostAsync("v1/runs", """{"agent":"writer","task":"Read notes.txt"}""", new Dictionary<string, string> { ["Idempotency-Key"] = "order-42" });
        var third = await byHeader.JsonAsync(200);
        Assert.Equal(first.GetProperty("id").GetString(), second.GetProperty("id").GetString());
        Assert.Equal(first.GetProperty("id").GetString(), third.GetProperty("id").GetString());

        // Concurrent retries of a new key: one run, one 201.
        var racing = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            using var response = await acme.PostAsync("v1/runs", """{"agent":"writer","task":"Race","idempotency_key":"race-1"}""");
            return ((int)response.StatusCode, (await response.JsonAsync((int)response.StatusCode)).GetProperty("id").GetString());
        }));
        Assert.Single(racing.Select(r => r.Item2).Distinct());
        Assert.Equal(1, racing.Count(r => r.Item1 == 201));

        // Another org's same key is another run: keys never reach across orgs.
        var others = await other.StartAsync(Body);
        Assert.NotEqual(first.GetProperty("id").GetString(), others.GetProperty("id").GetString());
        var listed = await acme.GetJsonAsync("v1/runs");
        Assert.Equal(2, listed.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task A_second_decision_on_the_same_call_is_409_and_edited_arguments_are_checked_against_the_schema()
    {
        var project = new AgentProject();
        await using var server = await project.StartAsync();
        server.Emulator!.Script.Enqueue(ScriptedTurn.ToolCalls(("read_file", """{"path":"missing.txt"}""")) with { Position = 0 });
        using var http = AgentHttp.Client(server.BaseUri, await AgentHttp.KeyAsync(server, "acme"));
        var id = (await http.StartAsync()).GetProperty("id").GetString()!;
        var waiting = await http.WaitForStatusAsync(id, "awaiting_approval");
        var callId = waiting.GetProperty("pending")[0].GetProperty("call_id").GetString()!;

        using var wrongType = await http.PostAsync($"v1/runs/{id}/approvals/{callId}/approve", """{"arguments":{"path":5}}""");
        var typeError = (await wrongType.JsonAsync(400)).GetProperty("error");
        Assert.Equal("arguments.path", typeError.GetProperty("param").GetString());
        using var notObject = await http.PostAsync($"v1/runs/{id}/approvals/{callId}/approve", """{"arguments":[1]}""");
        Assert.Equal("arguments", (await notObject.JsonAsync(400)).GetProperty("error").GetProperty("param").GetString());
        using var unknownField = await http.PostAsync($"v1/runs/{id}/approvals/{callId}/approve", """{"args":{}}""");
        Assert.Equal("args", (await unknownField.JsonAsync(400)).GetProperty("error").GetProperty("param").GetString());
        Assert.Equal("awaiting_approval", (await http.GetJsonAsync($"v1/runs/{id}")).GetProperty("status").GetString());

        using var approve = await http.PostAsync($"v1/runs/{id}/approvals/{callId}/approve", """{"arguments":{"path":"notes.txt"}}""");
        await approve.JsonAsync(200);
        using var twice = await http.PostAsync($"v1/runs/{id}/approvals/{callId}/approve", "{}");
        var conflict = (await twice.JsonAsync(409)).GetProperty("error");
        Assert.Equal("conflict", conflict.GetProperty("code").GetString());
        using var rejectAfter = await http.PostAsync($"v1/runs/{id}/approvals/{callId}/reject", """{"reason":"too late"}""");
        await rejectAfter.JsonAsync(409);

        await http.WaitForStatusAsync(id, "completed");
        var events = await SseClient.ReadAllAsync(http, $"v1/runs/{id}/events");
        var granted = events.Single(e => e.Event == "approval_granted").Json;
        Assert.True(granted.GetProperty("edited").GetBoolean());
        Assert.Equal("notes.txt", granted.GetProperty("effective_arguments").GetProperty("path").GetString());
        Assert.Contains("ship on Friday", events.Single(e => e.Event == "tool_completed").Json.GetProperty("output").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rejection_needs_a_reason_and_the_model_is_told_and_a_question_is_answered_over_http()
    {
        var project = new AgentProject();
        await using var server = await project.StartAsync();
        server.Emulator!.Script.Enqueue(
            ScriptedTurn.ToolCalls(("read_file", ReadNotes)) with { Position = 0 },
            ScriptedTurn.ToolCalls(("ask_human", """{"question":"Which day?"}""")) with { Position = 1 });
        using var http = AgentHttp.Client(server.BaseUri, await AgentHttp.KeyAsync(server, "acme"));
        var id = (await http.StartAsync()).GetProperty("id").GetString()!;
        var waiting = await http.WaitForStatusAsync(id, "awaiting_approval");
        var callId = waiting.GetProperty("pending")[0].GetProperty("call_id").GetString()!;

        using var noReason = await http.PostAsync($"v1/runs/{id}/approvals/{callId}/reject", "{}");
        Assert.Equal("reason", (await noReason.JsonAsync(400)).GetProperty("error").GetProperty("param").GetString());
        using var reject = await http.PostAsync($"v1/runs/{id}/approvals/{callId}/reject", """{"reason":"not those notes"}""");
        await reject.JsonAsync(200);

        JsonElement question = default;
        await Poll.UntilAsync(async () =>
        {
            var data = (await http.GetJsonAsync("v1/decisions")).GetProperty("data");
            question = data.EnumerateArray().FirstOrDefault(d => d.GetProperty("kind").GetString() == "question");
            return question.ValueKind == JsonValueKind.Object;
        }, "the ask_human question to be pending", cancellationToken: Ct);
        Assert.Equal("Which day?", question.GetProperty("question").GetString());
        var questionId = question.GetProperty("id").GetString()!;
        using var answer = await http.PostAsync($"v1/runs/{id}/questions/{questionId}/answer", """{"answer":"Friday"}""");
        await answer.JsonAsync(200);
        using var again = await http.PostAsync($"v1/runs/{id}/questions/{questionId}/answer", """{"answer":"Monday"}""");
        await again.JsonAsync(409);
        await http.WaitForStatusAsync(id, "completed");

        var events = await SseClient.ReadAllAsync(http, $"v1/runs/{id}/events");
        Assert.Equal("not those notes", events.Single(e => e.Event == "approval_rejected").Json.GetProperty("reason").GetString());
        Assert.Equal("Friday", events.Single(e => e.Event == "question_answered").Json.GetProperty("answer").GetString());
    }

    [Fact]
    public async Task A_cancelled_run_ends_for_good_and_never_resumes_not_even_after_a_restart()
    {
        var project = new AgentProject();
        string id;
        string key;
        await using (var server = await project.StartAsync())
        {
            key = await AgentHttp.KeyAsync(server, "acme");
            using var http = AgentHttp.Client(server.BaseUri, key);
            id = (await http.StartAsync()).GetProperty("id").GetString()!;
            await http.WaitForStatusAsync(id, "awaiting_approval");

            using var cancel = await http.PostAsync($"v1/runs/{id}/cancel", """{"reason":"not needed"}""");
            var cancelled = await cancel.JsonAsync(200);
            Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
            Assert.Empty(cancelled.GetProperty("pending").EnumerateArray());

            using var again = await http.PostAsync($"v1/runs/{id}/cancel");
            await again.JsonAsync(409);
            using var resume = await http.PostAsync($"v1/runs/{id}/resume");
            await resume.JsonAsync(409);
            var events = await SseClient.ReadAllAsync(http, $"v1/runs/{id}/events");
            var end = events.Single(e => e.Event == "run_cancelled").Json;
            Assert.Equal("not needed", end.GetProperty("reason").GetString());
            Assert.Equal("cancelled", events[^1].Json.GetProperty("status").GetString());
            Assert.Empty((await http.GetJsonAsync("v1/decisions")).GetProperty("data").EnumerateArray());
        }

        await using (var restarted = await project.StartAsync())
        {
            using var http = AgentHttp.Client(restarted.BaseUri, key);
            var before = (await SseClient.ReadAllAsync(http, $"v1/runs/{id}/events")).Count(e => e.Id is not null);
            await Task.Delay(300, Ct);
            var run = await http.GetJsonAsync($"v1/runs/{id}");
            Assert.Equal("cancelled", run.GetProperty("status").GetString());
            Assert.Equal(before, (await SseClient.ReadAllAsync(http, $"v1/runs/{id}/events")).Count(e => e.Id is not null));
            Assert.Equal(0, restarted.Emulator!.TotalRequestCount);
        }
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CompanyOs.Agents.Approvals;
using CompanyOs.Agents.Definitions;
using CompanyOs.Agents.ReadModel;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Runtime;
using CompanyOs.Server.Errors;
using CompanyOs.Server.Keys;

namespace CompanyOs.Server.Agents;

/// <summary><c>/v1/runs</c>: start (idempotent with a key), get, list, cancel and resume agent runs of the caller's org.</summary>
internal static class RunsApi
{
    private const int MaxIdempotencyKey = 255;

    public static RouteGroupBuilder MapRuns(this RouteGroupBuilder group)
    {
        group.MapPost("/runs", (Delegate)StartAsync).WithName("StartRun").Body<StartRunBody>()
            .Produces<RunObject>(StatusCodes.Status201Created).Produces<RunObject>().WithSummary("Start a run (idempotent with idempotency_key or the Idempotency-Key header).");
        group.MapGet("/runs", (Delegate)ListAsync).WithName("ListRuns").Produces<RunList>().WithSummary("List the org's runs, newest first (filters: status, agent, from, to; cursor: after).");
        group.MapGet("/runs/{id}", GetAsync).WithName("GetRun").Produces<RunObject>().WithSummary("A run with its pending decisions.");
        group.MapPost("/runs/{id}/cancel", CancelAsync).WithName("CancelRun").Body<CancelRunBody>()
            .Produces<RunObject>().WithSummary("Cancel a run for good (409 when it has ended).");
        group.MapPost("/runs/{id}/resume", ResumeAsync).WithName("ResumeRun").Produces<RunObject>(StatusCodes.Status202Accepted)
            .WithSummary("Drive a run on in the background (409 when it has ended).");
        return group;
    }

    /// <summary>The run id a key maps to: the same org and key always give the same run, another org never does.</summary>
    public static string IdempotentRunId(string org, string key) =>
        "run_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{org}\n{key}")))[..32];

    private static Task<IResult> StartAsync(HttpContext http) => AgentEndpoint.RunAsync(http, async (caller, runs) =>
    {
        AgentEndpoint.RequireAgentsScope(caller);
        var ct = http.RequestAborted;
        var body = await AgentEndpoint.ReadObjectAsync(http.Request, ct);
        AgentEndpoint.OnlyFields(body, "agent", "task", "capability", "variables", "autonomy", "max_iterations", "idempotency_key");
        var agent = AgentEndpoint.String(body, "agent") ?? throw Invalid("agent", "'agent' is required: the agent type to run.");
        if (!runs.Definitions.ContainsKey(agent))
        {
            var known = runs.Definitions.Count == 0 ? "none are configured" : string.Join(", ", runs.Definitions.Keys.Order(StringComparer.Ordinal));
            throw new ApiRequestException(new ApiError(ApiErrorKind.NotFound, $"Unknown agent '{agent}' (known: {known}).", "agent"));
        }

        var task = AgentEndpoint.String(body, "task");
        var capability = AgentEndpoint.String(body, "capability");
        if (task is null && capability is null)
        {
            throw Invalid("task", "Either 'task' or 'capability' is required.");
        }

        var variables = Variables(body);
        var autonomy = Autonomy(body);
        var maxIterations = MaxIterations(body);
        var key = AgentEndpoint.String(body, "idempotency_key")
            ?? (http.Request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } header ? header : null);
        if (key is { Length: > MaxIdempotencyKey })
        {
            throw Invalid("idempotency_key", $"'idempotency_key' must be at most {MaxIdempotencyKey} characters.");
        }

        var runId = key is null ? null : IdempotentRunId(caller.Org, key);
        if (runId is not null && await runs.Runtime.GetRunAsync(runId, ct) is { } existing)
        {
            return Json(runs, existing);
        }

        var request = new AgentRunRequest
        {
            AgentType = agent,
            Task = task ?? string.Empty,
            OrgId = caller.Org,
            RunId = runId,
            Capability = capability,
            Variables = variables,
            Autonomy = autonomy,
            MaxIterations = maxIterations,
        };
        string id;
        try
        {
            id = await runs.Runtime.StartOnlyAsync(request, ct);
        }
        catch (AgentRunException e) when (e.Kind == AgentRunErrorKind.RunAlreadyExists && runId is not null)
        {
            // The same key raced this request: both answer with the one run.
            return Json(runs, (await runs.Runtime.GetRunAsync(runId, ct))!);
        }

        runs.Scheduler.Enqueue(id);
        http.Response.Headers.Location = $"/v1/runs/{id}";
        return Json(runs, (await runs.Runtime.GetRunAsync(id, ct))!, StatusCodes.Status201Created);
    });

    private static Task<IResult> GetAsync(HttpContext http, string id) => AgentEndpoint.RunAsync(http, async (caller, runs) =>
        Json(runs, await AgentEndpoint.OwnedRunAsync(runs, caller, id, http.RequestAborted)));

    private static Task<IResult> CancelAsync(HttpContext http, string id) => AgentEndpoint.RunAsync(http, async (caller, runs) =>
    {
        AgentEndpoint.RequireAgentsScope(caller);
        var state = await AgentEndpoint.OwnedRunAsync(runs, caller, id, http.RequestAborted);
        var body = await AgentEndpoint.ReadObjectAsync(http.Request, http.RequestAborted);
        AgentEndpoint.OnlyFields(body, "reason");
        var reason = AgentEndpoint.String(body, "reason");
        Ended(state, "cancelled");
        var result = await runs.Runtime.CancelAsync(id, reason, caller.KeyId, http.RequestAborted);
        return Json(runs, result.State);
    });

    private static Task<IResult> ResumeAsync(HttpContext http, string id) => AgentEndpoint.RunAsync(http, async (caller, runs) =>
    {
        AgentEndpoint.RequireAgentsScope(caller);
        var state = await AgentEndpoint.OwnedRunAsync(runs, caller, id, http.RequestAborted);
        Ended(state, "resumed");
        runs.Scheduler.Enqueue(id);
        return Json(runs, state, StatusCodes.Status202Accepted);
    });

    private static Task<IResult> ListAsync(HttpContext http) => AgentEndpoint.RunAsync(http, async (caller, runs) =>
    {
        // The read model answers (a runs table kept from the store), never a re-fold of every run; the org comes from the key.
        var query = RunListQuery.Parse(http.Request.Query) with { OrgId = caller.Org };
        RunPage page;
        try
        {
            page = await runs.Runtime.Runs.ListRunsAsync(query, http.RequestAborted);
        }
        catch (ArgumentException)
        {
            // Limit and times are checked above: what is left is a cursor this server did not hand out. The read model's own
            // message speaks of .NET parameters, not of this API.
            throw new ApiRequestException(ApiError.Invalid("after", "'after' is not a cursor this server gave out (use next_cursor of the previous page)."));
        }

        var data = page.Items.Where(r => string.Equals(r.OrgId, caller.Org, StringComparison.Ordinal)).Select(RunObjects.Summary).ToList();
        return TypedResults.Json(new RunList(data, page.NextCursor is not null, page.NextCursor), AgentJsonContext.Default.RunList);
    });

    public static IResult Json(AgentRuns runs, RunState state, int status = StatusCodes.Status200OK)
    {
        var pending = PendingApprovals.From(state, runs.Time.GetUtcNow());
        return TypedResults.Json(RunObjects.Run(state, pending, runs.Tools), AgentJsonContext.Default.RunObject, statusCode: status);
    }

    /// <exception cref="ApiRequestException">409: the run has ended.</exception>
    private static void Ended(RunState state, string what)
    {
        if (state.Status.IsTerminal())
        {
            throw new ApiRequestException(new ApiError(ApiErrorKind.Conflict,
                $"Run '{state.RunId}' has ended ({state.Status.ToWireName()}); it cannot be {what}."));
        }
    }

    private static ApiRequestException Invalid(string param, string message) => new(ApiError.Invalid(param, message));

    private static Dictionary<string, object?> Variables(JsonElement body)
    {
        if (!body.TryGetProperty("variables", out var variables) || variables.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        return variables.ValueKind == JsonValueKind.Object
            ? variables.EnumerateObject().ToDictionary(p => p.Name, p => JsonValues.ToObject(p.Value), StringComparer.Ordinal)
            : throw Invalid("variables", "'variables' must be a JSON object of names to values.");
    }

    private static AutonomyLevel? Autonomy(JsonElement body) => AgentEndpoint.String(body, "autonomy") switch
    {
        null => null,
        "manual" => AutonomyLevel.Manual,
        "supervised" => AutonomyLevel.Supervised,
        "autonomous" => AutonomyLevel.Autonomous,
        var other => throw Invalid("autonomy", $"'autonomy' must be manual, supervised or autonomous, got '{other}'."),
    };

    private static int? MaxIterations(JsonElement body)
    {
        if (!body.TryGetProperty("max_iterations", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n is >= 1 and <= 1000
            ? n
            : throw Invalid("max_iterations", $"'max_iterations' must be a whole number from 1 to 1000, got {value.GetRawText()}.");
    }
}

/// <summary>The filters and cursor of <c>GET /v1/runs</c>, checked with errors that name the parameter.</summary>
internal static class RunListQuery
{
    private static readonly string[] KnownStatuses =
        [.. Enum.GetValues<RunStatus>().Where(s => s != RunStatus.None).Select(s => s.ToWireName())];

    /// <exception cref="ApiRequestException">A filter or the limit is invalid (400 naming it).</exception>
    public static RunQuery Parse(IQueryCollection query)
    {
        foreach (var key in query.Keys)
        {
            if (key is not ("status" or "agent" or "from" or "to" or "limit" or "after"))
            {
                throw new ApiRequestException(ApiError.Invalid(key, $"Unknown query parameter '{key}'; use status, agent, from, to, limit, after."));
            }
        }

        RunStatus? status = null;
        if (query["status"].ToString() is { Length: > 0 } text)
        {
            status = Enum.GetValues<RunStatus>().FirstOrDefault(s => s != RunStatus.None && s.ToWireName() == text) is var found && found != RunStatus.None
                ? found
                : throw new ApiRequestException(ApiError.Invalid("status", $"Unknown status '{text}'; known: {string.Join(", ", KnownStatuses)}."));
        }

        var limit = 50;
        if (query["limit"].ToString() is { Length: > 0 } given
            && !(int.TryParse(given, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit is >= 1 and <= 200))
        {
            throw new ApiRequestException(ApiError.Invalid("limit", $"'limit' must be a whole number from 1 to 200, got '{given}'."));
        }

        var from = Time(query, "from");
        var to = Time(query, "to");
        if (from > to)
        {
            throw new ApiRequestException(ApiError.Invalid("from", "'from' must not be after 'to'."));
        }

        return new RunQuery
        {
            Status = status,
            AgentType = query["agent"].ToString() is { Length: > 0 } agent ? agent : null,
            From = from,
            To = to,
            Limit = limit,
            After = query["after"].ToString() is { Length: > 0 } after ? after : null,
        };
    }

    private static DateTimeOffset? Time(IQueryCollection query, string name) => query[name].ToString() is not { Length: > 0 } text
        ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : throw new ApiRequestException(ApiError.Invalid(name, $"'{name}' must be an ISO-8601 time (e.g. 2026-01-31T00:00:00Z), got '{text}'."));
}

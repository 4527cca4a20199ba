using System.Text.Json;
using CompanyOs.Agents.Runs;
using CompanyOs.Agents.Runtime;
using CompanyOs.Prompts;
using CompanyOs.Server.Errors;
using CompanyOs.Server.Gateway;
using CompanyOs.Server.Keys;
using CompanyOs.Server.OpenAI;

namespace CompanyOs.Server.Agents;

/// <summary>
/// What every agent endpoint shares: the caller's org (another org's run is 404, never 403), the <c>agents</c> scope for
/// changes, JSON bodies read field by field so errors name the field, and the one place runtime failures become HTTP errors.
/// </summary>
internal static class AgentEndpoint
{
    public const string AgentsScope = "agents";

    /// <summary>Runs <paramref name="handle"/> once the runtime is ready; failures become OpenAI-shaped errors.</summary>
    public static async Task<IResult> RunAsync(HttpContext http, Func<Caller, AgentRuns, Task<IResult>> handle)
    {
        try
        {
            var runs = http.RequestServices.GetRequiredService<AgentRuns>();
            await runs.WhenReadyAsync().WaitAsync(http.RequestAborted);
            return await handle(Caller.Of(http), runs);
        }
        catch (Exception e) when (ErrorOf(e) is { } error)
        {
            return OpenAIErrors.Result(error, http.Response);
        }
    }

    /// <exception cref="ApiRequestException">403: the key lacks the <c>agents</c> scope.</exception>
    public static void RequireAgentsScope(Caller caller)
    {
        if (!caller.Has(AgentsScope))
        {
            throw new ApiRequestException(new ApiError(ApiErrorKind.PermissionDenied,
                $"This API key lacks the '{AgentsScope}' scope, needed to start, decide, cancel or resume runs."));
        }
    }

    /// <summary>The run, when it exists and belongs to the caller's org.</summary>
    /// <exception cref="ApiRequestException">404 otherwise (the same answer whether it does not exist or is another org's).</exception>
    public static async Task<RunState> OwnedRunAsync(AgentRuns runs, Caller caller, string runId, CancellationToken cancellationToken)
    {
        var state = string.IsNullOrEmpty(runId) || runId.Length > 200 ? null : await runs.Runtime.GetRunAsync(runId, cancellationToken);
        return state is not null && string.Equals(state.OrgId, caller.Org, StringComparison.Ordinal)
            ? state
            : throw NotFound(runId);
    }

    public static ApiRequestException NotFound(string runId) =>
        new(new ApiError(ApiErrorKind.NotFound, $"No run '{runId}' in this organisation.", "run_id"));

    /// <summary>The JSON object of the body; an empty body is an empty object.</summary>
    /// <exception cref="ApiRequestException">Not JSON, not an object, too large.</exception>
    public static async Task<JsonElement> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength == 0 || (request.ContentLength is null && request.ContentType is null && request.Headers.TransferEncoding.Count == 0))
        {
            return JsonDocument.Parse("{}").RootElement.Clone();
        }

        using var document = await RequestBody.ReadAsync(request, AgentJsonContext.Default.JsonDocument, cancellationToken);
        return document.RootElement.ValueKind == JsonValueKind.Object
            ? document.RootElement.Clone()
            : throw new ApiRequestException(ApiError.Invalid("body", $"The request body must be a JSON object, got {document.RootElement.ValueKind.ToString().ToLowerInvariant()}."));
    }

    /// <exception cref="ApiRequestException">The body has a field the endpoint does not know.</exception>
    public static void OnlyFields(JsonElement body, params string[] known)
    {
        foreach (var property in body.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.Ordinal))
            {
                throw new ApiRequestException(ApiError.Invalid(property.Name,
                    $"Unknown field '{property.Name}'; this endpoint takes {string.Join(", ", known.Select(k => $"'{k}'"))}."));
            }
        }
    }

    /// <exception cref="ApiRequestException">The field is present but not a string (or empty when <paramref name="nonEmpty"/>).</exception>
    public static string? String(JsonElement body, string name, bool nonEmpty = true)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw new ApiRequestException(ApiError.Invalid(name, $"'{name}' must be a string, got {value.ValueKind.ToString().ToLowerInvariant()}."));
        }

        var text = value.GetString()!;
        return nonEmpty && string.IsNullOrWhiteSpace(text)
            ? throw new ApiRequestException(ApiError.Invalid(name, $"'{name}' must not be empty."))
            : text;
    }

    /// <summary>The HTTP error for a failure of an agent endpoint; null for a defect (which propagates).</summary>
    public static ApiError? ErrorOf(Exception exception) => exception switch
    {
        ApiRequestException e => e.Error,
        AgentRunException e => e.Kind switch
        {
            AgentRunErrorKind.RunNotFound => new ApiError(ApiErrorKind.NotFound, e.Message, "run_id"),
            AgentRunErrorKind.UnknownAgentType => new ApiError(ApiErrorKind.NotFound, e.Message, "agent"),
            AgentRunErrorKind.UnknownCapability => new ApiError(ApiErrorKind.NotFound, e.Message, "capability"),
            AgentRunErrorKind.InvalidArguments => new ApiError(ApiErrorKind.InvalidRequest, e.Message, "arguments"),
            AgentRunErrorKind.InvalidRequest => new ApiError(ApiErrorKind.InvalidRequest, e.Message),
            _ => new ApiError(ApiErrorKind.Conflict, e.Message),
        },
        PromptException e => new ApiError(ApiErrorKind.InvalidRequest, e.Message, e.Variable is { } v ? $"variables.{v}" : null),
        _ => null,
    };
}

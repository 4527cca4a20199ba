using System.Text.Json;
using CompanyOs.Prompts;
using CompanyOs.Server.Errors;
using CompanyOs.Server.Keys;
using Microsoft.Extensions.AI;

namespace CompanyOs.Server.Agents;

/// <summary>
/// <c>/v1/prompts</c>: the prompt templates (list, show with versions, render with variables). Names are
/// <c>agent/name</c> (two path segments, or one with <c>%2F</c>). Rendering gets the caller's org as <c>org_id</c>, never one from the body.
/// </summary>
internal static class PromptsApi
{
    public static RouteGroupBuilder MapPrompts(this RouteGroupBuilder group)
    {
        group.MapGet("/prompts", (Delegate)ListAsync).WithName("ListPrompts").Produces<PromptList>().WithSummary("Prompt templates and their versions.");
        group.MapGet("/prompts/{agent}/{name}", (HttpContext http, string agent, string name) => ShowAsync(http, $"{agent}/{name}"))
            .WithName("GetPrompt").Produces<PromptObject>().WithSummary("A prompt template with its versions and variables.");
        group.MapGet("/prompts/{name}", (HttpContext http, string name) => ShowAsync(http, Uri.UnescapeDataString(name))).ExcludeFromDescription();
        group.MapPost("/prompts/{agent}/{name}/render", (HttpContext http, string agent, string name) => RenderAsync(http, $"{agent}/{name}"))
            .WithName("RenderPrompt").Body<RenderPromptBody>().Produces<RenderedPromptObject>()
            .WithSummary("Render a template (strict variables; few-shot pairs become messages).");
        group.MapPost("/prompts/{name}/render", (HttpContext http, string name) => RenderAsync(http, Uri.UnescapeDataString(name))).ExcludeFromDescription();
        return group;
    }

    private static Task<IResult> ListAsync(HttpContext http) => AgentEndpoint.RunAsync(http, (_, runs) =>
        Task.FromResult<IResult>(TypedResults.Json(new PromptList([.. runs.Prompts.List().OrderBy(p => p.Name, StringComparer.Ordinal).Select(Prompt)]),
            AgentJsonContext.Default.PromptList)));

    private static Task<IResult> ShowAsync(HttpContext http, string name) => AgentEndpoint.RunAsync(http, (_, runs) =>
        Task.FromResult<IResult>(TypedResults.Json(Prompt(Find(runs, name)), AgentJsonContext.Default.PromptObject)));

    private static Task<IResult> RenderAsync(HttpContext http, string name) => AgentEndpoint.RunAsync(http, async (caller, runs) =>
    {
        var info = Find(runs, name);
        var body = await AgentEndpoint.ReadObjectAsync(http.Request, http.RequestAborted);
        AgentEndpoint.OnlyFields(body, "version", "variables");
        var version = AgentEndpoint.String(body, "version");
        if (version is not null && !info.Versions.Contains(version, StringComparer.Ordinal))
        {
            throw new ApiRequestException(new ApiError(ApiErrorKind.NotFound,
                $"Prompt '{name}' has no version '{version}' (versions: {string.Join(", ", info.Versions)}).", "version"));
        }

        var variables = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (body.TryGetProperty("variables", out var given) && given.ValueKind != JsonValueKind.Null)
        {
            if (given.ValueKind != JsonValueKind.Object)
            {
                throw new ApiRequestException(ApiError.Invalid("variables", "'variables' must be a JSON object of names to values."));
            }

            foreach (var property in given.EnumerateObject())
            {
                variables[property.Name] = JsonValues.ToObject(property.Value);
            }
        }

        if (info.Variables.Any(v => v.Name == "org_id"))
        {
            variables["org_id"] = caller.Org;
        }

        var rendered = runs.Prompts.Render(name, variables, version);
        var messages = rendered.Messages.Select(m => new PromptMessageObject(m.Role.Value, m.Text)).ToList();
        return TypedResults.Json(new RenderedPromptObject(rendered.Name, rendered.Version, rendered.System, rendered.User, messages),
            AgentJsonContext.Default.RenderedPromptObject);
    });

    private static PromptInfo Find(AgentRuns runs, string name) =>
        runs.Prompts.List().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal))
        ?? throw new ApiRequestException(new ApiError(ApiErrorKind.NotFound, $"No prompt '{name}'.", "name"));

    private static PromptObject Prompt(PromptInfo info) => new()
    {
        Name = info.Name,
        Description = info.Description,
        Versions = info.Versions,
        LatestVersion = info.Versions.Count == 0 ? null : info.Versions[^1],
        Variables = [.. info.Variables.Select(v => new PromptVariableObject(v.Name, v.Type, v.Required, v.Description,
            v.Default is null ? null : JsonSerializer.SerializeToElement(v.Default, AIJsonUtilities.DefaultOptions.GetTypeInfo(v.Default.GetType()))))],
    };
}

using System.Text.Json.Serialization;
using CompanyOs.Server.Anthropic;
using CompanyOs.Llm.Models;
using CompanyOs.Server.Errors;
using CompanyOs.Server.Keys;
using CompanyOs.Server.OpenAI;

namespace CompanyOs.Server.Models;

/// <summary>
/// <c>GET /v1/models</c> and <c>GET /v1/models/{id}</c>: OpenAI's list shape, or Anthropic's when the request carries
/// <c>anthropic-version</c> (the Anthropic SDKs always send it; both SDKs call the same path).
/// </summary>
internal static class ModelsApi
{
    private static readonly DateTimeOffset Created = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static IEndpointRouteBuilder MapModels(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/models", List);
        routes.MapGet("/models/{**id}", IResult (string id, HttpContext http, ModelDirectory models, ModelCatalog catalog) =>
        {
            id = Uri.UnescapeDataString(id); // a catch-all route value keeps %2F, as in openai%2Fgpt-4o
            if (models.Find(id) is not { } model || !Caller.Of(http).MayUse(id, catalog))
            {
                var error = new ApiError(ApiErrorKind.NotFound, $"The model '{id}' does not exist or no enabled provider serves it.", "model");
                return WireErrors.Result(http, error);
            }

            return WireErrors.IsAnthropic(http)
                ? TypedResults.Json(Anthropic(model), ModelsJsonContext.Default.AnthropicModel)
                : TypedResults.Json(OpenAI(model), OpenAIJsonContext.Default.ModelWire);
        });
        return routes;
    }

    private static IResult List(HttpContext http, ModelDirectory models, ModelCatalog catalog)
    {
        var caller = Caller.Of(http);
        var all = models.All.Where(m => caller.MayUse(m.Id, catalog)).ToList();
        if (!WireErrors.IsAnthropic(http))
        {
            return TypedResults.Json(new ModelListWire { Data = [.. all.Select(OpenAI)] }, OpenAIJsonContext.Default.ModelListWire);
        }

        return TypedResults.Json(new AnthropicModelList
        {
            Data = [.. all.Select(Anthropic)],
            FirstId = all.Count > 0 ? all[0].Id : null,
            LastId = all.Count > 0 ? all[^1].Id : null,
        }, ModelsJsonContext.Default.AnthropicModelList);
    }

    private static ModelWire OpenAI(ServedModel model) =>
        new() { Id = model.Id, Created = Created.ToUnixTimeSeconds(), OwnedBy = model.Provider };

    private static AnthropicModel Anthropic(ServedModel model) =>
        new() { Id = model.Id, DisplayName = model.Id, CreatedAt = Created };
}

internal sealed class AnthropicModelList
{
    public required List<AnthropicModel> Data { get; init; }
    public bool HasMore { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? FirstId { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? LastId { get; init; }
}

internal sealed class AnthropicModel
{
    public string Type { get; init; } = "model";
    public required string Id { get; init; }
    public required string DisplayName { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AnthropicModelList))]
[JsonSerializable(typeof(AnthropicModel))]
internal sealed partial class ModelsJsonContext : JsonSerializerContext;

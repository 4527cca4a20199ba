using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Llm.Models;
using CompanyOs.Server.Errors;

namespace CompanyOs.Server.Keys;

/// <summary>Who is calling, as established by the API key (or the server's default org when keys are off).</summary>
internal sealed record Caller(string Org, string? KeyId)
{
    /// <summary>The key's own budget (USD); null: none.</summary>
    public decimal? BudgetUsd { get; init; }

    /// <summary>The key's scopes; null when keys are off (every scope).</summary>
    public IReadOnlyList<string>? Scopes { get; init; }

    /// <summary>True when the key holds <paramref name="scope"/> (always, when keys are off).</summary>
    public bool Has(string scope) => Scopes is null || Scopes.Contains(scope, StringComparer.Ordinal);

    /// <summary>The models the key may use (names or aliases); null: every model.</summary>
    public IReadOnlyList<string>? Models { get; init; }

    /// <summary>True when the key may use <paramref name="model"/>: listed by name, or naming the same exact model.</summary>
    public bool MayUse(string model, ModelCatalog catalog)
    {
        if (Models is null)
        {
            return true;
        }

        // A loop, not LINQ's Any with a closure: this runs on every gateway call.
        for (var i = 0; i < Models.Count; i++)
        {
            var allowed = Models[i];
            if (string.Equals(allowed, model, StringComparison.Ordinal)
                || string.Equals(catalog.Resolve(allowed), catalog.Resolve(model), StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <exception cref="ApiRequestException">403: the key may not use <paramref name="model"/>.</exception>
    public void RequireModel(string model, ModelCatalog catalog)
    {
        if (!MayUse(model, catalog))
        {
            throw new ApiRequestException(new ApiError(ApiErrorKind.PermissionDenied, $"This API key may not use the model '{model}'.", "model"));
        }
    }

    /// <summary>
    /// The gateway call context: the org comes from the key, never from a header or body field; the key's budget is one more
    /// limit of the gateway's budget policy.
    /// </summary>
    public LlmCallContext CallContext() => new()
    {
        OrgId = Org,
        ApiKeyId = KeyId,
        ApiKeyBudget = BudgetUsd is { } usd ? new BudgetLimit(MaxUsd: usd) : null,
    };

    public static Caller Of(HttpContext http) =>
        http.Features.Get<Caller>() ?? throw new InvalidOperationException("The endpoint is outside the authenticated /v1 group.");
}

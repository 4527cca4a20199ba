using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;
using CompanyOs.Llm.Configuration;

namespace CompanyOs.Llm.Gateway.Costs;

/// <summary>
/// The price list: exact model ids plus aliases (a provider's floating name → the dated snapshot it serves).
/// Lookups are exact and ordinal — never by prefix or substring, so <c>gpt-4o-mini</c> can never be priced as <c>gpt-4o</c>.
/// </summary>
public sealed class PriceTable
{
    private const string ResourceName = "CompanyOs.Llm.prices.json";
    private readonly FrozenDictionary<string, ModelPrice> _models;
    private readonly FrozenDictionary<string, string> _aliases;

    private PriceTable(FrozenDictionary<string, ModelPrice> models, FrozenDictionary<string, string> aliases)
    {
        _models = models;
        _aliases = aliases;
    }

    /// <summary>Number of exact model ids with a price.</summary>
    public int Count => _models.Count;

    /// <summary>The table shipped with the product (<c>config/prices.json</c>, embedded in the assembly).</summary>
    public static PriceTable LoadDefault()
    {
        using var stream = typeof(PriceTable).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource '{ResourceName}' is missing from {typeof(PriceTable).Assembly.GetName().Name}.");
        return Load(stream, "prices.json (embedded)");
    }

    /// <summary>Reads a price file in the <c>config/prices.json</c> format.</summary>
    /// <exception cref="ConfigurationException">The file is not valid JSON or a price is missing, negative or unknown.</exception>
    public static PriceTable Load(Stream json, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new ConfigurationException(sourceName, "", $"not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            return PriceFileReader.Read(document.RootElement, sourceName);
        }
    }

    internal static PriceTable Create(IReadOnlyDictionary<string, ModelPrice> models, IReadOnlyDictionary<string, string> aliases, string sourceName)
    {
        foreach (var (alias, target) in aliases)
        {
            if (models.ContainsKey(alias))
            {
                throw new ConfigurationException(sourceName, $"aliases.{alias}", "is both an alias and an exact model id");
            }

            if (!models.ContainsKey(target))
            {
                throw new ConfigurationException(sourceName, $"aliases.{alias}", $"points to '{target}', which has no price under models");
            }
        }

        return new PriceTable(
            models.ToFrozenDictionary(StringComparer.Ordinal),
            aliases.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>
    /// A table where <paramref name="overrides"/> (exact id or alias → price) replace or add entries. An override keyed by an
    /// alias replaces the price of that name only, leaving the snapshot it pointed to unchanged.
    /// </summary>
    public PriceTable WithOverrides(IReadOnlyDictionary<string, ModelPrice>? overrides)
    {
        if (overrides is null || overrides.Count == 0)
        {
            return this;
        }

        var models = new Dictionary<string, ModelPrice>(_models, StringComparer.Ordinal);
        var aliases = new Dictionary<string, string>(_aliases, StringComparer.Ordinal);
        foreach (var (id, price) in overrides)
        {
            aliases.Remove(id);
            models[id] = price;
        }

        return new PriceTable(models.ToFrozenDictionary(StringComparer.Ordinal), aliases.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>Finds the price of an exact id, or of an alias's target.</summary>
    public bool TryGetPrice(string model, out ModelPrice price)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (_models.TryGetValue(model, out price!))
        {
            return true;
        }

        return _aliases.TryGetValue(model, out var target) && _models.TryGetValue(target, out price!);
    }

    /// <summary>The provider protocol that serves <paramref name="model"/>, when the table knows the model.</summary>
    public ProviderKind? GetProviderKind(string model) => TryGetPrice(model, out var price) ? price.Provider : null;
}

using System.Globalization;
using System.Text.Json;
using CompanyOs.Llm.Configuration;

namespace CompanyOs.Llm.Gateway.Costs;

/// <summary>Parses the JSON price file with exact decimal arithmetic and errors that name the key.</summary>
internal static class PriceFileReader
{
    public static PriceTable Read(JsonElement root, string source)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigurationException(source, "", "expected a JSON object with 'models' and 'aliases'");
        }

        var models = new Dictionary<string, ModelPrice>(StringComparer.Ordinal);
        if (!root.TryGetProperty("models", out var modelsElement) || modelsElement.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigurationException(source, "models", "is missing or not an object");
        }

        foreach (var model in modelsElement.EnumerateObject())
        {
            models[model.Name] = ReadPrice(model.Value, source, $"models.{model.Name}");
        }

        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("aliases", out var aliasElement))
        {
            if (aliasElement.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigurationException(source, "aliases", "must be an object of alias → exact model id");
            }

            foreach (var alias in aliasElement.EnumerateObject())
            {
                aliases[alias.Name] = alias.Value.ValueKind == JsonValueKind.String
                    ? alias.Value.GetString()!
                    : throw new ConfigurationException(source, $"aliases.{alias.Name}", "must be a string (an exact model id)");
            }
        }

        return PriceTable.Create(models, aliases, source);
    }

    /// <summary>Reads one price object (<c>input</c>, <c>output</c>, optional <c>cache_read</c>, <c>cache_write</c>, <c>provider</c>).</summary>
    public static ModelPrice ReadPrice(JsonElement element, string source, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigurationException(source, path, "must be an object with input and output prices");
        }

        return new ModelPrice
        {
            Provider = ReadProvider(element, source, path),
            Input = ReadDecimal(element, "input", source, path) ?? throw new ConfigurationException(source, $"{path}.input", "is required"),
            Output = ReadDecimal(element, "output", source, path) ?? throw new ConfigurationException(source, $"{path}.output", "is required"),
            CacheRead = ReadDecimal(element, "cache_read", source, path),
            CacheWrite = ReadDecimal(element, "cache_write", source, path),
        };
    }

    private static ProviderKind? ReadProvider(JsonElement element, string source, string path)
    {
        if (!element.TryGetProperty("provider", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String && Enum.TryParse<ProviderKind>(value.GetString(), ignoreCase: true, out var kind)
            ? kind
            : throw new ConfigurationException(source, $"{path}.provider", $"'{value}' is not one of anthropic, openai, ollama");
    }

    private static decimal? ReadDecimal(JsonElement element, string name, string source, string path)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out var price))
        {
            throw new ConfigurationException(source, $"{path}.{name}", $"'{value.GetRawText()}' is not a number");
        }

        return price >= 0
            ? price
            : throw new ConfigurationException(source, $"{path}.{name}", string.Create(CultureInfo.InvariantCulture, $"{price} is negative"));
    }
}

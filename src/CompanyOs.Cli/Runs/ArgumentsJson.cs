using System.Text.Json;
using CompanyOs.Cli.Errors;

namespace CompanyOs.Cli.Runs;

/// <summary>Parses edited tool arguments typed by a person; bad JSON is reported with its line and position.</summary>
internal static class ArgumentsJson
{
    /// <summary>Validates optional arguments without keeping them.</summary>
    /// <exception cref="CliUsageException">Given, but not valid JSON or not a JSON object.</exception>
    public static void Check(string? text, string source)
    {
        if (text is not null)
        {
            Parse(text, source);
        }
    }

    /// <exception cref="CliUsageException">Not valid JSON, or not a JSON object.</exception>
    public static JsonElement Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CliUsageException($"{source} must be a JSON object (like {{\"path\": \"README.md\"}}), not {document.RootElement.ValueKind.ToString().ToLowerInvariant()}.");
            }

            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            var line = (e.LineNumber ?? 0) + 1;
            var position = (e.BytePositionInLine ?? 0) + 1;
            var reason = e.Message.Split(" LineNumber:", 2)[0].Split(" Path:", 2)[0].TrimEnd();
            throw new CliUsageException($"invalid JSON in {source} at line {line}, position {position}: {reason}");
        }
    }
}

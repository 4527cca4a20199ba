using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CompanyOs.Configuration;

/// <summary>Reads the text of one YAML configuration file into its root <see cref="ConfigNode"/>.</summary>
public static class ConfigDocument
{
    /// <summary>
    /// Parses <paramref name="yaml"/>. Malformed YAML, a key repeated in one mapping and several documents are errors naming
    /// the file and the line. An empty file (or one holding only comments or <c>~</c>) gives a root that
    /// <see cref="ConfigNode.IsNull"/>; whether that is allowed, and what the root must hold, is the caller's decision.
    /// </summary>
    /// <exception cref="ConfigurationException">The text is not one well-formed YAML document.</exception>
    public static ConfigNode Parse(string yaml, ConfigReadContext context)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(context);
        var stream = new YamlStream();
        try
        {
            DuplicateKeyCheck.Run(yaml, context.File);
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            var problem = e.InnerException is YamlException inner ? inner.Message : e.Message;
            throw new ConfigurationException(
                context.File, string.Empty, $"malformed YAML: {StripPosition(problem)}", (int)e.Start.Line, (int)e.Start.Column, e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this (not YamlException) on some truncated input, e.g. "key: [" and a newline.
            throw new ConfigurationException(context.File, string.Empty, $"malformed YAML: {e.Message}", e);
        }

        if (stream.Documents.Count > 1)
        {
            throw new ConfigurationException(context.File, string.Empty, "the file holds several YAML documents ('---'); expected one");
        }

        return new ConfigNode(context, string.Empty, stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode);
    }

    private static string StripPosition(string message)
    {
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; the position is already in our message.
        var i = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line:", StringComparison.Ordinal) && i >= 0 ? message[(i + 3)..] : message;
    }
}

using CompanyOs.Prompts.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace CompanyOs.Prompts.Definitions;

/// <summary>
/// Loads a prompt file's YAML so that nothing in it can crash the host: every failure becomes one
/// <see cref="PromptDiagnosticCodes.InvalidYaml"/> diagnostic with a line. YamlDotNet does not only throw
/// <see cref="YamlException"/> (a half-typed <c>variables: [</c> makes its scanner throw <see cref="InvalidOperationException"/>),
/// and its representation model is recursive (100 000 nested <c>[</c> overflow the stack), so the file is first read as a
/// flat event stream, which is iterative, with bounds on nesting and size; only a file within them is loaded as a tree.
/// </summary>
internal static class YamlDocumentLoader
{
    /// <summary>Deepest nesting of lists and mappings a prompt file may have; real ones use four or five levels.</summary>
    public const int MaxDepth = 64;

    /// <summary>Most YAML events (scalars, starts and ends of collections) a prompt file may have.</summary>
    public const int MaxEvents = 100_000;

    /// <summary>The loaded stream, or null after reporting why the text is not loadable YAML.</summary>
    public static YamlStream? Load(string content, DiagnosticBag diagnostics)
    {
        if (!WithinBounds(content, diagnostics))
        {
            return null;
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(content));
            return stream;
        }
        catch (YamlException e)
        {
            ReportYamlException(e, content, diagnostics);
        }
        catch (Exception e) when (IsParserFailure(e))
        {
            diagnostics.Error(PromptDiagnosticCodes.InvalidYaml, $"invalid YAML: the YAML parser failed ({e.Message.TrimEnd('.')}); look for an unclosed '[', '{{' or quote", 1);
        }

        return null;
    }

    private static bool WithinBounds(string content, DiagnosticBag diagnostics)
    {
        var parser = new Parser(new StringReader(content));
        var depth = 0;
        var events = 0;
        try
        {
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                depth += current switch
                {
                    SequenceStart or MappingStart => 1,
                    SequenceEnd or MappingEnd => -1,
                    _ => 0,
                };
                if (depth > MaxDepth)
                {
                    diagnostics.Error(PromptDiagnosticCodes.InvalidYaml, $"invalid YAML: lists and mappings are nested deeper than {MaxDepth} levels", DiagnosticBag.LineOf(current.Start), DiagnosticBag.ColumnOf(current.Start));
                    return false;
                }

                if (++events > MaxEvents)
                {
                    diagnostics.Error(PromptDiagnosticCodes.InvalidYaml, $"invalid YAML: the file holds more than {MaxEvents} values; a prompt file should be far smaller", DiagnosticBag.LineOf(current.Start), DiagnosticBag.ColumnOf(current.Start));
                    return false;
                }
            }

            return true;
        }
        catch (YamlException e)
        {
            ReportYamlException(e, content, diagnostics);
            return false;
        }
        catch (Exception e) when (IsParserFailure(e))
        {
            // No position comes with these: the last event read is the closest place we know.
            var line = parser.Current is { } last ? Math.Max(DiagnosticBag.LineOf(last.End), 1) : 1;
            diagnostics.Error(
                PromptDiagnosticCodes.InvalidYaml,
                $"invalid YAML: the YAML parser failed after line {line} ({e.Message.TrimEnd('.')}); look for an unclosed '[', '{{' or quote there",
                line);
            return false;
        }
    }

    /// <summary>
    /// Anything the parser throws on bad text (YamlDotNet throws <see cref="InvalidOperationException"/>,
    /// <see cref="ArgumentException"/>, <see cref="FormatException"/>… besides its own exceptions). Failures of the process
    /// itself are not the text's fault and are left to propagate.
    /// </summary>
    private static bool IsParserFailure(Exception e) =>
        e is not (OutOfMemoryException or InsufficientExecutionStackException or ThreadInterruptedException or OperationCanceledException);

    private static void ReportYamlException(YamlException e, string content, DiagnosticBag diagnostics)
    {
        var message = e.InnerException is not null && e.InnerException.Message != e.Message
            ? $"{e.Message} {e.InnerException.Message}"
            : e.Message;
        var (line, column) = (Math.Max(DiagnosticBag.LineOf(e.Start), 1), DiagnosticBag.ColumnOf(e.Start));
        var tabLine = message.Contains("tab", StringComparison.OrdinalIgnoreCase) ? FirstTabIndentedLine(content) : 0;
        if (tabLine > 0)
        {
            // YamlDotNet reports tab indentation at the start of the enclosing mapping; point at the tab instead.
            (line, column) = (tabLine, 1);
        }

        var end = e.End.Line > e.Start.Line ? $" (detected at line {e.End.Line}, column {e.End.Column})" : string.Empty;
        diagnostics.Error(PromptDiagnosticCodes.InvalidYaml, $"invalid YAML: {message.TrimEnd('.')}{end}", line, column);
    }

    private static int FirstTabIndentedLine(string content)
    {
        var lines = content.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var indent = lines[i].AsSpan()[..(lines[i].Length - lines[i].AsSpan().TrimStart(" \t").Length)];
            if (indent.Contains('\t'))
            {
                return i + 1;
            }
        }

        return 0;
    }
}

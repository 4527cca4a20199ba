using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace CompanyOs.Configuration;

/// <summary>
/// Rejects a key repeated in the same mapping, naming its full key path. Runs on the parser's event stream before the
/// document is built, because the document model only reports "duplicate key" without saying where in the tree. Also
/// bounds nesting: the document model is recursive, and each level's key path here is longer than the last, so 100 000
/// nested '[' (a 100 KB file) took gigabytes until the process was killed.
/// </summary>
internal static class DuplicateKeyCheck
{
    /// <summary>Deepest nesting of lists and mappings accepted; configuration files use five or six levels.</summary>
    public const int MaxDepth = 64;

    public static void Run(string yaml, string file)
    {
        var parser = new Parser(new StringReader(yaml));
        var frames = new Stack<Frame>();
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case MappingStart or SequenceStart when frames.Count >= MaxDepth:
                    throw new ConfigurationException(file, ChildPath(frames), $"lists and mappings are nested deeper than {MaxDepth} levels",
                        (int)parser.Current.Start.Line, (int)parser.Current.Start.Column);
                case MappingStart:
                    frames.Push(new Frame(ChildPath(frames), isMapping: true));
                    break;
                case SequenceStart:
                    frames.Push(new Frame(ChildPath(frames), isMapping: false));
                    break;
                case MappingEnd or SequenceEnd:
                    frames.Pop();
                    Advance(frames);
                    break;
                case Scalar scalar when frames.TryPeek(out var top) && top.IsMapping && top.ExpectingKey:
                    var path = Join(top.Path, scalar.Value);
                    if (!top.Keys.TryAdd(scalar.Value, scalar.Start.Line))
                    {
                        throw new ConfigurationException(file, path, $"duplicate key '{scalar.Value}'; first at line {top.Keys[scalar.Value]}",
                            (int)scalar.Start.Line, (int)scalar.Start.Column);
                    }

                    top.CurrentKey = scalar.Value;
                    top.ExpectingKey = false;
                    break;
                case Scalar or AnchorAlias:
                    Advance(frames);
                    break;
            }
        }
    }

    private static void Advance(Stack<Frame> frames)
    {
        if (!frames.TryPeek(out var top))
        {
            return;
        }

        if (top.IsMapping)
        {
            top.ExpectingKey = !top.ExpectingKey;
        }
        else
        {
            top.Index++;
        }
    }

    private static string ChildPath(Stack<Frame> frames)
    {
        if (!frames.TryPeek(out var top))
        {
            return string.Empty;
        }

        return top.IsMapping ? Join(top.Path, top.ExpectingKey ? "?" : top.CurrentKey) : $"{top.Path}[{top.Index}]";
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private sealed class Frame(string path, bool isMapping)
    {
        public string Path { get; } = path;
        public bool IsMapping { get; } = isMapping;
        public bool ExpectingKey { get; set; } = true;
        public string CurrentKey { get; set; } = string.Empty;
        public int Index { get; set; }
        public Dictionary<string, long> Keys { get; } = new(StringComparer.Ordinal);
    }
}

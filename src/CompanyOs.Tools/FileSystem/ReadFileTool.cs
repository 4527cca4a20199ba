using System.Text;
using CompanyOs.Tools.Typed;

namespace CompanyOs.Tools.FileSystem;

/// <summary><c>read_file</c>: returns a UTF-8 text file from inside the configured roots, truncated at a size limit.</summary>
public sealed class ReadFileTool : TypedTool<ReadFileArguments>
{
    private readonly ConfinedPathResolver _resolver;
    private readonly int _maxBytes;

    public ReadFileTool(ConfinedPathResolver resolver, FileSystemToolOptions options)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxReadBytes, 1, nameof(options));
        _resolver = resolver;
        _maxBytes = options.MaxReadBytes;
    }

    public override string Name => "read_file";

    public override string Description =>
        $"Reads a UTF-8 text file inside the allowed directories. Returns at most {_maxBytes} bytes; longer files end with a "
        + "[truncated ...] marker that gives the offset to continue from. Binary files, directories and special files are refused.";

    public override ToolRisk Risk => ToolRisk.Low;

    public override bool IsIdempotent => true;

    public override TimeSpan Timeout => TimeSpan.FromSeconds(10);

    protected override async Task<ToolResult> InvokeAsync(ReadFileArguments arguments, ToolInvocationContext context, CancellationToken cancellationToken)
    {
        var resolution = _resolver.Resolve(arguments.Path);
        if (!resolution.IsAllowed)
        {
            return ToolResult.Error(resolution.Error!);
        }

        if (resolution.Type != UnixFileType.Regular)
        {
            return ToolResult.Error(NotRegular(arguments.Path, resolution.Type));
        }

        // Between resolving and opening, a component could have been swapped for a symlink or a FIFO: the open follows no
        // symlink and never blocks, and the type is checked again on what was actually opened.
        var (opened, openError) = NoFollowOpen.Open(resolution.FullPath!, directory: false);
        if (opened is null)
        {
            return ToolResult.Error($"'{arguments.Path}' {openError}");
        }

        using var handle = opened;
        if (UnixFileStatus.OfHandle(handle).Type is var type and not UnixFileType.Regular)
        {
            return ToolResult.Error($"'{arguments.Path}' changed into a {Describe(type)} while being opened; refused");
        }

        var size = RandomAccess.GetLength(handle);
        if (arguments.Offset < 0 || arguments.Offset > size)
        {
            return ToolResult.Error($"offset {arguments.Offset} is outside the file ({size} bytes)");
        }

        var toRead = (int)Math.Min(_maxBytes, size - arguments.Offset);
        var buffer = new byte[toRead];
        var read = 0;
        while (read < toRead)
        {
            var n = await RandomAccess.ReadAsync(handle, buffer.AsMemory(read), arguments.Offset + read, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        var end = arguments.Offset + read;
        var truncated = end < size;
        var bytes = buffer.AsSpan(0, read);
        var start = arguments.Offset > 0 ? ContentSniffer.LeadingContinuationBytes(bytes) : 0;
        if (ContentSniffer.DescribeBinary(bytes[start..], truncated) is { } binary)
        {
            return ToolResult.Error($"'{arguments.Path}' is a binary file ({binary}, {size} bytes); read_file only returns text.");
        }

        var length = (truncated ? ContentSniffer.TextLength(bytes) : bytes.Length) - start;
        var text = Encoding.UTF8.GetString(bytes.Slice(start, Math.Max(0, length)));
        if (truncated)
        {
            var next = arguments.Offset + start + Math.Max(0, length);
            text += $"\n[truncated: showed bytes {arguments.Offset + start}-{next} of {size}; call read_file with offset={next} to continue]";
        }

        return ToolResult.Success(text);
    }

    internal static string NotRegular(string requested, UnixFileType type) => type switch
    {
        UnixFileType.Directory => $"'{requested}' is a directory; use list_dir",
        _ => $"'{requested}' is not a regular file ({Describe(type)}); refused",
    };

    internal static string Describe(UnixFileType type) => type switch
    {
        UnixFileType.CharacterDevice => "character device",
        UnixFileType.BlockDevice => "block device",
        UnixFileType.Fifo => "named pipe",
        UnixFileType.Socket => "socket",
        UnixFileType.SymbolicLink => "symbolic link",
        UnixFileType.Directory => "directory",
        UnixFileType.Regular => "file",
        _ => "special file",
    };
}

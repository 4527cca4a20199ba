using System.ComponentModel;

namespace CompanyOs.Tools.FileSystem;

/// <summary>Arguments of <c>read_file</c>.</summary>
public sealed record ReadFileArguments(
    [property: Description("Path of the file, relative to the workspace root or absolute inside an allowed directory.")] string Path,
    [property: Description("Byte offset to start reading at, to continue a truncated read. Default 0.")] long Offset = 0);

using System.ComponentModel;

namespace CompanyOs.Tools.FileSystem;

/// <summary>Arguments of <c>list_dir</c>.</summary>
public sealed record ListDirArguments(
    [property: Description("Directory to list, relative to the workspace root or absolute inside an allowed directory. Default: the workspace root.")] string Path = ".");

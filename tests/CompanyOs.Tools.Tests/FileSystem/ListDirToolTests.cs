using System.Text.Json;
using CompanyOs.Tools.FileSystem;

namespace CompanyOs.Tools.Tests.FileSystem;

public sealed class ListDirToolTests : IDisposable
{
    private readonly SandboxDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private Task<ToolResult> List(object args, int maxEntries = 100)
    {
        var options = new FileSystemToolOptions { Roots = [_dir.Root], MaxListEntries = maxEntries };
        var tool = new ListDirTool(new ConfinedPathResolver(options.Roots), options);
        return tool.InvokeAsync(Json.Parse(JsonSerializer.Serialize(args)), Json.Context, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Lists_entries_with_kinds_and_sizes_without_following_symlinks()
    {
        var result = await List(new { path = "." });

        var lines = result.Content.Split('\n');
        Assert.False(result.IsError);
        Assert.StartsWith(".: ", lines[0], StringComparison.Ordinal);
        Assert.Contains("file.txt  (6 bytes)", lines);
        Assert.Contains("sub/", lines);
        Assert.Contains("dir_out  (symbolic link)", lines);
        Assert.Contains("pipe  (named pipe)", lines);
        Assert.DoesNotContain(lines, l => l.Contains("secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Defaults_to_the_root_and_lists_subdirectories_by_relative_path()
    {
        var root = await List(new { });
        var sub = await List(new { path = "sub" });

        Assert.StartsWith(".: ", root.Content, StringComparison.Ordinal);
        Assert.Equal("sub: 3 entries\ndeeper/\ninner.txt  (6 bytes)\nup  (symbolic link)", sub.Content);
    }

    [Fact]
    public async Task Long_listings_are_capped_with_a_marker()
    {
        var result = await List(new { path = "." }, maxEntries: 3);

        var lines = result.Content.Split('\n');
        Assert.Equal(5, lines.Length);
        Assert.Matches(@"^\[truncated: \d+ more entries not shown\]$", lines[^1]);
    }

    [Fact]
    public async Task Files_are_not_directories()
    {
        var result = await List(new { path = "file.txt" });

        Assert.Equal(new ToolResult("'file.txt' is not a directory (file)", IsError: true), result);
    }
}

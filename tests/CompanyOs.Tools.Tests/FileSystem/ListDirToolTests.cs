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

    [Fact]
    public async Task Names_with_line_breaks_or_control_characters_cannot_forge_entries()
    {
        var sub = Path.Combine(_dir.Root, "odd");
        Directory.CreateDirectory(sub);
        File.WriteAllText(Path.Combine(sub, "a.txt  (1 bytes)\nsecret.key  (99 bytes)"), "x");
        File.WriteAllText(Path.Combine(sub, "bell\u0007\tq\"\\"), "x");
        Directory.CreateDirectory(Path.Combine(sub, "line\u2028sep"));

        var result = await List(new { path = "odd" });

        Assert.False(result.IsError);
        Assert.Equal(
            "odd: 3 entries\n\"a.txt  (1 bytes)\\nsecret.key  (99 bytes)\"  (1 bytes)\n\"bell\\u0007\\tq\\\"\\\\\"  (1 bytes)\n\"line\\u2028sep\"/",
            result.Content);
    }

    [Theory]
    [InlineData("plain name.txt", "plain name.txt")]
    [InlineData("ünïcödé 名前", "ünïcödé 名前")]
    [InlineData("back\\slash \"q\"", "back\\slash \"q\"")]
    [InlineData("cr\rlf\n", "\"cr\\rlf\\n\"")]
    public async Task Only_names_that_could_break_a_line_are_quoted(string name, string shown)
    {
        var sub = Path.Combine(_dir.Root, "one");
        Directory.CreateDirectory(sub);
        File.WriteAllText(Path.Combine(sub, name), "x");

        var result = await List(new { path = "one" });

        Assert.Equal($"one: 1 entries\n{shown}  (1 bytes)", result.Content);
    }
}

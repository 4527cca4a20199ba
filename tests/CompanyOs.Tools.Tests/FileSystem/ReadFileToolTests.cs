using System.Text;
using System.Text.Json;
using CompanyOs.Tools.FileSystem;
using CompanyOs.Tools.Registry;

namespace CompanyOs.Tools.Tests.FileSystem;

public sealed class ReadFileToolTests : IDisposable
{
    private readonly SandboxDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private async Task<ToolResult> Read(object args, int maxBytes = 1024)
    {
        var options = new FileSystemToolOptions { Roots = [_dir.Root], MaxReadBytes = maxBytes };
        var invoker = new ToolInvoker(new ToolRegistry([new ReadFileTool(new ConfinedPathResolver(options.Roots), options)]));
        return await invoker.InvokeAsync("read_file", Json.Parse(JsonSerializer.Serialize(args)), Json.Context, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Reads_a_text_file()
    {
        Assert.Equal(new ToolResult("hello\n"), await Read(new { path = "file.txt" }));
        Assert.Equal(new ToolResult("inner\n"), await Read(new { path = "link_in" }));
    }

    [Fact]
    public async Task Large_files_are_truncated_with_a_marker_and_can_be_continued()
    {
        File.WriteAllText(Path.Combine(_dir.Root, "big.txt"), new string('a', 100) + new string('b', 100));

        var first = await Read(new { path = "big.txt" }, maxBytes: 120);
        var second = await Read(new { path = "big.txt", offset = 120 }, maxBytes: 120);

        Assert.False(first.IsError);
        Assert.Equal(new string('a', 100) + new string('b', 20) + "\n[truncated: showed bytes 0-120 of 200; call read_file with offset=120 to continue]", first.Content);
        Assert.Equal(new string('b', 80), second.Content);
    }

    [Fact]
    public async Task Truncation_never_splits_a_multibyte_character()
    {
        File.WriteAllText(Path.Combine(_dir.Root, "utf8.txt"), "ab€€€", new UTF8Encoding(false)); // € is 3 bytes

        var first = await Read(new { path = "utf8.txt" }, maxBytes: 4);
        var rest = await Read(new { path = "utf8.txt", offset = 4 }, maxBytes: 100);

        Assert.StartsWith("ab\n[truncated: showed bytes 0-2 of 11; call read_file with offset=2", first.Content, StringComparison.Ordinal);
        Assert.Equal("€€", rest.Content);
    }

    [Theory]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, "PNG image")]
    [InlineData(new byte[] { 0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0 }, "ELF executable")]
    [InlineData(new byte[] { (byte)'a', 0, (byte)'b' }, "binary data")]
    [InlineData(new byte[] { (byte)'a', 0xC3, 0x28, (byte)'b' }, "not valid UTF-8")]
    public async Task Binary_files_are_described_not_returned(byte[] content, string description)
    {
        File.WriteAllBytes(Path.Combine(_dir.Root, "blob.bin"), content);

        var result = await Read(new { path = "blob.bin" });

        Assert.True(result.IsError);
        Assert.Contains(description, result.Content, StringComparison.Ordinal);
        Assert.Contains($"{content.Length} bytes", result.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Directories_and_fifos_are_refused_without_blocking()
    {
        var dir = await Read(new { path = "sub" });
        var fifo = await Read(new { path = "pipe" });

        Assert.Equal("'sub' is a directory; use list_dir", dir.Content);
        Assert.Equal("'pipe' is not a regular file (named pipe); refused", fifo.Content);
    }

    [Fact]
    public async Task Offsets_outside_the_file_are_refused()
    {
        var result = await Read(new { path = "file.txt", offset = 99 });

        Assert.Equal(new ToolResult("offset 99 is outside the file (6 bytes)", IsError: true), result);
    }

    [Fact]
    public async Task Missing_files_say_so()
    {
        var result = await Read(new { path = "nope.txt" });

        Assert.Equal(new ToolResult("'nope.txt' does not exist", IsError: true), result);
    }

    [Fact]
    public async Task Schema_requires_a_string_path()
    {
        var result = await Read(new { offset = 1 });

        Assert.True(result.IsError);
        Assert.Contains("$: ", result.Content, StringComparison.Ordinal);
        Assert.Contains("path", result.Content, StringComparison.Ordinal);
    }
}

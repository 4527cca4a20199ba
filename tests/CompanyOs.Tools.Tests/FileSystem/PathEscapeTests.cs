using CompanyOs.Tools.FileSystem;

namespace CompanyOs.Tools.Tests.FileSystem;

/// <summary>Every way out of the root we could think of; each must be refused by read_file (and by list_dir where it names a directory).</summary>
public sealed class PathEscapeTests : IClassFixture<SandboxDirectory>
{
    private readonly SandboxDirectory _dir;
    private readonly ReadFileTool _read;
    private readonly ListDirTool _list;

    public PathEscapeTests(SandboxDirectory dir)
    {
        _dir = dir;
        var options = new FileSystemToolOptions { Roots = [dir.Root] };
        var resolver = new ConfinedPathResolver(options.Roots);
        _read = new ReadFileTool(resolver, options);
        _list = new ListDirTool(resolver, options);
    }

    public static TheoryData<string, string> Escapes => new()
    {
        { "../outside/secret.txt", "outside the allowed" },
        { "../../../../../../etc/passwd", "outside the allowed" },
        { "sub/../../outside/secret.txt", "outside the allowed" },
        { "sub/deeper/../../../outside/secret.txt", "outside the allowed" },
        { "./../outside/secret.txt", "outside the allowed" },
        { "/etc/passwd", "outside the allowed" },
        { "//etc/passwd", "outside the allowed" },
        { "/./etc/../etc/passwd", "outside the allowed" },
        { "/root/.bashrc", "outside the allowed" },
        { "/proc/self/environ", "outside the allowed" },
        { "/proc/self/root/etc/passwd", "outside the allowed" },
        { "/proc/self/cwd/README.md", "outside the allowed" },
        { "/dev/zero", "outside the allowed" },
        { "../root2/secret.txt", "outside the allowed" },
        { "link_out", "outside the allowed" },
        { "link_rel_out", "outside the allowed" },
        { "link_etc", "outside the allowed" },
        { "link_dev", "outside the allowed" },
        { "dir_out/secret.txt", "outside the allowed" },
        { "dir_out/../outside/secret.txt", "outside the allowed" },
        { "sub/up/../outside/secret.txt", "outside the allowed" },
        { "sub_alias/../../outside/secret.txt", "outside the allowed" },
        { "loop_a", "symbolic links" },
        { "self", "symbolic links" },
        { "chain45", "symbolic links" },
        { "~/.bashrc", "home-directory" },
        { "~root/.ssh/id_rsa", "home-directory" },
        { "~", "home-directory" },
        { "file.txt\0../../etc/passwd", "NUL byte" },
        { "\0", "NUL byte" },
        { "sub\n/../../outside/secret.txt", "control characters" },
        { "%2e%2e/outside/secret.txt", "percent-encoded" },
        { "..%2foutside%2fsecret.txt", "percent-encoded" },
        { "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "percent-encoded" },
        { "%252e%252e/outside/secret.txt", "percent-encoded" },
        { "file.txt%00.png", "percent-encoded" },
        { "..%5coutside%5csecret.txt", "percent-encoded" },
        { "..\\outside\\secret.txt", "backslashes" },
        { "C:\\Windows\\win.ini", "backslashes" },
        { "pipe", "not a regular file" },
        { "", "a path is required" },
    };

    [Theory]
    [MemberData(nameof(Escapes))]
    public async Task Read_file_refuses(string path, string reason)
    {
        var result = await _read.InvokeAsync(Json.Parse(System.Text.Json.JsonSerializer.Serialize(new { path })), Json.Context, TestContext.Current.CancellationToken);

        Assert.True(result.IsError, $"'{path}' was not refused: {result.Content}");
        Assert.Contains(reason, result.Content, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", result.Content, StringComparison.Ordinal);
        Assert.DoesNotContain("root:x:0:0", result.Content, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("..")]
    [InlineData("/")]
    [InlineData("/etc")]
    [InlineData("dir_out")]
    [InlineData("sub/up/..")]
    [InlineData("~")]
    [InlineData("%2e%2e")]
    public async Task List_dir_refuses(string path)
    {
        var result = await _list.InvokeAsync(Json.Parse(System.Text.Json.JsonSerializer.Serialize(new { path })), Json.Context, TestContext.Current.CancellationToken);

        Assert.True(result.IsError, $"'{path}' was not refused: {result.Content}");
        Assert.DoesNotContain("secret.txt", result.Content, StringComparison.Ordinal);
    }

    [Fact]
    public void Nonexistent_paths_outside_are_refused_exactly_like_existing_ones()
    {
        var resolver = new ConfinedPathResolver([_dir.Root]);

        var existing = resolver.Resolve("../outside/secret.txt").Error!;
        var missing = resolver.Resolve("../outside/no-such-file.txt").Error!;

        Assert.Equal(existing.Replace("secret.txt", "X", StringComparison.Ordinal), missing.Replace("no-such-file.txt", "X", StringComparison.Ordinal));
    }

    [Fact]
    public void Very_long_paths_are_refused()
    {
        var resolver = new ConfinedPathResolver([_dir.Root]);

        var result = resolver.Resolve(string.Concat(Enumerable.Repeat("../", 2000)) + "etc/passwd");

        Assert.False(result.IsAllowed);
        Assert.Contains("longer than", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("file.txt")]
    [InlineData("./sub/../file.txt")]
    [InlineData("link_in")]
    [InlineData("sub_alias/inner.txt")]
    [InlineData("sub/up/file.txt")]
    [InlineData("chain39")]
    [InlineData("../root/file.txt")]
    public void Paths_that_stay_inside_are_allowed(string path)
    {
        var resolver = new ConfinedPathResolver([_dir.Root]);

        var result = resolver.Resolve(path);

        Assert.True(result.IsAllowed, result.Error);
        Assert.StartsWith(resolver.Roots[0] + "/", result.FullPath, StringComparison.Ordinal);
        Assert.Equal(UnixFileType.Regular, result.Type);
    }

    [Fact]
    public void Absolute_paths_inside_a_root_are_allowed()
    {
        var resolver = new ConfinedPathResolver([_dir.Root]);

        Assert.True(resolver.Resolve(Path.Combine(_dir.Root, "sub", "inner.txt")).IsAllowed);
    }

    [Theory]
    [InlineData("relative/root")]
    [InlineData("/")]
    [InlineData("/definitely/not/here")]
    public void Unusable_roots_are_rejected(string root)
    {
        Assert.Throws<ArgumentException>(() => new ConfinedPathResolver([root]));
    }
}

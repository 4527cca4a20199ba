using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using CompanyOs.Tools.FileSystem;

namespace CompanyOs.Tools.Tests.FileSystem;

/// <summary>
/// A background thread atomically exchanges two paths (renameat2 RENAME_EXCHANGE) while the tools are called in a loop, so a
/// path that was a directory (or regular file) when resolved is a symlink out of the root (or a FIFO) when opened.
/// Bounded: at most a given number of calls or <see cref="MaxDuration"/>, each call at most <see cref="CallLimit"/>. Unfixed,
/// about one list_dir call in 2,000 escaped here (the window is a few microseconds), hence 20,000 calls (about 3 s).
/// </summary>
public sealed partial class SwapRaceTests : IDisposable
{
    private static readonly TimeSpan MaxDuration = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CallLimit = TimeSpan.FromSeconds(5);

    private readonly SandboxDirectory _dir = new();
    private readonly FileSystemToolOptions _options;

    public SwapRaceTests() => _options = new FileSystemToolOptions { Roots = [_dir.Root] };

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task List_dir_never_lists_an_outside_directory_swapped_in_for_a_checked_one()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Root, "d"));
        File.WriteAllText(Path.Combine(_dir.Root, "d", "inside.txt"), "x");
        Directory.CreateSymbolicLink(Path.Combine(_dir.Root, "d_swap"), _dir.Outside);
        var tool = new ListDirTool(new ConfinedPathResolver(_options.Roots), _options);

        var (calls, listed, results) = await RaceAsync("d", "d_swap", 20_000, () => tool.InvokeAsync(Args(new { path = "d" }), Json.Context));

        Assert.DoesNotContain(results, r => r.Content.Contains("secret.txt", StringComparison.Ordinal));
        Assert.True(listed > 0, $"the inside directory was never listed in {calls} calls");
    }

    [Fact]
    public async Task Read_file_never_blocks_on_a_fifo_swapped_in_for_a_checked_file()
    {
        File.WriteAllText(Path.Combine(_dir.Root, "f"), "ok\n");
        Mkfifo(Path.Combine(_dir.Root, "f_swap"));
        var tool = new ReadFileTool(new ConfinedPathResolver(_options.Roots), _options);

        try
        {
            var (calls, read, results) = await RaceAsync("f", "f_swap", 2_000, () => tool.InvokeAsync(Args(new { path = "f" }), Json.Context));

            Assert.All(results, r => Assert.True(r == ToolResult.Success("ok\n") || (r.IsError && r.Content.Contains("named pipe", StringComparison.Ordinal)), r.Content));
            Assert.True(read > 0, $"the file was never read in {calls} calls");
        }
        finally
        {
            // Without the fix a call is stuck in open(2) waiting for a writer; give it one so the thread is released.
            foreach (var name in new[] { "f", "f_swap" })
            {
                UnblockFifoReader(Path.Combine(_dir.Root, name));
            }
        }
    }

    private async Task<(int Calls, int Succeeded, List<ToolResult> Results)> RaceAsync(string name, string other, int maxCalls, Func<Task<ToolResult>> call)
    {
        var a = Path.Combine(_dir.Root, name);
        var b = Path.Combine(_dir.Root, other);
        using var stop = new CancellationTokenSource();
        var swaps = 0;
        var swapper = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                Assert.Equal(0, RenameAt2(AtFdCwd, a, AtFdCwd, b, RenameExchange));
                swaps++;
            }
        }) { IsBackground = true };
        swapper.Start();

        var results = new List<ToolResult>();
        var clock = Stopwatch.StartNew();
        try
        {
            for (var i = 0; i < maxCalls && clock.Elapsed < MaxDuration; i++)
            {
                // Task.Run: without the fix the blocking open happens before the tool's first await, so the call never returns a task.
                var result = await Task.Run(call, TestContext.Current.CancellationToken).WaitAsync(CallLimit, TestContext.Current.CancellationToken);
                results.Add(result);
                if (result.Content.Contains("secret", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            swapper.Join(TimeSpan.FromSeconds(5));
        }

        Assert.True(swaps > 0, "the swapper never ran");
        return (results.Count, results.Count(r => !r.IsError), results);
    }

    // O_NONBLOCK write-open of a FIFO succeeds only when a reader is waiting; on the regular file it changes nothing.
    private static void UnblockFifoReader(string path)
    {
        var fd = Open(path, OWrOnly | ONonBlock);
        if (fd >= 0)
        {
            _ = Close(fd);
        }
    }

    private static void Mkfifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", path) { UseShellExecute = false })!;
        Assert.True(mkfifo.WaitForExit(5000));
    }

    private static JsonElement Args(object args) => Json.Parse(JsonSerializer.Serialize(args));

    private const int AtFdCwd = -100;
    private const uint RenameExchange = 2;
    private const int OWrOnly = 1;
    private const int ONonBlock = 0x800;

    [LibraryImport("libc", EntryPoint = "renameat2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int RenameAt2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}

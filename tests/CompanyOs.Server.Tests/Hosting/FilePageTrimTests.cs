using System.Diagnostics;
using System.IO.MemoryMappedFiles;
using System.Text;
using CompanyOs.Emulator;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Server.Hosting;
using CompanyOs.Server.Tests.Infrastructure;

namespace CompanyOs.Server.Tests.Hosting;

/// <summary>
/// <see cref="FilePageTrim"/> drops the resident pages of read-only file mappings that hold no private page, keeps their
/// content, and leaves every other mapping alone; a real server process drops its start-up-only assembly pages (YamlDotNet
/// reads the configuration at start-up only) once its JIT has settled, and keeps them with <c>TrimFilePages=false</c>.
/// </summary>
public sealed class FilePageTrimTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Only_read_only_file_mappings_without_private_pages_are_candidates()
    {
        var smaps = """
            7f0000000000-7f0000010000 r--s 00000000 fe:00 11657364                   /app/YamlDotNet.dll
            Size:                 64 kB
            Rss:                  64 kB
            Anonymous:             0 kB
            VmFlags: rd sh mr mw me ms sd
            7f0000010000-7f0000020000 r-xp 00001000 fe:00 350922                     /usr/share/dotnet/libcoreclr.so
            Rss:                  32 kB
            Anonymous:             0 kB
            7f0000020000-7f0000030000 r--p 00200000 fe:00 350922                     /usr/share/dotnet/libcoreclr.so
            Rss:                  16 kB
            Anonymous:            16 kB
            7f0000030000-7f0000040000 rw-p 00210000 fe:00 350922                     /usr/share/dotnet/libcoreclr.so
            Anonymous:             0 kB
            7f0000040000-7f0000050000 r-xs 00000000 00:01 2048                       /memfd:doublemapper (deleted)
            Anonymous:             0 kB
            7f0000050000-7f0000060000 r--s 00000000 fe:00 77                         /app/old.dll (deleted)
            Anonymous:             0 kB
            7f0000060000-7f0000070000 rw-p 00000000 00:00 0                          [heap]
            Anonymous:            64 kB
            7f0000070000-7f0000080000 r--p 00000000 00:00 0
            Anonymous:             0 kB
            """.Split('\n');

        var candidates = FilePageTrim.Candidates(smaps);

        Assert.Equal(2, candidates.Count);
        Assert.Contains(candidates, h => h.EndsWith("/app/YamlDotNet.dll", StringComparison.Ordinal));
        Assert.Contains(candidates, h => h.StartsWith("7f0000010000-7f0000020000 r-xp", StringComparison.Ordinal));
    }

    [Fact]
    public void A_trimmed_mapping_leaves_the_resident_set_and_reads_back_the_same()
    {
        Assert.True(OperatingSystem.IsLinux(), "reads /proc/self/smaps");
        var path = Path.Combine(Path.GetTempPath(), $"companyos-trim-{Guid.NewGuid():N}.bin");
        var content = new byte[256 * 1024];
        new Random(17).NextBytes(content);
        File.WriteAllBytes(path, content);
        try
        {
            using var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            using var view = file.CreateViewAccessor(0, content.Length, MemoryMappedFileAccess.Read);
            var read = new byte[content.Length];
            view.ReadArray(0, read, 0, read.Length);
            Assert.True(ResidentKb(path) >= 128, "the view's pages were read");

            var (mappings, _) = FilePageTrim.Trim(FilePageTrim.Candidates(), FilePageTrim.Candidates());

            Assert.True(mappings > 0);
            Assert.Equal(0, ResidentKb(path));
            view.ReadArray(0, read, 0, read.Length);
            Assert.Equal(content, read);
            Assert.True(ResidentKb(path) >= 128, "read again: resident again");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Trim_leaves_mappings_the_previous_pass_did_not_see()
    {
        var (mappings, bytes) = FilePageTrim.Trim([], FilePageTrim.Candidates());

        Assert.Equal((0, 0L), (mappings, bytes));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_server_drops_its_start_up_only_assembly_pages_once_its_jit_has_settled(bool trim)
    {
        Assert.True(OperatingSystem.IsLinux(), "reads /proc/PID/smaps");
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions(), Ct);
        var config = TestServers.WriteConfig($"""
            default_provider: openai
            providers:
              openai:
                api_key: "${"{"}COMPANYOS_TRIM_TEST_KEY{"}"}"
                base_url: "{emulator.OpenAIEndpoint}"
                default_model: "gpt-4o"
                max_retries: 0
            """);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(config)! };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "CompanyOs.Server.dll"), "--urls", "http://127.0.0.1:0", "--contentRoot",
            Path.GetDirectoryName(config)!, "--config", config, $"--CompanyOs:Server:TrimFilePages={(trim ? "true" : "false")}" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["COMPANYOS_TRIM_TEST_KEY"] = "sk-trim-test";
        using var server = Process.Start(start)!;
        try
        {
            var baseUri = await ServerProcesses.ListeningAddressAsync(server, TimeSpan.FromSeconds(60), Ct);
            using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(60) };
            emulator.Script.Enqueue(ScriptedTurn.Text("hello"));
            using var response = await http.PostAsync("v1/chat/completions", new StringContent(
                """{"model":"gpt-4o","max_tokens":20,"messages":[{"role":"user","content":"Say hello."}]}""", Encoding.UTF8, "application/json"), Ct);
            Assert.Equal(200, (int)response.StatusCode);
            var smaps = $"/proc/{server.Id}/smaps";
            Assert.True(ResidentKb("YamlDotNet.dll", smaps) > 0, "read at start-up");

            // Settled after start-up and one call: a trim within a few 5 s intervals.
            var deadline = Stopwatch.StartNew();
            while (ResidentKb("YamlDotNet.dll", smaps) > 0 && deadline.Elapsed < TimeSpan.FromSeconds(40))
            {
                await Task.Delay(500, Ct);
            }

            if (trim)
            {
                Assert.Equal(0, ResidentKb("YamlDotNet.dll", smaps));
                emulator.Script.Enqueue(ScriptedTurn.Text("again"));
                using var again = await http.PostAsync("v1/chat/completions", new StringContent(
                    """{"model":"gpt-4o","max_tokens":20,"messages":[{"role":"user","content":"Say hello."}]}""", Encoding.UTF8, "application/json"), Ct);
                Assert.Equal(200, (int)again.StatusCode);
            }
            else
            {
                Assert.True(ResidentKb("YamlDotNet.dll", smaps) > 0, "kept without the trim");
            }
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(Ct);
        }
    }

    private static int ResidentKb(string file, string smaps = "/proc/self/smaps")
    {
        var total = 0;
        var inFile = false;
        foreach (var line in File.ReadLines(smaps))
        {
            var first = line.Split(' ', 2)[0];
            if (first.Contains('-') && !first.Contains(':'))
            {
                inFile = line.EndsWith(file, StringComparison.Ordinal);
            }
            else if (inFile && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                total += int.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return total;
    }
}

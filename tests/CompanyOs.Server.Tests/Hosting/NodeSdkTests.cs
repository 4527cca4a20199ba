using System.Diagnostics;
using System.Text.Json;
using CompanyOs.Server.Tests.Infrastructure;

namespace CompanyOs.Server.Tests.Hosting;

/// <summary>
/// The unmodified official npm SDKs (<c>openai</c>, <c>@anthropic-ai/sdk</c>) against the server, via
/// <c>tests/CompanyOs.Server.Tests/npm/sdk-check.mjs</c>. Needs Node.js and <c>npm ci --prefix tests/CompanyOs.Server.Tests/npm</c>
/// (scripts/test.sh installs them with npm ci; the test fails, saying so, without them).
/// </summary>
public sealed class NodeSdkTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Official_npm_sdks_talk_to_both_endpoints()
    {
        var dir = Path.Combine(RepoPaths.Root, "tests", "CompanyOs.Server.Tests", "npm");
        Assert.True(Directory.Exists(Path.Combine(dir, "node_modules", "openai")) && Directory.Exists(Path.Combine(dir, "node_modules", "@anthropic-ai", "sdk")),
            $"npm SDKs not installed: run 'npm ci --prefix {dir}' (scripts/test.sh does)");
        await using var server = await TestServers.StartAsync();

        var r = await RunNodeAsync(dir, "sdk-check.mjs", server.BaseUri);

        Assert.Contains("hello from node", r.GetProperty("openaiText").GetString(), StringComparison.Ordinal);
        Assert.True(r.GetProperty("openaiTotalTokens").GetInt32() > 5);
        Assert.Contains("stream from node", r.GetProperty("openaiStreamText").GetString(), StringComparison.Ordinal);
        Assert.True(r.GetProperty("openaiStreamCompletionTokens").GetInt32() > 3);
        Assert.Equal("web_search", r.GetProperty("openaiToolName").GetString());
        Assert.Equal("node docs", r.GetProperty("openaiToolQuery").GetString());
        Assert.Equal("web_search", r.GetProperty("openaiStreamToolName").GetString());
        Assert.Equal("streamed docs", r.GetProperty("openaiStreamToolQuery").GetString());
        Assert.Equal("stop", r.GetProperty("openaiJsonFinish").GetString());
        Assert.True(r.GetProperty("openaiListsGpt4o").GetBoolean());
        Assert.Equal(404, r.GetProperty("openaiErrorStatus").GetInt32());
        Assert.Equal("model_not_found", r.GetProperty("openaiErrorCode").GetString());
        Assert.Contains("hello anthropic from node", r.GetProperty("anthropicText").GetString(), StringComparison.Ordinal);
        Assert.Contains("stream anthropic from node", r.GetProperty("anthropicStreamText").GetString(), StringComparison.Ordinal);
        Assert.Equal("end_turn", r.GetProperty("anthropicStreamStop").GetString());
        Assert.True(r.GetProperty("anthropicStreamOutputTokens").GetInt32() > 3);
        Assert.Equal("web_search", r.GetProperty("anthropicToolName").GetString());
        Assert.Contains("five results", r.GetProperty("anthropicToolAnswer").GetString(), StringComparison.Ordinal);
        Assert.Equal(404, r.GetProperty("anthropicErrorStatus").GetInt32());
        Assert.Equal("not_found_error", r.GetProperty("anthropicErrorType").GetString());
    }

    [Fact]
    public async Task Official_npm_sdks_raise_an_error_for_a_stream_that_fails_after_its_first_chunk()
    {
        var dir = Path.Combine(RepoPaths.Root, "tests", "CompanyOs.Server.Tests", "npm");
        Assert.True(Directory.Exists(Path.Combine(dir, "node_modules", "openai")) && Directory.Exists(Path.Combine(dir, "node_modules", "@anthropic-ai", "sdk")),
            $"npm SDKs not installed: run 'npm ci --prefix {dir}' (scripts/test.sh does)");
        await using var server = await TestServers.StartAsync();
        server.Emulator!.Script.Enqueue(Emulator.Scripting.ScriptedTurn.Text(string.Join(' ', Enumerable.Repeat("word", 30))));
        server.Emulator.Script.Enqueue(Emulator.Scripting.ScriptedTurn.Text(string.Join(' ', Enumerable.Repeat("word", 30))));
        server.Emulator.Faults.Enqueue(Emulator.Faults.Fault.CutAfter(4), provider: Emulator.EmulatorProvider.OpenAI);
        server.Emulator.Faults.Enqueue(Emulator.Faults.Fault.CutAfter(4), provider: Emulator.EmulatorProvider.Anthropic);

        var r = await RunNodeAsync(dir, "sdk-stream-errors.mjs", server.BaseUri);

        // openai-node raises the in-stream error object as an APIError carrying the gateway's message.
        Assert.False(r.GetProperty("openaiCleanEnd").GetBoolean());
        Assert.False(string.IsNullOrEmpty(r.GetProperty("openaiText").GetString()));
        Assert.Contains("stream interrupted", r.GetProperty("openaiError").GetString(), StringComparison.Ordinal);
        Assert.False(r.GetProperty("anthropicCleanEnd").GetBoolean());
        Assert.Equal("message_start", r.GetProperty("anthropicEvents")[0].GetString());
        Assert.DoesNotContain(r.GetProperty("anthropicEvents").EnumerateArray(), e => e.GetString() == "message_stop");
        Assert.Contains("stream interrupted", r.GetProperty("anthropicError").GetString(), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> RunNodeAsync(string dir, string script, Uri baseUri)
    {
        var start = new ProcessStartInfo("node", [script, baseUri.ToString()])
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var output = node.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = node.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await node.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            throw;
        }

        Assert.True(node.ExitCode == 0, $"node exited {node.ExitCode}: {await errors}");
        using var document = JsonDocument.Parse(await output);
        return document.RootElement.Clone();
    }
}

using System.Text;
using CompanyOs.Emulator;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Llm.Providers;
using CompanyOs.Server.Tests.Infrastructure;

namespace CompanyOs.Server.Tests.Gateway;

/// <summary>
/// A streamed call is forwarded inside a <see cref="ProviderReads.PreferInline"/> scope (its provider chunks handled on the
/// socket thread they arrive on) for as long as it runs, on both wires, unless <c>inline_streams</c> is 0; streams beyond
/// that many use the thread pool. The count is process-wide, so this class runs alone.
/// </summary>
[Collection(nameof(ProcessWideInlineReads))]
public sealed class InlineStreamReadsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("v1/chat/completions", "gpt-4o", 64, 1)]
    [InlineData("v1/messages", "gpt-4o", 64, 1)]
    [InlineData("v1/chat/completions", "claude-3.5-sonnet", 64, 1)] // the Anthropic SDK reading the provider's stream
    [InlineData("v1/messages", "claude-3.5-sonnet", 64, 1)]
    [InlineData("v1/chat/completions", "gpt-4o", 0, 0)]
    public async Task A_stream_is_forwarded_in_an_inline_scope_while_it_runs_unless_turned_off(string path, string model, int inlineStreams, int expected)
    {
        await using var server = await TestServers.StartAsync(emulatorOptions: new EmulatorOptions { ChunkDelay = TimeSpan.FromMilliseconds(100) },
            extraArgs: $"--CompanyOs:Server:InlineStreams={inlineStreams}");
        server.Emulator!.Script.Enqueue(ScriptedTurn.Text("one two three four five six"));
        using var http = TestServers.Http(server);
        var (response, reader) = await StartStreamAsync(http, path, model);
        using (response)
        using (reader)
        {
            var during = ProviderReads.InlineFlows;
            var rest = await reader.ReadToEndAsync(Ct);
            await ScopesEndedAsync();

            Assert.Contains("six", rest, StringComparison.Ordinal);
            Assert.Equal(expected, during);
            Assert.Equal(0, ProviderReads.InlineFlows);
        }
    }

    [Fact]
    public async Task Streams_beyond_the_cap_are_forwarded_through_the_thread_pool_and_all_complete()
    {
        await using var server = await TestServers.StartAsync(emulatorOptions: new EmulatorOptions { ChunkDelay = TimeSpan.FromMilliseconds(100) },
            extraArgs: "--CompanyOs:Server:InlineStreams=1");
        server.Emulator!.Script.Enqueue(ScriptedTurn.Text("one two three four five six"));
        server.Emulator!.Script.Enqueue(ScriptedTurn.Text("one two three four five six"));
        using var http = TestServers.Http(server);
        var first = await StartStreamAsync(http, "v1/chat/completions", "gpt-4o");
        var second = await StartStreamAsync(http, "v1/chat/completions", "gpt-4o");

        var during = ProviderReads.InlineFlows;
        var rest = await Task.WhenAll(first.Reader.ReadToEndAsync(Ct), second.Reader.ReadToEndAsync(Ct));
        await ScopesEndedAsync();

        Assert.Equal(1, during);
        Assert.All(rest, text => Assert.Contains("six", text, StringComparison.Ordinal));
        Assert.Equal(0, ProviderReads.InlineFlows);
        foreach (var stream in new[] { first, second })
        {
            stream.Reader.Dispose();
            stream.Response.Dispose();
        }
    }

    /// <summary>Starts a stream and reads its first line, so that the server is forwarding it.</summary>
    private static async Task<(HttpResponseMessage Response, StreamReader Reader)> StartStreamAsync(HttpClient http, string path, string model)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent($$"""{"model":"{{model}}","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"count"}]}""", Encoding.UTF8, "application/json"),
        };

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(200, (int)response.StatusCode);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        Assert.NotNull(await reader.ReadLineAsync(Ct));
        return (response, reader);
    }

    /// <summary>Waits (bounded) until no scope is left: the server leaves it just after the client has read the last event.</summary>
    private static async Task ScopesEndedAsync()
    {
        for (var i = 0; i < 100 && ProviderReads.InlineFlows != 0; i++)
        {
            await Task.Delay(50, Ct);
        }
    }
}

[CollectionDefinition(nameof(ProcessWideInlineReads), DisableParallelization = true)]
public sealed class ProcessWideInlineReads;

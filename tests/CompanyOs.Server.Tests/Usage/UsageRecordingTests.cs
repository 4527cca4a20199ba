using CompanyOs.Emulator;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Llm.Gateway.Budgets;
using CompanyOs.Server.Keys;
using CompanyOs.Server.Tests.Infrastructure;
using CompanyOs.Server.Usage;
using CompanyOs.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CompanyOs.Server.Tests.Usage;

/// <summary>What the usage log and the key's budget are charged for calls that do not end cleanly.</summary>
public sealed class UsageRecordingTests : IAsyncLifetime
{
    private readonly TestStore _store = TestStore.Sqlite();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task A_client_that_disconnects_mid_stream_is_recorded_and_charged_once_at_the_same_maximum_as_its_budget()
    {
        await using var server = await TestServers.StartAsync(emulatorOptions: new EmulatorOptions { ChunkDelay = TimeSpan.FromMilliseconds(200) },
            extraArgs: _store.ServerArgs);
        server.Emulator!.Script.Enqueue(ScriptedTurn.Text(string.Join(' ', Enumerable.Repeat("word", 60))));
        var (record, key) = await server.Services.GetRequiredService<ApiKeyStore>().CreateAsync("acme", [ApiKey.GatewayScope], budgetUsd: 1m, cancellationToken: Ct);
        using (var http = TestServers.Http(server))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
            {
                Content = new StringContent("""{"model":"gpt-4o","stream":true,"max_tokens":100,"messages":[{"role":"user","content":"go"}]}""", System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
            Assert.StartsWith("data: {", await reader.ReadLineAsync(Ct), StringComparison.Ordinal);
        } // gone after the first chunk, seconds before the stream would end

        var recorder = server.Services.GetRequiredService<UsageRecorder>();
        var log = server.Services.GetRequiredService<UsageLog>();
        IReadOnlyList<UsageTotals> rows = [];
        var spends = server.Services.GetRequiredService<DurableSpendStore>();
        var spent = await spends.GetSpentAsync(new BudgetScope(BudgetScopeKind.ApiKey, record.Id), Ct);
        // The usage record and the budget's settlement happen as the abandoned stream is disposed, one after the other.
        await Poll.UntilAsync(async () =>
        {
            await recorder.FlushAsync(Ct);
            rows = await log.SummarizeAsync("acme", null, null, Ct);
            spent = await spends.GetSpentAsync(new BudgetScope(BudgetScopeKind.ApiKey, record.Id), Ct);
            return rows.Count > 0 && spent.Usd > 0m;
        }, "the abandoned stream is recorded and its budget settled", cancellationToken: Ct);

        var row = Assert.Single(rows);
        Assert.Equal((1L, 100L, record.Id), (row.Calls, row.OutputTokens, row.KeyId)); // the output cap: the provider billed an unknown part
        Assert.True(row.CostUsd > 0m);
        Assert.Equal(spent.Usd, row.CostUsd, 9);
        Assert.Equal(spent.Tokens, row.InputTokens + row.OutputTokens);
    }
}

using System.Text.Json;
using CompanyOs.Emulator;
using CompanyOs.Emulator.Faults;
using CompanyOs.Server.Tests.Infrastructure;

namespace CompanyOs.Server.Tests.Hosting;

/// <summary>/readyz: configuration, stores and each provider's circuit breaker; 503 when a store does not answer.</summary>
public sealed class ReadinessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ready_reports_config_the_key_store_and_503_once_the_store_is_unreachable()
    {
        var dir = Path.Combine(Path.GetTempPath(), "companyos-server-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var db = Path.Combine(dir, "keys.db");
        await using var server = await TestServers.StartAsync(extraArgs: ["--keys-db", db]);
        using var http = TestServers.Http(server);

        using var before = await http.GetAsync(new Uri("readyz", UriKind.Relative), Ct);
        var ready = await Json(before);
        // The volume holding the store goes away (unmounted, deleted): new connections cannot reach it.
        Directory.Delete(dir, recursive: true);
        using var after = await http.GetAsync(new Uri("readyz", UriKind.Relative), Ct);
        var notReady = await Json(after);

        Assert.Equal(200, (int)before.StatusCode);
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal("loaded", ready.GetProperty("config").GetString());
        Assert.True(ready.GetProperty("emulated").GetBoolean());
        Assert.Equal("reachable", ready.GetProperty("stores").GetProperty("keys").GetString());
        Assert.Equal(503, (int)after.StatusCode);
        Assert.Equal("not_ready", notReady.GetProperty("status").GetString());
        Assert.StartsWith($"unreachable: the key store (SQLite file '{db}') does not answer", notReady.GetProperty("stores").GetProperty("keys").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_providers_circuit_is_reported_closed_open_and_half_open_and_an_open_circuit_does_not_make_the_server_unready()
    {
        var yaml = TestServers.DefaultYaml.Replace("circuit_breaker: { enabled: false }",
            "circuit_breaker: { enabled: true, failure_ratio: 0.5, minimum_throughput: 2, sampling_duration_seconds: 30, break_duration_seconds: 1 }",
            StringComparison.Ordinal);
        await using var server = await TestServers.StartAsync(yaml);
        using var http = TestServers.Http(server);
        const string Body = """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""";

        var closed = await Json(await http.GetAsync(new Uri("readyz", UriKind.Relative), Ct));
        for (var i = 0; i < 2; i++)
        {
            server.Emulator!.Faults.Enqueue(Fault.Status(503), provider: EmulatorProvider.OpenAI);
            using var failed = await http.PostJsonAsync("v1/chat/completions", Body);
            Assert.Equal(503, (int)failed.StatusCode);
        }

        using var openResponse = await http.GetAsync(new Uri("readyz", UriKind.Relative), Ct);
        var open = await Json(openResponse);
        await Task.Delay(TimeSpan.FromSeconds(1.2), Ct);
        var halfOpen = await Json(await http.GetAsync(new Uri("readyz", UriKind.Relative), Ct));
        using var probe = await http.PostJsonAsync("v1/chat/completions", Body);
        var closedAgain = await Json(await http.GetAsync(new Uri("readyz", UriKind.Relative), Ct));

        Assert.Equal("closed", Circuit(closed, "openai"));
        Assert.Equal("open", Circuit(open, "openai"));
        Assert.Equal("closed", Circuit(open, "anthropic"));
        Assert.Equal(200, (int)openResponse.StatusCode);
        Assert.Equal("ready", open.GetProperty("status").GetString());
        Assert.Equal("half-open", Circuit(halfOpen, "openai"));
        Assert.Equal(200, (int)probe.StatusCode);
        Assert.Equal("closed", Circuit(closedAgain, "openai"));
    }

    [Fact]
    public async Task A_disabled_circuit_breaker_is_reported_as_disabled()
    {
        await using var server = await TestServers.StartAsync();
        using var http = TestServers.Http(server);

        var ready = await Json(await http.GetAsync(new Uri("readyz", UriKind.Relative), Ct));

        Assert.Equal("disabled", Circuit(ready, "anthropic"));
        Assert.Equal("disabled", Circuit(ready, "openai"));
        Assert.Empty(ready.GetProperty("stores").EnumerateObject());
    }

    private static string? Circuit(JsonElement ready, string provider) => ready.GetProperty("providers").GetProperty(provider).GetProperty("circuit").GetString();

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
            return document.RootElement.Clone();
        }
    }
}

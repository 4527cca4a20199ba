using CompanyOs.Emulator;
using CompanyOs.Emulator.Faults;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Errors;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Tests.Gateway.Fakes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;

namespace CompanyOs.Llm.Tests.Gateway;

/// <summary>
/// Without dependency injection: <see cref="GatewayBuilder.BuildServices"/> and the public <c>UseX(services)</c> policy
/// extensions compose a pipeline of one's own; the builder's clock reaches the provider clients without being given twice.
/// </summary>
public sealed class CustomPipelineTests : IAsyncLifetime
{
    private EmulatorServer _emulator = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _emulator = await EmulatorServer.StartAsync(cancellationToken: Ct);

    public async ValueTask DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task A_pipeline_composed_from_public_extensions_routes_retries_and_accounts()
    {
        using var services = LlmGateway.CreateBuilder(Options(maxRetries: 2)).BuildServices();
        using var client = new ChatClientBuilder(services.ProviderClient)
            .UseRouting(services)
            .UseCallAccounting(services)
            .UseLogging(Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance)
            .UseResilience(services)
            .Build();
        _emulator.Faults.Enqueue(Fault.Status(500), provider: EmulatorProvider.OpenAI);
        _emulator.Script.Enqueue(ScriptedTurn.Text("second time lucky"));

        var response = await client.GetResponseAsync("hi", new ChatOptions { ModelId = "a/gpt-4o-mini" }, Ct);

        Assert.Equal("second time lucky", response.Text);
        var info = LlmCallInfo.From(response)!;
        Assert.Equal(("a", 2), (info.Provider, info.Attempts));
        Assert.Equal(1, services.GetStats().Retries);
    }

    [Fact]
    public async Task Disposing_a_custom_pipeline_leaves_the_shared_provider_clients_usable()
    {
        using var services = LlmGateway.CreateBuilder(Options(maxRetries: 0)).BuildServices();
        new ChatClientBuilder(services.ProviderClient).UseRouting(services).Build().Dispose();
        using var second = new ChatClientBuilder(services.ProviderClient).UseRouting(services).Build();

        var response = await second.GetResponseAsync("hi", cancellationToken: Ct);

        Assert.NotEmpty(response.Text);
    }

    [Fact]
    public async Task A_policy_outside_routing_says_what_is_missing()
    {
        using var services = LlmGateway.CreateBuilder(Options(maxRetries: 0)).BuildServices();
        using var client = new ChatClientBuilder(services.ProviderClient).UseCallAccounting(services).Build();

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetResponseAsync("hi", cancellationToken: Ct));

        Assert.Contains("UseRouting()", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_policy_without_services_outside_dependency_injection_says_where_to_get_them()
    {
        using var services = LlmGateway.CreateBuilder(Options(maxRetries: 0)).BuildServices();
        var builder = new ChatClientBuilder(services.ProviderClient).UseRouting();

        var e = Assert.Throws<InvalidOperationException>(() => builder.Build());

        Assert.Contains("AddLlmGateway", e.Message, StringComparison.Ordinal);
        Assert.Contains("BuildServices()", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_builders_clock_reaches_the_provider_clients()
    {
        // An hour behind the system clock: a Retry-After HTTP-date 30 s from now is 1 h 30 s away on this clock.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1));
        using var gateway = LlmGateway.CreateBuilder(Options(maxRetries: 0)).WithTimeProvider(clock).Build();
        _emulator.Faults.Enqueue(Fault.RateLimited(TimeSpan.FromSeconds(30), retryAfterAsHttpDate: true), provider: EmulatorProvider.OpenAI);

        var e = await Assert.ThrowsAsync<ProviderException>(() => gateway.GetResponseAsync("hi", cancellationToken: Ct));

        Assert.Equal(ProviderErrorKind.RateLimited, e.Kind);
        Assert.InRange(e.RetryAfter!.Value.TotalSeconds, 3600 + 25, 3600 + 35);
    }

    private LlmOptions Options(int maxRetries) => TestOptions.Create(
        TestOptions.ProviderA(_emulator.OpenAIEndpoint) with { FallbackProvider = null, MaxRetries = maxRetries }) with
    {
        Retry = TestOptions.Create().Retry with { BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50) },
    };
}

using System.Globalization;
using CompanyOs.Emulator;
using CompanyOs.Emulator.Faults;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Hosting;
using CompanyOs.Llm.PassThrough;
using CompanyOs.Llm.Providers;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace CompanyOs.Llm.Tests.Hosting;

/// <summary><c>services.AddLlmGateway(configuration)</c> as a .NET application uses it, against the emulator.</summary>
public sealed class AddLlmGatewayTests : IAsyncLifetime
{
    private const string Key = "sk-emu-FROM-CONFIGURATION-42";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"companyos-di-{Guid.NewGuid():N}");
    private EmulatorServer _emulator = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _emulator = await EmulatorServer.StartAsync(new EmulatorOptions { ApiKey = Key }, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _emulator.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task The_gateway_from_configuration_calls_the_provider_through_IHttpClientFactory()
    {
        var file = WriteConfig(extra: string.Empty);
        var counter = new CountingHandler();
        var services = new ServiceCollection();
        services.AddLlmGateway(Configuration(file, withKey: true));
        // The application's own handler on the provider's named client: proof that provider HTTP uses IHttpClientFactory.
        services.AddHttpClient(ProviderClientFactory.HttpClientName("emu")).AddHttpMessageHandler(() => counter);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        provider.GetRequiredService<IStartupValidator>().Validate();
        _emulator.Script.Enqueue(ScriptedTurn.Text("hello from the emulator"));

        var gateway = provider.GetRequiredService<LlmGateway>();
        var response = await provider.GetRequiredService<IChatClient>().GetResponseAsync("hi", cancellationToken: Ct);

        Assert.Same(gateway, provider.GetRequiredService<IChatClient>());
        Assert.Equal("hello from the emulator", response.Text);
        Assert.Equal("emu", LlmCallInfo.From(response)!.Provider);
        Assert.Equal(1, counter.Requests);
        Assert.Equal(1, gateway.GetStats().Rows.Single().Requests);
    }

    [Fact]
    public async Task The_gateway_takes_the_clock_from_the_container_down_to_the_provider_clients()
    {
        var file = WriteConfig(extra: string.Empty);
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddLlmGateway(Configuration(file, withKey: true));
        await using var provider = services.BuildServiceProvider();
        _emulator.Faults.Enqueue(Fault.RateLimited(TimeSpan.FromSeconds(30), retryAfterAsHttpDate: true), provider: EmulatorProvider.OpenAI);

        var e = await Assert.ThrowsAsync<Errors.ProviderException>(
            () => provider.GetRequiredService<IChatClient>().GetResponseAsync("hi", cancellationToken: Ct));

        // The HTTP-date is read against the container's clock (an hour behind), not the system's.
        Assert.InRange(e.RetryAfter!.Value.TotalSeconds, 3600 + 25, 3600 + 35);
    }

    [Fact]
    public async Task A_bad_configuration_fails_host_start_naming_file_and_key()
    {
        var file = WriteConfig(extra: "    rate_limit_rpm: 0\n");
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddConfiguration(Configuration(file, withKey: true));
        builder.Services.AddLlmGateway(builder.Configuration);
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains($"{file}: providers.emu.rate_limit_rpm:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_relative_config_file_is_found_under_the_hosts_content_root()
    {
        var file = WriteConfig(extra: string.Empty);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _dir });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CompanyOs:Llm:ConfigFile"] = Path.GetFileName(file),
            ["EMU_KEY"] = Key,
        });
        builder.Services.AddLlmGateway(builder.Configuration);
        using var host = builder.Build();

        await host.StartAsync(Ct);

        Assert.Equal(file, host.Services.GetRequiredService<LlmOptions>().SourceFile);
        await host.StopAsync(Ct);
    }

    [Theory]
    [InlineData(null, "/srv/app", "/srv/app/config/llm.yaml")]
    [InlineData("gw/llm.yaml", "/srv/app", "/srv/app/gw/llm.yaml")]
    [InlineData("/etc/companyos/llm.yaml", "/srv/app", "/etc/companyos/llm.yaml")]
    [InlineData("gw/llm.yaml", null, "gw/llm.yaml")]
    [InlineData("", null, "config/llm.yaml")]
    public void The_config_file_is_named_by_the_section_and_resolved_against_the_content_root(string? configured, string? root, string expected)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["CompanyOs:Llm:ConfigFile"] = configured })
            .Build();

        Assert.Equal(expected, LlmGatewayOptions.ResolveConfigFile(configuration, root));
    }

    [Fact]
    public void Without_a_host_the_first_resolve_fails_naming_file_and_key()
    {
        var file = WriteConfig(extra: string.Empty);
        var services = new ServiceCollection();
        services.AddLlmGateway(Configuration(file, withKey: false));
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IChatClient>());

        Assert.Contains($"{file}: providers.emu.api_key:", e.Message, StringComparison.Ordinal);
        Assert.Contains("EMU_KEY", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_fails_validation_naming_the_file()
    {
        var missing = Path.Combine(_dir, "nowhere.yaml");
        var services = new ServiceCollection();
        services.AddLlmGateway(Configuration(missing, withKey: true));
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains($"{missing}: (root): file not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_configuration_value_of_the_section_itself_is_reported()
    {
        var services = new ServiceCollection();
        services.AddLlmGateway(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CompanyOs:Llm:RequireApiKeys"] = "perhaps",
        }).Build());
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<LlmOptions>());

        Assert.Contains("CompanyOs:Llm: RequireApiKeys: 'perhaps' is not true or false", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_custom_pipeline_is_composed_from_the_public_policy_extensions()
    {
        var file = WriteConfig(extra: "    max_retries: 2\n");
        var logs = new FakeLogCollector();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new FakeLoggerProvider(logs)));
        services.AddLlmGateway(Configuration(file, withKey: true));
        services.AddKeyedChatClient("lean", sp => sp.GetRequiredService<GatewayServices>().ProviderClient)
            .UseRouting()
            .UseCallAccounting()
            .UseResilience()
            .UseRateLimits();
        await using var provider = services.BuildServiceProvider();
        _emulator.Faults.Enqueue(Fault.Status(503), provider: EmulatorProvider.OpenAI);
        _emulator.Script.Enqueue(ScriptedTurn.Text("answered on the second attempt"));

        var lean = provider.GetRequiredKeyedService<IChatClient>("lean");
        var response = await lean.GetResponseAsync("hi", cancellationToken: Ct);

        Assert.Equal("answered on the second attempt", response.Text);
        Assert.Equal(2, LlmCallInfo.From(response)!.Attempts);
        // One set of services: the registered gateway's counters saw the call made through the custom pipeline.
        var row = provider.GetRequiredService<LlmGateway>().GetStats().Rows.Single();
        Assert.Equal(1, row.Requests);
        Assert.Equal(1, row.Retries);
        // The container's ILoggerFactory: the retry was logged (event 4300) through it.
        Assert.Contains(logs.GetSnapshot(), r => r.Id.Id == 4300 && r.Message.Contains("emu", StringComparison.Ordinal));
    }

    /// <summary>
    /// The pass-through sends its requests to the named client's handler chain directly (not through <c>HttpClient</c>, whose
    /// per-request linked cancellation source it does not need): the application's handlers and the client's default request
    /// headers must still apply, as they do to the SDK's requests.
    /// </summary>
    [Fact]
    public async Task A_passed_through_call_goes_through_the_named_clients_handlers_with_its_default_headers()
    {
        var file = WriteConfig(extra: string.Empty);
        var counter = new CountingHandler();
        var services = new ServiceCollection();
        services.AddLlmGateway(Configuration(file, withKey: true));
        services.AddHttpClient(ProviderClientFactory.HttpClientName("emu"))
            .ConfigureHttpClient(c => c.DefaultRequestHeaders.Add("x-application", "from-configure-http-client"))
            .AddHttpMessageHandler(() => counter);
        await using var provider = services.BuildServiceProvider();
        _emulator.Script.Enqueue(ScriptedTurn.Text("passed through"));
        var options = PassThroughRequest.TryCreate("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"""u8.ToArray())!
            .AttachTo(new ChatOptions { ModelId = "gpt-4o-mini" });

        var response = await provider.GetRequiredService<IChatClient>().GetResponseAsync("hi", options, Ct);

        Assert.IsType<PassThroughResponse>(response.RawRepresentation);
        Assert.Equal(1, counter.Requests);
        Assert.Equal(["from-configure-http-client"], counter.LastRequestHeaders!.GetValues("x-application"));
        Assert.Equal($"Bearer {Key}", counter.LastRequestHeaders!.Authorization?.ToString());
    }

    [Fact]
    public async Task Provider_clients_carry_no_per_request_logging_handlers_and_other_clients_keep_theirs()
    {
        var file = WriteConfig(extra: string.Empty);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddLlmGateway(Configuration(file, withKey: true));
        await using var provider = services.BuildServiceProvider();
        var handlers = provider.GetRequiredService<IHttpMessageHandlerFactory>();

        var providerChain = Chain(handlers.CreateHandler(ProviderClientFactory.HttpClientName("emu")));
        var otherChain = Chain(handlers.CreateHandler("an-application-client"));

        Assert.DoesNotContain(providerChain, h => h is LoggingHttpMessageHandler or LoggingScopeHttpMessageHandler);
        Assert.Contains(providerChain, h => h is ProviderHttpObserver);
        Assert.Contains(providerChain, h => h is SocketsHttpHandler);
        Assert.Contains(otherChain, h => h is LoggingHttpMessageHandler);
        Assert.Contains(otherChain, h => h is LoggingScopeHttpMessageHandler);
    }

    [Fact]
    public async Task Provider_clients_keep_no_cookies_and_follow_no_redirects()
    {
        var file = WriteConfig(extra: string.Empty);
        var services = new ServiceCollection();
        services.AddLlmGateway(Configuration(file, withKey: true));
        await using var provider = services.BuildServiceProvider();

        var chain = Chain(provider.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(ProviderClientFactory.HttpClientName("emu")));

        // One client serves every caller: a cookie set for one must not ride on another's request; a redirected POST is never followed.
        var sockets = Assert.Single(chain.OfType<SocketsHttpHandler>());
        Assert.False(sockets.UseCookies);
        Assert.False(sockets.AllowAutoRedirect);
        Assert.False(ProviderClientFactory.CreateDefaultHandler().UseCookies);
        Assert.False(ProviderClientFactory.CreateDefaultHandler().AllowAutoRedirect);
    }

    private static List<HttpMessageHandler> Chain(HttpMessageHandler handler)
    {
        var chain = new List<HttpMessageHandler> { handler };
        while (chain[^1] is DelegatingHandler { InnerHandler: { } inner })
        {
            chain.Add(inner);
        }

        return chain;
    }

    private string WriteConfig(string extra)
    {
        var path = Path.Combine(_dir, $"llm-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, string.Create(CultureInfo.InvariantCulture, $"""
            providers:
              emu:
                type: openai
                api_key: "{"${EMU_KEY}"}"
                base_url: "{_emulator.OpenAIEndpoint}"
                default_model: gpt-4o-mini
                timeout_seconds: 20
            {extra}retry:
              base_delay_seconds: 0.01
              max_delay_seconds: 0.05

            """));
        return path;
    }

    private static IConfiguration Configuration(string file, bool withKey)
    {
        var values = new Dictionary<string, string?> { ["CompanyOs:Llm:ConfigFile"] = file };
        if (withKey)
        {
            // Not in the process environment: the ${EMU_KEY} reference resolves through IConfiguration.
            values["EMU_KEY"] = Key;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }

    private sealed class CountingHandler : DelegatingHandler
    {
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        public System.Net.Http.Headers.HttpRequestHeaders? LastRequestHeaders { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            LastRequestHeaders = request.Headers;
            Interlocked.Increment(ref _requests);
            return base.SendAsync(request, cancellationToken);
        }
    }
}

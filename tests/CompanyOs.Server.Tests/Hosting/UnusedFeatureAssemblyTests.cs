using System.Diagnostics;
using System.Text;
using CompanyOs.Emulator;
using CompanyOs.Emulator.Scripting;
using CompanyOs.Server.Tests.Infrastructure;

namespace CompanyOs.Server.Tests.Hosting;

/// <summary>
/// A real server process without <c>redis</c> or OTLP settings serves a chat completion without ever loading the Redis
/// client or the OTLP exporter (nor System.Diagnostics.Process, which OpenTelemetry's default resource reads the process name
/// with), and — without agent definitions, prompts or tools — the agent runtime's assemblies, nor the
/// OpenAPI generator's before its document is asked for (each loaded assembly costs resident memory: mapped image, metadata,
/// JIT code).
/// Read from <c>/proc/PID/maps</c>, so the test process's own assemblies do not count.
/// </summary>
public sealed class UnusedFeatureAssemblyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_server_without_redis_otlp_or_agent_settings_does_not_load_their_assemblies_nor_the_openapi_generators_before_use()
    {
        Assert.True(OperatingSystem.IsLinux(), "reads /proc/PID/maps");
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorOptions(), Ct);
        var config = TestServers.WriteConfig($"""
            default_provider: openai
            providers:
              openai:
                api_key: "${"{"}COMPANYOS_ASSEMBLY_TEST_KEY{"}"}"
                base_url: "{emulator.OpenAIEndpoint}"
                default_model: "gpt-4o"
                rate_limit_tpm: 1000000
                max_retries: 0
            """);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(config)! };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "CompanyOs.Server.dll"), "--urls", "http://127.0.0.1:0", "--contentRoot", Path.GetDirectoryName(config)!, "--config", config })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["COMPANYOS_ASSEMBLY_TEST_KEY"] = "sk-assembly-test";
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("OTEL_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        using var server = Process.Start(start)!;
        try
        {
            var baseUri = await ServerProcesses.ListeningAddressAsync(server, TimeSpan.FromSeconds(60), Ct);
            using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(60) };
            emulator.Script.Enqueue(ScriptedTurn.Text("hello"));
            using var response = await http.PostAsync("v1/chat/completions", new StringContent(
                """{"model":"gpt-4o","max_tokens":20,"messages":[{"role":"user","content":"Say hello."}]}""", Encoding.UTF8, "application/json"), Ct);
            Assert.Equal(200, (int)response.StatusCode);

            var maps = await File.ReadAllTextAsync($"/proc/{server.Id}/maps", Ct);
            Assert.Contains("CompanyOs.Llm.dll", maps, StringComparison.Ordinal); // the check sees the server's assemblies
            Assert.DoesNotContain("StackExchange.Redis.dll", maps, StringComparison.Ordinal);
            Assert.DoesNotContain("OpenTelemetry.Exporter.OpenTelemetryProtocol.dll", maps, StringComparison.Ordinal);
            foreach (var unused in new[] { "System.Diagnostics.Process.dll", "CompanyOs.Agents.dll", "CompanyOs.Tools.dll", "CompanyOs.Prompts.dll", "Fluid.dll", "Parlot.dll",
                "Microsoft.OpenApi.dll", "Microsoft.AspNetCore.OpenApi.dll", "Microsoft.AspNetCore.Mvc.ApiExplorer.dll", "Microsoft.AspNetCore.Mvc.Core.dll" })
            {
                Assert.False(maps.Contains(unused, StringComparison.Ordinal), $"{unused} is loaded");
            }

            // Both are there when asked for.
            using var document = await http.GetAsync(new Uri("openapi/v1.json", UriKind.Relative), Ct);
            Assert.Equal(200, (int)document.StatusCode);
            Assert.Contains("\"/v1/runs\"", await document.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
            Assert.Contains("Microsoft.OpenApi.dll", await File.ReadAllTextAsync($"/proc/{server.Id}/maps", Ct), StringComparison.Ordinal);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(Ct);
        }
    }
}

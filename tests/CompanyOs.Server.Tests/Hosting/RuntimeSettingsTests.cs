using System.Text.Json;

namespace CompanyOs.Server.Tests.Hosting;

/// <summary>
/// The runtime settings the server ships with (<c>CompanyOs.Server.csproj</c> → <c>CompanyOs.Server.runtimeconfig.json</c>;
/// docs/server.md "Runtime settings", measurements in docs/benchmarks.md): read from the runtimeconfig the build copies next
/// to this test assembly, so that a project change that drops or alters one fails here rather than only in a benchmark.
/// </summary>
public sealed class RuntimeSettingsTests
{
    private static readonly string RuntimeConfig = Path.Combine(AppContext.BaseDirectory, "CompanyOs.Server.runtimeconfig.json");

    [Theory]
    [InlineData("System.GC.Server", "true")] // server GC (DATAS): a larger gen0 budget, fewer stop-the-world pauses
    [InlineData("System.GC.NoAffinitize", "true")] // GC threads not pinned: the cores are shared with the upstream
    [InlineData("System.GC.Concurrent", "false")] // no background GC thread
    [InlineData("System.GC.ConserveMemory", "5")] // compact gen2 rather than grow it
    [InlineData("System.Runtime.TieredPGO", "true")] // off saves 5-14 MB RSS but costs 12-15 % steady-state req/s
    public void The_server_runtimeconfig_carries_the_documented_setting(string name, string expected)
    {
        var properties = ConfigProperties();

        Assert.True(properties.TryGetProperty(name, out var value), $"{RuntimeConfig} has no '{name}'");
        Assert.Equal(expected, value.ValueKind switch
        {
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => value.ToString(),
        });
    }

    [Fact]
    public void The_thread_pool_spins_as_the_runtime_defaults()
    {
        // Spin limit 0 (idle workers sleep at once) was shipped before; the runtime's default spinning gave lower added
        // latency at c=1 and a lower p99 at c=32 in a same-run A/B (docs/benchmarks.md, issue 17, twelfth session).
        Assert.False(ConfigProperties().TryGetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", out _));
    }

    [Fact]
    public void The_server_endpoints_are_compiled_by_the_request_delegate_generator()
    {
        // Without the generator, minimal-API endpoints are built at start-up by RequestDelegateFactory from expression trees:
        // System.Linq.Expressions and the form-binding assemblies are loaded and the delegates JIT-compiled, held for the
        // process's life (docs/benchmarks.md, issue 17, h-gc). The generated interceptors live in the server assembly.
        var server = typeof(CompanyOs.Server.Hosting.GatewayServer).Assembly;

        Assert.Contains(server.GetTypes(), t => t.Namespace == "Microsoft.AspNetCore.Http.Generated");
    }

    private static JsonElement ConfigProperties()
    {
        Assert.True(File.Exists(RuntimeConfig), $"the server's runtimeconfig was not copied to the test output: {RuntimeConfig}");
        using var document = JsonDocument.Parse(File.ReadAllText(RuntimeConfig));
        return document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }
}

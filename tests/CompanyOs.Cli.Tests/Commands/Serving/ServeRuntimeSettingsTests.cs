using System.Text.Json;

namespace CompanyOs.Cli.Tests.Commands.Serving;

/// <summary>
/// <c>companyos serve</c> hosts the gateway server in the CLI's own process, so the CLI must ship the server's runtime
/// settings (GC mode, tiering, thread pool: <c>src/CompanyOs.Server/ServerRuntime.props</c>, imported by both projects).
/// Both runtimeconfigs are copied next to this test assembly by the build.
/// </summary>
public sealed class ServeRuntimeSettingsTests
{
    [Fact]
    public void The_cli_carries_every_runtime_setting_of_the_server_executable()
    {
        var server = ConfigProperties("CompanyOs.Server.runtimeconfig.json");
        var cli = ConfigProperties("companyos.runtimeconfig.json");

        Assert.True(server["System.GC.Server"] == "True", "the server's runtimeconfig no longer selects server GC: update this test's premise");
        foreach (var (name, value) in server)
        {
            Assert.True(cli.TryGetValue(name, out var cliValue), $"companyos.runtimeconfig.json lacks the server's '{name}'");
            Assert.Equal(value, cliValue);
        }
    }

    private static Dictionary<string, string> ConfigProperties(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, fileName);
        Assert.True(File.Exists(path), $"not copied to the test output: {path}");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.ToString());
    }
}

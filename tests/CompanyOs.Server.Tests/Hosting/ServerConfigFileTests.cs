using CompanyOs.Configuration;
using CompanyOs.Server.Tests.Infrastructure;

namespace CompanyOs.Server.Tests.Hosting;

public sealed class ServerConfigFileTests
{
    private const string Chat = """{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task Settings_come_from_server_yaml_and_the_command_line_overrides_them()
    {
        var yaml = WriteYaml("max_request_body_bytes: 40\ndefault_org: yaml-org\nshutdown_drain_seconds: 5\n");
        await using var fromFile = await TestServers.StartAsync(extraArgs: ["--server-config", yaml]);
        await using var overridden = await TestServers.StartAsync(extraArgs: ["--server-config", yaml, "--CompanyOs:Server:MaxRequestBodyBytes=100000"]);
        using var fileHttp = TestServers.Http(fromFile);
        using var overrideHttp = TestServers.Http(overridden);

        using var tooLarge = await fileHttp.PostJsonAsync("v1/chat/completions", Chat);
        using var fits = await overrideHttp.PostJsonAsync("v1/chat/completions", Chat);

        await ErrorJson.AssertOpenAIAsync(tooLarge, 413, "invalid_request_error", code: "request_too_large");
        Assert.Equal(200, (int)fits.StatusCode);
        var gateway = (CompanyOs.Llm.Gateway.LlmGateway)overridden.Services.GetService(typeof(CompanyOs.Llm.Gateway.LlmGateway))!;
        Assert.Equal("yaml-org", Assert.Single(gateway.GetStats().Rows).OrgId);
    }

    [Fact]
    public void Key_cache_seconds_comes_from_server_yaml_with_a_five_second_default()
    {
        Assert.Equal(5, new CompanyOs.Server.Hosting.ServerOptions().KeyCacheSeconds);
        Assert.Equal(0, CompanyOs.Server.Hosting.ServerConfigFile.Load(WriteYaml("key_cache_seconds: 0\n")).KeyCacheSeconds);
        Assert.Equal(30, CompanyOs.Server.Hosting.ServerConfigFile.Load(WriteYaml("key_cache_seconds: 30\n")).KeyCacheSeconds);
    }

    [Fact]
    public void Trim_file_pages_comes_from_server_yaml_and_is_on_by_default()
    {
        Assert.True(new CompanyOs.Server.Hosting.ServerOptions().TrimFilePages);
        Assert.False(CompanyOs.Server.Hosting.ServerConfigFile.Load(WriteYaml("trim_file_pages: false\n")).TrimFilePages);
        Assert.True(CompanyOs.Server.Hosting.ServerConfigFile.Load(WriteYaml("default_org: x\n")).TrimFilePages);
    }

    [Theory]
    [InlineData("trim_file_pages: sometimes\n", "trim_file_pages", "true or false")]
    [InlineData("shutdown_drain_seconds: 0\n", "shutdown_drain_seconds", "line 1")]
    [InlineData("emulator: perhaps\n", "emulator", "true or false")]
    [InlineData("urls: http://127.0.0.1:1\nmax_body: 5\n", "max_body", "unknown key")]
    [InlineData("- a\n- b\n", "(root)", "mapping")]
    [InlineData("default_org: \"\"\n", "default_org", "must not be empty")]
    [InlineData("keys_store: mysql\n", "keys_store", "must be 'sqlite' or 'postgres', got 'mysql'")]
    [InlineData("keys_store: postgres\nkeys_connection_string_env: \" \"\n", "keys_connection_string_env", "must not be empty")]
    [InlineData("redis: \"127.0.0.1:6379,bogus=1\"\n", "redis", "must be a StackExchange.Redis configuration string")]
    [InlineData("redis: \"password=x\"\n", "redis", "must name a Redis endpoint")]
    [InlineData("redis_key_prefix: \"a b\"\n", "redis_key_prefix", "without spaces")]
    [InlineData("instances: 0\n", "instances", "line 1")]
    [InlineData("key_cache_seconds: -1\n", "key_cache_seconds", "line 1")]
    public async Task A_bad_server_yaml_fails_startup_naming_file_key_and_problem(string yaml, string key, string problem)
    {
        var file = WriteYaml(yaml);

        var e = await Assert.ThrowsAsync<ConfigurationException>(() => TestServers.StartAsync(extraArgs: ["--server-config", file]));

        Assert.Contains(file, e.Message, StringComparison.Ordinal);
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_named_server_yaml_that_does_not_exist_fails_startup()
    {
        var missing = Path.Combine(Path.GetTempPath(), "companyos-server-tests", Guid.NewGuid().ToString("N"), "server.yaml");

        var e = await Assert.ThrowsAsync<ConfigurationException>(() => TestServers.StartAsync(extraArgs: ["--server-config", missing]));

        Assert.Contains("CompanyOs:Server:ConfigFile", e.Message, StringComparison.Ordinal);
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_yaml_is_read_like_every_config_file_bounded_and_strict_utf8()
    {
        // The same reader as llm.yaml, tools.yaml and agents/*.yaml: a huge file is refused, not read whole, and an invalid
        // byte is an error naming its line rather than a silent U+FFFD.
        var huge = WriteYaml("default_org: acme\n# " + new string('x', ConfigFile.MaxBytes) + "\n");
        var latin1 = WriteYaml("default_org: acme\n");
        File.WriteAllBytes(latin1, [.. "default_org: caf"u8, 0xE9, (byte)'\n']);

        var tooLarge = await Assert.ThrowsAsync<ConfigurationException>(() => TestServers.StartAsync(extraArgs: ["--server-config", huge]));
        var notUtf8 = await Assert.ThrowsAsync<ConfigurationException>(() => TestServers.StartAsync(extraArgs: ["--server-config", latin1]));

        Assert.Contains(huge, tooLarge.Message, StringComparison.Ordinal);
        Assert.Contains("larger than", tooLarge.Message, StringComparison.Ordinal);
        Assert.Contains(latin1, notUtf8.Message, StringComparison.Ordinal);
        Assert.Contains("line 1", notUtf8.Message, StringComparison.Ordinal);
    }

    private static string WriteYaml(string yaml)
    {
        var dir = Path.Combine(Path.GetTempPath(), "companyos-server-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "server.yaml");
        File.WriteAllText(file, yaml);
        return file;
    }
}

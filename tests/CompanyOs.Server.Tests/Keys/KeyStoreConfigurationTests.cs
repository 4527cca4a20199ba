using CompanyOs.Configuration;
using CompanyOs.Server.Tests.Infrastructure;

namespace CompanyOs.Server.Tests.Keys;

/// <summary>Selecting the key store: a store that cannot be used fails start-up naming the setting, never later.</summary>
public sealed class KeyStoreConfigurationTests
{
    [Theory]
    [InlineData("keys_store: postgres\n", "keys_connection_string_env", "name the environment variable")]
    [InlineData("keys_store: postgres\nkeys_connection_string_env: COMPANYOS_KEYS_TEST_NEVER_SET\n", "keys_connection_string_env", "environment variable 'COMPANYOS_KEYS_TEST_NEVER_SET' is not set")]
    [InlineData("keys_database: /nonexistent-companyos-dir/sub/keys.db\n", "KeysDatabase", "cannot open the key store (SQLite file '/nonexistent-companyos-dir/sub/keys.db')")]
    public async Task An_unusable_key_store_fails_startup_naming_the_setting(string yaml, string key, string problem)
    {
        var file = Path.Combine(Path.GetDirectoryName(TestServers.WriteConfig(TestServers.DefaultYaml))!, "server.yaml");
        await File.WriteAllTextAsync(file, yaml, TestContext.Current.CancellationToken);

        var e = await Assert.ThrowsAsync<ConfigurationException>(() => TestServers.StartAsync(extraArgs: ["--server-config", file]));

        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_postgres_connection_string_that_does_not_parse_fails_startup_without_echoing_it()
    {
        var e = await Assert.ThrowsAsync<ConfigurationException>(() => TestServers.StartAsync(extraArgs:
            ["--CompanyOs:Server:KeysStore=postgres", "--CompanyOs:Server:KeysConnectionStringEnv=COMPANYOS_KEYS_TEST_BAD", "--COMPANYOS_KEYS_TEST_BAD=Host=x;Password=hunter2;Frobnicate=1"]));

        Assert.Contains("COMPANYOS_KEYS_TEST_BAD", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", e.ToString(), StringComparison.Ordinal);
    }
}

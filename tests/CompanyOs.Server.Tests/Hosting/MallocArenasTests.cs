using CompanyOs.Server.Hosting;

namespace CompanyOs.Server.Tests.Hosting;

/// <summary>
/// The cap on glibc's malloc arenas that the server sets at start-up from its runtimeconfig (<see cref="MallocArenas"/>;
/// RuntimeSettingsTests pins the shipped value): set when configured, left alone when <c>MALLOC_ARENA_MAX</c> is in the
/// environment (glibc applied that itself) or the setting is absent or not a positive number.
/// </summary>
public sealed class MallocArenasTests
{
    [Fact]
    public void A_configured_cap_is_set_through_mallopt()
    {
        Assert.True(OperatingSystem.IsLinux(), "the server's runtime (and CI) is glibc Linux");

        // Sets this test process's own cap to 2, as the server does for itself; harmless for the other tests.
        Assert.Equal(2, MallocArenas.Apply("2", environment: null));
        Assert.Equal(2, MallocArenas.Apply(2, environment: null));
    }

    [Fact]
    public void MALLOC_ARENA_MAX_in_the_environment_wins()
    {
        Assert.Null(MallocArenas.Apply("2", environment: "8"));
        Assert.Null(MallocArenas.Apply("2", environment: ""));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("two")]
    public void No_cap_without_a_positive_setting(string? configured)
    {
        Assert.Null(MallocArenas.Apply(configured, environment: null));
    }

    [Fact]
    public void The_server_applies_its_runtimeconfig_setting()
    {
        // The test host does not load the server's runtimeconfig: the property is absent here, so Apply() sets nothing
        // unless the environment overrides; the shipped value itself is pinned by RuntimeSettingsTests.
        Assert.Null(AppContext.GetData(MallocArenas.Setting));
        Assert.Null(MallocArenas.Apply());
    }
}

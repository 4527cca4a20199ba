using CompanyOs.Agents.Definitions;
using CompanyOs.Configuration;

namespace CompanyOs.Agents.Tests.Definitions;

public sealed class AgentDefinitionLoaderTests
{
    private const string Valid = """
        type: researcher
        persona_prompt: researcher/persona
        tools: [web_search, read_file]
        autonomy: manual
        max_iterations: 7
        temperature: 0.3
        approval_timeout_minutes: 60
        budget:
          usd: 0.5
          tokens: 1000
        """;

    internal static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "CompanyOs.sln")))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("CompanyOs.sln not found above the test directory.");
        }

        return dir;
    }

    [Fact]
    public void Shipped_definitions_load_and_cover_the_three_agents()
    {
        var definitions = AgentDefinitionLoader.LoadDirectory(Path.Combine(RepoRoot(), "config", "agents"));

        Assert.Equal(["architect", "implementer", "researcher"], definitions.Keys.Order(StringComparer.Ordinal));
        Assert.All(definitions.Values, d => Assert.Equal($"{d.Type}/persona", d.PersonaPrompt));
        Assert.Contains("execute_code", definitions["implementer"].Tools);
        Assert.Equal(AutonomyLevel.Supervised, definitions["researcher"].Autonomy);
    }

    [Fact]
    public void A_valid_definition_is_read_completely()
    {
        var d = AgentDefinitionLoader.Parse(Valid, "researcher.yaml");

        Assert.Equal("researcher", d.Type);
        Assert.Equal(["web_search", "read_file"], d.Tools);
        Assert.Equal(AutonomyLevel.Manual, d.Autonomy);
        Assert.Equal(7, d.MaxIterations);
        Assert.Equal(0.3, d.Temperature);
        Assert.Equal(TimeSpan.FromHours(1), d.ApprovalTimeout);
        Assert.Equal(new AgentBudget(0.5m, 1000), d.Budget);
        Assert.Null(d.Model);
    }

    [Theory]
    [InlineData("persona_prompt: a/b", "type", "is required")]
    [InlineData("type: researcher", "persona_prompt", "is required")]
    [InlineData("type: Researcher!\npersona_prompt: a/b", "type", "not a valid agent type")]
    [InlineData("type: r\npersona_prompt: nopath", "persona_prompt", "agent/name")]
    [InlineData("type: r\npersona_prompt: a/b\nautonomy: yolo", "autonomy", "manual, supervised, autonomous")]
    [InlineData("type: r\npersona_prompt: a/b\nmax_iterations: 0", "max_iterations", "must be between 1 and 1000, got 0")]
    [InlineData("type: r\npersona_prompt: a/b\nmax_iterations: lots", "max_iterations", "expected an integer, got 'lots'")]
    [InlineData("type: r\npersona_prompt: a/b\ntemperature: 3", "temperature", "must be between 0 and 2, got 3")]
    [InlineData("type: r\npersona_prompt: a/b\ntools: web_search", "tools", "expected a list, got 'web_search'")]
    [InlineData("type: r\npersona_prompt: a/b\ntools: [a, a]", "tools[1]", "listed twice")]
    [InlineData("type: r\npersona_prompt: a/b\ntools: [\"bad name\"]", "tools[0]", "not a valid tool name")]
    [InlineData("type: r\npersona_prompt: a/b\nbudget: 5", "budget", "expected a mapping")]
    [InlineData("type: r\npersona_prompt: a/b\nbudget:\n  dollars: 5", "budget.dollars", "unknown key")]
    [InlineData("type: r\npersona_prompt: a/b\nbudget:\n  usd: -1", "budget.usd", "must be between 0 and 1000000, got -1")]
    [InlineData("type: r\npersona_prompt: a/b\nmax_iteration: 3", "max_iteration", "unknown key")]
    [InlineData("type: r\npersona_prompt: [a]", "persona_prompt", "expected a string, got a list")]
    [InlineData("- just\n- a list", "", "expected a mapping")]
    [InlineData("type: [unclosed", "", "malformed YAML")]
    public void Invalid_definitions_name_the_file_the_key_and_the_problem(string yaml, string key, string problem)
    {
        var error = Assert.Throws<ConfigurationException>(() => AgentDefinitionLoader.Parse(yaml, "config/agents/x.yaml"));

        Assert.Equal("config/agents/x.yaml", error.File);
        Assert.Equal(key, error.KeyPath);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
        Assert.StartsWith("config/agents/x.yaml: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_agent_types_across_files_are_an_error()
    {
        var dir = Directory.CreateTempSubdirectory("agents-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "a.yaml"), Valid);
            File.WriteAllText(Path.Combine(dir, "b.yaml"), Valid);

            var error = Assert.Throws<ConfigurationException>(() => AgentDefinitionLoader.LoadDirectory(dir));

            Assert.Contains("already defined", error.Message, StringComparison.Ordinal);
            Assert.EndsWith("b.yaml", error.File, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_missing_directory_is_an_error()
    {
        var error = Assert.Throws<ConfigurationException>(() => AgentDefinitionLoader.LoadDirectory("/nonexistent/agents"));
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }
}

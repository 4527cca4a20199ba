namespace CompanyOs.ScaleOut.Tests.Infrastructure;

/// <summary>
/// The directory every instance of a test starts in (its content root): <c>config/llm.yaml</c> with one OpenAI provider
/// pointing at the test's emulator, <c>config/server.yaml</c> with the shared stores, two agents and their persona, and
/// <c>config/tools.yaml</c> importing the MCP test server's tools — among them <c>rec__append</c>, which appends a line to
/// a file per execution (so a test counts executions across processes), not idempotent, high risk.
/// </summary>
internal sealed class ScaleOutProject
{
    /// <summary>The variable holding the provider key in every instance's environment (the emulator accepts any).</summary>
    public const string ProviderKeyVariable = "COMPANYOS_SCALEOUT_OPENAI_KEY";

    /// <summary>The variable holding the key store's connection string (<c>keys_connection_string_env</c>).</summary>
    public const string KeysVariable = "COMPANYOS_SCALEOUT_KEYS";

    /// <summary>The variable holding the run store's connection string (<c>runs_postgres: "${…}"</c>).</summary>
    public const string RunsVariable = "COMPANYOS_SCALEOUT_RUNS";

    /// <summary>The variable holding the Redis configuration string (<c>redis: "${…}"</c>).</summary>
    public const string RedisVariable = "COMPANYOS_SCALEOUT_REDIS";

    private const string Persona = """
        version: "1.0"
        description: The team's persona.
        variables:
          - name: task
            type: string
            required: true
        system: |
          You work on: {{ task }}
        """;

    public ScaleOutProject(Uri openAIEndpoint, string providerSettings, string llmSettings, string serverYaml)
    {
        Root = Path.Combine(Path.GetTempPath(), "companyos-scaleout-tests", Guid.NewGuid().ToString("N"));
        var config = Path.Combine(Root, "config");
        Directory.CreateDirectory(Path.Combine(config, "agents"));
        Directory.CreateDirectory(Path.Combine(Root, "prompts", "team"));
        File.WriteAllText(Path.Combine(config, "llm.yaml"), $"""
            default_provider: openai
            providers:
              openai:
                api_key: "${"{"}{ProviderKeyVariable}{"}"}"
                base_url: "{openAIEndpoint}"
                default_model: "gpt-4o"
                max_retries: 0
                {Indent(providerSettings, 4)}
            circuit_breaker: {"{"} enabled: false {"}"}
            {llmSettings}
            """);
        File.WriteAllText(Path.Combine(config, "server.yaml"), serverYaml);
        foreach (var (agent, autonomy) in new[] { ("approver", "manual"), ("worker", "autonomous") })
        {
            File.WriteAllText(Path.Combine(config, "agents", agent + ".yaml"), $"""
                type: {agent}
                description: Records lines ({autonomy}).
                persona_prompt: team/persona
                tools: [rec__append]
                autonomy: {autonomy}
                max_iterations: 4
                """);
        }

        File.WriteAllText(Path.Combine(Root, "prompts", "team", "persona.yaml"), Persona);
        File.WriteAllText(Path.Combine(config, "tools.yaml"), $"""
            mcp_servers:
              rec:
                command: dotnet
                args: ["{Path.Combine(AppContext.BaseDirectory, "CompanyOs.Tools.McpTestServer.dll")}"]
                risk: high
                idempotent: false
            """);
        ExecutionLog = Path.Combine(Root, "executions.log");
    }

    public string Root { get; }

    public string LlmConfig => Path.Combine(Root, "config", "llm.yaml");

    /// <summary>The file <c>rec__append</c> calls of the tests append to: one line per tool execution, whichever process ran it.</summary>
    public string ExecutionLog { get; }

    /// <summary>Lines appended to <see cref="ExecutionLog"/> so far.</summary>
    public IReadOnlyList<string> Executions => File.Exists(ExecutionLog) ? File.ReadAllLines(ExecutionLog) : [];

    private static string Indent(string text, int spaces) =>
        string.Join('\n', text.Split('\n').Select((line, i) => i == 0 ? line : new string(' ', spaces) + line));
}

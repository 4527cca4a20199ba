using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CompanyOs.Server.Hosting;
using CompanyOs.Server.Keys;

namespace CompanyOs.Dashboard.Tests;

/// <summary>
/// The real server on 127.0.0.1 (any free port) in emulator mode, with a key store, a runs database and agents of its
/// own in a throw-away directory: <c>coder</c> (execute_code under supervised autonomy, so every call waits for
/// approval) and <c>reader</c> (read_file, autonomous) confined to that directory.
/// </summary>
internal sealed class DashboardServer : IAsyncDisposable
{
    private const string Llm = """
        default_provider: anthropic
        providers:
          anthropic:
            api_key: "${COMPANYOS_DASHBOARD_TEST_UNSET_ANTHROPIC}"
            default_model: "claude-3.5-sonnet"
            max_retries: 0
        circuit_breaker: { enabled: false }
        """;

    private const string Tools = """
        file_system:
          roots: ["files"]
        web_search:
          provider: none
        execute_code:
          enabled: true
          wall_timeout_seconds: 30
        """;

    private const string Coder = """
        type: coder
        description: Runs code in the sandbox; every run of it waits for a human.
        persona_prompt: implementer/persona
        tools: [execute_code]
        autonomy: supervised
        max_iterations: 4
        max_parallel_tools: 1
        """;

    private const string Reader = """
        type: reader
        description: Reads files it is told to.
        persona_prompt: researcher/persona
        tools: [read_file]
        autonomy: autonomous
        max_iterations: 4
        max_parallel_tools: 1
        """;

    private DashboardServer(GatewayServer server, string directory, string key)
    {
        Server = server;
        Directory = directory;
        Key = key;
        Http = new HttpClient { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    }

    public GatewayServer Server { get; }

    public Uri BaseUri => Server.BaseUri;

    /// <summary>The working directory of this server: config, databases, and <c>files/</c> (what read_file may read).</summary>
    public string Directory { get; }

    /// <summary>A key of org <c>acme</c> with the gateway and agents scopes.</summary>
    public string Key { get; }

    /// <summary>An HTTP client sending <see cref="Key"/>.</summary>
    public HttpClient Http { get; }

    public static async Task<DashboardServer> StartAsync(CompanyOs.Emulator.EmulatorOptions? emulator = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "companyos-dashboard-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Path.Combine(dir, "agents"));
        System.IO.Directory.CreateDirectory(Path.Combine(dir, "files"));
        await File.WriteAllTextAsync(Path.Combine(dir, "llm.yaml"), Llm);
        await File.WriteAllTextAsync(Path.Combine(dir, "tools.yaml"), Tools);
        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "coder.yaml"), Coder);
        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "reader.yaml"), Reader);
        string[] args =
        [
            "--urls", "http://127.0.0.1:0", "--contentRoot", dir, "--config", Path.Combine(dir, "llm.yaml"), "--emulator",
            "--keys-db", Path.Combine(dir, "keys.db"),
            $"--CompanyOs:Server:RunsDatabase={Path.Combine(dir, "runs.db")}",
            $"--CompanyOs:Server:AgentsDirectory={Path.Combine(dir, "agents")}",
            $"--CompanyOs:Server:ToolsConfig={Path.Combine(dir, "tools.yaml")}",
            $"--CompanyOs:Server:PromptsDirectory={Path.Combine(RepoRoot, "prompts")}",
            "--Logging:LogLevel:Default=None",
        ];
        var server = await GatewayServer.StartAsync(args, emulator, TestContext.Current.CancellationToken);
        var store = (ApiKeyStore)server.Services.GetService(typeof(ApiKeyStore))!;
        var (_, key) = await store.CreateAsync("acme", ["gateway", "agents"], cancellationToken: TestContext.Current.CancellationToken);
        return new DashboardServer(server, dir, key);
    }

    /// <summary>Starts a run over the API (POST /v1/runs) and returns its id.</summary>
    public async Task<string> StartRunAsync(string agent, string task)
    {
        using var content = new StringContent(JsonSerializer.Serialize(new { agent, task }), Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync(new Uri("/v1/runs", UriKind.Relative), content, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"POST /v1/runs answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>GET /v1/runs/{id} as JSON.</summary>
    public async Task<JsonElement> RunAsync(string id) =>
        await Http.GetFromJsonAsync<JsonElement>(new Uri($"/v1/runs/{Uri.EscapeDataString(id)}", UriKind.Relative), TestContext.Current.CancellationToken);

    /// <summary>Waits (bounded) until the run has <paramref name="status"/>.</summary>
    public Task WaitForStatusAsync(string id, string status) =>
        Poll.UntilAsync(async () => (await RunAsync(id)).GetProperty("status").GetString() == status, $"run {id} reaches '{status}'");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }

    /// <summary>The repository root: the first directory above the test binaries holding <c>CompanyOs.sln</c>.</summary>
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "CompanyOs.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("CompanyOs.sln not found above " + AppContext.BaseDirectory);
        }
    }
}

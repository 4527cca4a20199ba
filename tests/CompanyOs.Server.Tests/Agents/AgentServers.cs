using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using CompanyOs.Server.Hosting;
using CompanyOs.Server.Keys;
using CompanyOs.Server.Tests.Infrastructure;

namespace CompanyOs.Server.Tests.Agents;

/// <summary>
/// A project directory for agent tests — <c>config/llm.yaml</c>, an agent (<c>writer</c>: read_file, manual autonomy),
/// its persona prompt, a tool configuration confined to the directory, and a file to read — and a server over it (emulator
/// mode, API keys on, runs in a SQLite file of the directory).
/// </summary>
internal sealed class AgentProject
{
    public const string Persona = """
        version: "1.0"
        description: The writer's persona.
        variables:
          - name: task
            type: string
            required: true
          - name: org_id
            type: string
            required: false
        system: |
          You are the writer. Work on: {{ task }}
        """;

    public const string Greeting = """
        version: "1.0"
        description: A greeting with a few-shot pair.
        variables:
          - name: name
            type: string
            required: true
        few_shot_examples:
          - input: "Greet Ada"
            output: "Hello, Ada!"
        system: "You greet people."
        user: "Greet {{ name }}"
        """;

    public AgentProject(string? agentYaml = null)
    {
        Root = Path.Combine(Path.GetTempPath(), "companyos-agentapi-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(Root, "config", "agents"));
        Directory.CreateDirectory(Path.Combine(Root, "prompts", "writer"));
        File.WriteAllText(Path.Combine(Root, "config", "llm.yaml"), TestServers.DefaultYaml);
        File.WriteAllText(Path.Combine(Root, "config", "agents", "writer.yaml"), agentYaml ?? """
            type: writer
            description: Reads notes and writes.
            persona_prompt: writer/persona
            tools: [read_file]
            autonomy: manual
            max_iterations: 4
            capabilities:
              greet:
                prompt: writer/greeting
            """);
        File.WriteAllText(Path.Combine(Root, "prompts", "writer", "persona.yaml"), Persona);
        File.WriteAllText(Path.Combine(Root, "prompts", "writer", "greeting.yaml"), Greeting);
        File.WriteAllText(Path.Combine(Root, "config", "tools.yaml"), """
            file_system:
              roots: [".."]
            """);
        File.WriteAllText(Path.Combine(Root, "notes.txt"), "The notes say: ship on Friday.");
    }

    public string Root { get; }

    public string LlmConfig => Path.Combine(Root, "config", "llm.yaml");

    /// <summary>Arguments that start the server over this project (any free port on 127.0.0.1).</summary>
    public string[] Arguments(params string[] extra) =>
    [
        "--urls", "http://127.0.0.1:0", "--contentRoot", Root, "--config", LlmConfig, "--emulator",
        "--keys-db", Path.Combine(Root, "keys.db"), "--Logging:LogLevel:Default=None", .. extra,
    ];

    public Task<GatewayServer> StartAsync(params string[] extra) => StartAsync(null, extra);

    public Task<GatewayServer> StartAsync(CompanyOs.Emulator.EmulatorOptions? emulator, params string[] extra) =>
        GatewayServer.StartAsync(Arguments(extra), emulator, TestContext.Current.CancellationToken);
}

/// <summary>HTTP helpers for the agent API.</summary>
internal static class AgentHttp
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<string> KeyAsync(GatewayServer server, string org, params string[] scopes) =>
        (await KeyWithIdAsync(server.Services, org, scopes)).Key;

    public static async Task<(string Id, string Key)> KeyWithIdAsync(IServiceProvider services, string org, params string[] scopes)
    {
        var (record, key) = await services.GetRequiredService<ApiKeyStore>().CreateAsync(org, scopes.Length == 0 ? ["gateway", "agents"] : scopes, cancellationToken: Ct);
        return (record.Id, key);
    }

    public static HttpClient Client(Uri baseUri, string key)
    {
        var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    public static async Task<HttpResponseMessage> PostAsync(this HttpClient http, string path, string? json = null, IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Add(name, value);
        }

        return await http.SendAsync(request, Ct);
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(status == (int)response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient http, string path, int status = 200)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), Ct);
        return await response.JsonAsync(status);
    }

    public static async Task<JsonElement> StartAsync(this HttpClient http, string body = """{"agent":"writer","task":"Read notes.txt and summarise it"}""")
    {
        using var response = await http.PostAsync("v1/runs", body);
        return await response.JsonAsync(201);
    }

    /// <summary>Waits (bounded) until the run has the status.</summary>
    public static async Task<JsonElement> WaitForStatusAsync(this HttpClient http, string runId, string status)
    {
        JsonElement run = default;
        try
        {
            await Poll.UntilAsync(async () =>
            {
                run = await http.GetJsonAsync($"v1/runs/{runId}");
                return run.GetProperty("status").GetString() == status;
            }, $"run {runId} reaching {status}", cancellationToken: Ct);
        }
        catch (Xunit.Sdk.XunitException) when (run.ValueKind == JsonValueKind.Object)
        {
            Assert.Fail($"run {runId} did not reach {status}; it is: {run.GetRawText()}");
        }

        return run;
    }
}

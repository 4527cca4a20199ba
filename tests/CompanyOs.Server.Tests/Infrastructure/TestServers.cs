using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Headers;
using System.Text;
using CompanyOs.Emulator;
using CompanyOs.Server.Hosting;
using OpenAI;
using OpenAI.Chat;

namespace CompanyOs.Server.Tests.Infrastructure;

/// <summary>Starts the server on 127.0.0.1 (any free port) over a test llm.yaml, in emulator mode unless told otherwise.</summary>
internal static class TestServers
{
    /// <summary>Anthropic (default) and OpenAI, no retries, keys from variables that are never set.</summary>
    public const string DefaultYaml = """
        default_provider: anthropic
        providers:
          anthropic:
            api_key: "${COMPANYOS_SERVER_TEST_UNSET_ANTHROPIC}"
            default_model: "claude-3.5-sonnet"
            max_retries: 0
          openai:
            api_key: "${COMPANYOS_SERVER_TEST_UNSET_OPENAI}"
            default_model: "gpt-4o"
            max_retries: 0
        circuit_breaker: { enabled: false }
        """;

    public static async Task<GatewayServer> StartAsync(
        string yaml = DefaultYaml, bool emulator = true, EmulatorOptions? emulatorOptions = null, params string[] extraArgs)
    {
        var file = WriteConfig(yaml);
        // The content root is the test's own directory: a config/server.yaml of the repository never leaks into a test.
        string[] args = ["--urls", "http://127.0.0.1:0", "--contentRoot", Path.GetDirectoryName(file)!, "--config", file,
            "--Logging:LogLevel:Default=None", .. extraArgs];
        return await GatewayServer.StartAsync(emulator ? [.. args, "--emulator"] : args, emulatorOptions, TestContext.Current.CancellationToken);
    }

    public static string WriteConfig(string yaml)
    {
        var dir = Path.Combine(Path.GetTempPath(), "companyos-server-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "llm.yaml");
        File.WriteAllText(file, yaml);
        return file;
    }

    public static ChatClient OpenAIChat(GatewayServer server, string model = "gpt-4o") =>
        new(model, new ApiKeyCredential("cos_test"), new OpenAIClientOptions
        {
            Endpoint = new Uri(server.BaseUri, "v1"),
            RetryPolicy = new ClientRetryPolicy(0),
            NetworkTimeout = TimeSpan.FromSeconds(30),
        });

    public static global::Anthropic.AnthropicClient Anthropic(GatewayServer server) =>
        new(new global::Anthropic.Core.ClientOptions
        {
            ApiKey = "cos_test",
            BaseUrl = server.BaseUri.ToString().TrimEnd('/'),
            MaxRetries = 0,
            ResponseValidation = true,
            Timeout = TimeSpan.FromSeconds(30),
        });

    public static HttpClient Http(GatewayServer server) => new() { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<HttpResponseMessage> PostJsonAsync(this HttpClient http, string path, string body, string mediaType = "application/json")
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return await http.PostAsync(new Uri(path, UriKind.Relative), content, TestContext.Current.CancellationToken);
    }
}

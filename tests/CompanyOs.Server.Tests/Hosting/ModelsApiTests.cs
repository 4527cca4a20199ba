using System.ClientModel;
using System.ClientModel.Primitives;
using CompanyOs.Server.Tests.Infrastructure;
using OpenAI;
using OpenAI.Models;

namespace CompanyOs.Server.Tests.Hosting;

public sealed class ModelsApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OpenAI_sdk_lists_the_configured_models_aliases_and_their_providers()
    {
        await using var server = await TestServers.StartAsync();
        var client = Models(server);

        OpenAIModelCollection models = await client.GetModelsAsync(Ct);

        var byId = models.ToDictionary(m => m.Id, m => m.OwnedBy);
        Assert.Equal("anthropic", byId["claude-3.5-sonnet"]);
        Assert.Equal("anthropic", byId["claude-3-5-sonnet-20241022"]);
        Assert.Equal("openai", byId["gpt-4o"]);
        Assert.DoesNotContain(byId.Keys, id => id.Contains("llama", StringComparison.Ordinal)); // no Ollama provider is configured
    }

    [Fact]
    public async Task OpenAI_sdk_retrieves_one_model_and_gets_404_for_an_unknown_one()
    {
        await using var server = await TestServers.StartAsync();
        var client = Models(server);

        OpenAIModel model = await client.GetModelAsync("openai/gpt-4o-mini", Ct);
        var e = await Assert.ThrowsAsync<ClientResultException>(() => client.GetModelAsync("nonexistent-5", Ct));

        Assert.Equal("openai/gpt-4o-mini", model.Id);
        Assert.Equal("openai", model.OwnedBy);
        Assert.Equal(404, e.Status);
    }

    [Fact]
    public async Task Unknown_model_has_openai_error_shape_or_anthropic_with_anthropic_version()
    {
        await using var server = await TestServers.StartAsync();
        using var http = TestServers.Http(server);

        using var openAI = await http.GetAsync(new Uri("v1/models/nonexistent-6", UriKind.Relative), Ct);
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/models/nonexistent-6");
        request.Headers.Add("anthropic-version", "2023-06-01");
        using var anthropic = await http.SendAsync(request, Ct);

        await ErrorJson.AssertOpenAIAsync(openAI, 404, "invalid_request_error", "model", "model_not_found");
        await ErrorJson.AssertAnthropicAsync(anthropic, 404, "not_found_error");
    }

    [Fact]
    public async Task Anthropic_sdk_lists_models_in_its_own_shape()
    {
        await using var server = await TestServers.StartAsync();
        // Validation off: the server's model objects carry id, type, display_name and created_at only, not the
        // capabilities and lifecycle details of Anthropic's own catalogue (docs/server.md).
        var client = new global::Anthropic.AnthropicClient(new global::Anthropic.Core.ClientOptions
        {
            ApiKey = "cos_test",
            BaseUrl = server.BaseUri.ToString().TrimEnd('/'),
            MaxRetries = 0,
            ResponseValidation = false,
        });

        var page = await client.Models.List(cancellationToken: Ct);

        Assert.Contains(page.Items, m => m.ID == "gpt-4o");
        Assert.Contains(page.Items, m => m.ID == "claude-3.5-sonnet");
    }

    private static OpenAIModelClient Models(Server.Hosting.GatewayServer server) =>
        new(new ApiKeyCredential("cos_test"), new OpenAIClientOptions
        {
            Endpoint = new Uri(server.BaseUri, "v1"),
            RetryPolicy = new ClientRetryPolicy(0),
        });
}

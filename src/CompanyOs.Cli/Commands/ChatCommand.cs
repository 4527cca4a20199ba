using System.CommandLine;
using CompanyOs.Cli.Hosting;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Errors;
using CompanyOs.Llm.Gateway;
using Microsoft.Extensions.AI;

namespace CompanyOs.Cli.Commands;

/// <summary><c>companyos chat "&lt;prompt&gt;"</c>: one completion from a configured provider, real or emulated.</summary>
internal static class ChatCommand
{
    public static Command Create(CliEnvironment environment)
    {
        var prompt = new Argument<string>("prompt") { Description = "What to ask the model." };
        var provider = new Option<string?>("--provider", "-p")
        {
            Description = "Provider name from the config (default: default_provider, else the first enabled one).",
        };
        var model = new Option<string?>("--model", "-m")
        {
            Description = "Model id or alias (e.g. claude-3.5-sonnet, gpt-4o); default: the provider's default_model.",
        };
        var config = new Option<string?>("--config", "-c") { Description = $"Configuration file (default: {ConfigFileLocator.DefaultPath})." };
        var system = new Option<string?>("--system", "-s") { Description = "System prompt." };
        var stream = new Option<bool>("--stream") { Description = "Print the answer as it arrives." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (text, provider, model, finish reason, usage) instead of text." };
        var emulator = new Option<bool>("--emulator")
        {
            Description = "Answer from the built-in emulator even when API keys are set (it is used anyway for providers without a key).",
        };

        var command = new Command("chat", "Ask a model one question. Without an API key in the environment the provider is emulated (labelled EMULATED on stderr).")
        {
            prompt, provider, model, config, system, stream, json, emulator,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            new ChatRequest(
                parse.GetValue(prompt)!,
                parse.GetValue(provider),
                parse.GetValue(model),
                parse.GetValue(config),
                parse.GetValue(system),
                parse.GetValue(stream),
                parse.GetValue(json),
                parse.GetValue(emulator)),
            environment,
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        ChatRequest request, CliEnvironment environment, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        LlmOptions options;
        try
        {
            var path = ConfigFileLocator.Locate(request.ConfigPath, environment.WorkingDirectory);
            options = await new LlmConfigLoader(environment.Variables, requireApiKeys: false).LoadAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (ConfigurationException e)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        var name = request.Provider ?? options.DefaultProvider!;
        if (!options.Providers.TryGetValue(name, out var chosen) || !chosen.Enabled)
        {
            var enabled = string.Join(", ", options.Providers.Values.Where(p => p.Enabled).Select(p => p.Name));
            await error.WriteLineAsync($"error: provider '{name}' is {(chosen is null ? "not configured" : "disabled")} in {options.SourceFile}; enabled: {enabled}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        await using var emulated = await EmulatedProviders.ApplyAsync(options, request.ForceEmulator, cancellationToken).ConfigureAwait(false);
        var isEmulated = emulated.Emulated.Contains(name);
        if (isEmulated)
        {
            var why = request.ForceEmulator ? "--emulator was given"
                : $"{chosen.ApiKeyVariable ?? "no API key"} is not set";
            await error.WriteLineAsync($"EMULATED: {why}; '{name}' is answered by the built-in CompanyOS emulator, not a real model.").ConfigureAwait(false);
        }

        // Through the gateway (routing, limits, retries, fallback, cost), pinned to the chosen provider.
        var chatOptions = new ChatOptions { ModelId = $"{name}/{request.Model ?? chosen.DefaultModel}" };
        List<ChatMessage> messages = [];
        if (!string.IsNullOrWhiteSpace(request.System))
        {
            messages.Add(new ChatMessage(ChatRole.System, request.System));
        }

        messages.Add(new ChatMessage(ChatRole.User, request.Prompt));
        try
        {
            using var client = LlmGateway.CreateBuilder(emulated.Options).Build();
            var streamText = request.Stream && !request.Json;
            var response = await ChatOutput.RunAsync(client, messages, chatOptions, streamText, output, cancellationToken).ConfigureAwait(false);
            await ChatOutput.WriteResultAsync(response, name, isEmulated, request.Json, printText: !streamText, output, error).ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (Exception e) when (e is LlmException or ConfigurationException)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return ExitCodes.ProviderFailed;
        }
    }

    private sealed record ChatRequest(
        string Prompt, string? Provider, string? Model, string? ConfigPath, string? System, bool Stream, bool Json, bool ForceEmulator);
}

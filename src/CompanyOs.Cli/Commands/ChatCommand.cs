using System.CommandLine;
using CompanyOs.Cli.Hosting;
using CompanyOs.Cli.Runs;
using CompanyOs.Llm.Calls;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Errors;
using CompanyOs.Llm.Gateway;
using CompanyOs.Llm.Gateway.Routing;
using Microsoft.Extensions.AI;

namespace CompanyOs.Cli.Commands;

/// <summary><c>companyos chat "&lt;prompt&gt;"</c>: one completion from a configured provider, real or emulated.</summary>
internal static class ChatCommand
{
    public static Command Create(CliEnvironment environment)
    {
        var prompt = new Argument<string?>("prompt") { Description = "What to ask the model (or use --prompt-file).", Arity = ArgumentArity.ZeroOrOne };
        var promptFile = new Option<string?>("--prompt-file") { Description = "Read the prompt from this file (- for stdin) instead of the argument." };
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
            prompt, promptFile, provider, model, config, system, stream, json, emulator,
        };
        command.SetAction((parse, cancellationToken) => Errors.CommandBoundary.RunAsync(parse.InvocationConfiguration.Error, async () => await RunAsync(
            new ChatRequest(
                await TaskText.ReadAsync(parse.GetValue(prompt), parse.GetValue(promptFile), "prompt", "--prompt-file", environment, cancellationToken).ConfigureAwait(false),
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
            cancellationToken).ConfigureAwait(false)));
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

        if (request.Provider is { } name && (!options.Providers.TryGetValue(name, out var chosen) || !chosen.Enabled))
        {
            var enabled = string.Join(", ", options.Providers.Values.Where(p => p.Enabled).Select(p => p.Name));
            await error.WriteLineAsync($"error: provider '{name}' is {(chosen is null ? "not configured" : "disabled")} in {options.SourceFile}; enabled: {enabled}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        // Routed before anything is sent, like the gateway would: a model goes to the provider that serves it, and an
        // unknown model is an error instead of a call billed at an unknown price.
        ModelRoute route;
        try
        {
            route = ChatRouting.Resolve(options, request.Provider, request.Model);
        }
        catch (RoutingException e)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        await using var emulated = await EmulatedProviders.ApplyAsync(options, request.ForceEmulator, cancellationToken).ConfigureAwait(false);
        var provider = route.Provider.Name;
        if (emulated.Emulated.Contains(provider))
        {
            var why = request.ForceEmulator ? "--emulator was given"
                : $"{route.Provider.ApiKeyVariable ?? "no API key"} is not set";
            await error.WriteLineAsync($"EMULATED: {why}; '{provider}' is answered by the built-in CompanyOS emulator, not a real model.").ConfigureAwait(false);
        }

        // Through the gateway (limits, retries, fallback, cost), pinned to the routed provider and model.
        var chatOptions = new ChatOptions { ModelId = $"{provider}/{route.Model}" };
        List<ChatMessage> messages = [];
        if (!string.IsNullOrWhiteSpace(request.System))
        {
            messages.Add(new ChatMessage(ChatRole.System, request.System));
        }

        messages.Add(new ChatMessage(ChatRole.User, request.Prompt));
        using var activity = new GatewayActivity(error);
        // On a terminal the wait, retries and fallback are a status line on stdout, erased before the answer.
        await using var status = environment.OutputIsTerminal && !request.Json
            ? new TerminalStatus(output, TimeProvider.System, CliConsole.Colours(environment), environment.TerminalWidth)
            : null;
        if (status is not null)
        {
            activity.Sink = e => status.Note(e.StatusNote());
            status.Show($"model {provider}/{route.Model}");
        }

        activity.CallStarting(route.Model);
        try
        {
            using var progress = activity.CreateLoggerFactory();
            using var client = LlmGateway.CreateBuilder(emulated.Options).WithLoggerFactory(progress).Build();
            var streamText = request.Stream && !request.Json;
            var response = await ChatOutput.RunAsync(client, messages, chatOptions, streamText, output, cancellationToken, status is null ? null : status.Hide).ConfigureAwait(false);
            status?.Hide();

            // The provider that answered decides the label: a fallback from a real provider to an emulated one is emulated.
            var answered = LlmCallInfo.From(response)?.Provider ?? provider;
            var isEmulated = emulated.Emulated.Contains(answered);
            if (isEmulated && answered != provider)
            {
                await error.WriteLineAsync(
                    $"EMULATED: '{provider}' did not answer; the answer came from '{answered}' (fallback), which is the built-in CompanyOS emulator, not a real model.").ConfigureAwait(false);
            }

            await ChatOutput.WriteResultAsync(response, answered, isEmulated, request.Json, printText: !streamText, output, error).ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (Exception e) when (e is LlmException or ConfigurationException)
        {
            activity.CallFailed(e);
            status?.Hide();
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            if (activity.Exhausted is { Count: > 1 } failures)
            {
                await error.WriteLineAsync($"error: {GatewayActivity.Describe(failures)}").ConfigureAwait(false);
            }

            return ExitCodes.ProviderFailed;
        }
    }

    private sealed record ChatRequest(
        string Prompt, string? Provider, string? Model, string? ConfigPath, string? System, bool Stream, bool Json, bool ForceEmulator);
}

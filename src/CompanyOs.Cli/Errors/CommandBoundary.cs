using CompanyOs.Agents.Runtime;
using CompanyOs.Events;
using CompanyOs.Llm.Configuration;
using CompanyOs.Llm.Errors;
using CompanyOs.Prompts;
using CompanyOs.Tools.Mcp;
using CompanyOs.Tools.Registry;

namespace CompanyOs.Cli.Errors;

/// <summary>The one place where expected failures become a message on stderr and an exit code; never a stack trace.</summary>
internal static class CommandBoundary
{
    public static async Task<int> RunAsync(TextWriter error, Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (CliUsageException e)
        {
            return await FailAsync(error, e.Message, e.ExitCode).ConfigureAwait(false);
        }
        catch (ConfigurationException e)
        {
            return await FailAsync(error, e.Message, ExitCodes.BadInput).ConfigureAwait(false);
        }
        catch (Exception e) when (e is McpImportException or ToolRegistrationException)
        {
            return await FailAsync(error, $"tools could not be set up: {e.Message}", ExitCodes.BadInput).ConfigureAwait(false);
        }
        catch (PromptException e)
        {
            return await FailAsync(error, $"prompt: {e.Message}", ExitCodes.BadInput).ConfigureAwait(false);
        }
        catch (AgentRunException e)
        {
            var code = e.Kind == AgentRunErrorKind.Conflict ? ExitCodes.ProviderFailed : ExitCodes.BadInput;
            var hint = e.Kind == AgentRunErrorKind.ToolsUnavailable
                ? " Give that configuration with -c (and the same --db), or --allow-missing-tools to go on without the missing tools."
                : string.Empty;
            return await FailAsync(error, e.Message + hint, code).ConfigureAwait(false);
        }
        catch (EventStoreException e)
        {
            return await FailAsync(error, $"event store: {e.Message}", ExitCodes.ProviderFailed).ConfigureAwait(false);
        }
        catch (LlmException e)
        {
            return await FailAsync(error, e.Message, ExitCodes.ProviderFailed).ConfigureAwait(false);
        }
    }

    private static async Task<int> FailAsync(TextWriter error, string message, int code)
    {
        await error.WriteLineAsync($"error: {message}").ConfigureAwait(false);
        return code;
    }
}

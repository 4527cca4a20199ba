using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using CompanyOs.Cli.Errors;
using CompanyOs.Emulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace CompanyOs.Cli.Commands.Serving;

/// <summary>
/// <c>companyos emulator</c>: the provider emulator on its own (<see cref="StandaloneEmulator"/>, as its executable runs it),
/// for pointing SDKs and tools at without API keys. Stops on Ctrl+C and SIGTERM with exit 0.
/// </summary>
internal static class EmulatorCommand
{
    public const string Name = "emulator";

    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (the emulator never listens elsewhere); 0 = any free port (default).", CustomParser = r => Whole(r, 65535) };
        var apiKey = new Option<string?>("--api-key") { Description = "Require this API key (Authorization: Bearer or x-api-key); default: any key is accepted." };
        var firstByte = new Option<int>("--first-byte-delay-ms") { Description = "Delay before every response starts, in milliseconds.", CustomParser = r => Whole(r, int.MaxValue) };
        var chunk = new Option<int>("--chunk-delay-ms") { Description = "Delay between stream chunks, in milliseconds.", CustomParser = r => Whole(r, int.MaxValue) };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log each request (route, model, stream flag; never bodies or keys) on stderr." };
        var command = new Command(Name, "Run the provider emulator (OpenAI, Anthropic and Ollama wire formats, a scripted model) for SDKs to call without keys; stops on Ctrl+C or SIGTERM.")
        {
            port, apiKey, firstByte, chunk, verbose,
        };
        command.SetAction((parse, cancellationToken) => CommandBoundary.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            using var logging = parse.GetValue(verbose)
                ? LoggerFactory.Create(b => b.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(LogLevel.Debug)
                    .AddFilter("Microsoft", LogLevel.Warning)
                    .Services.Configure<ConsoleLoggerOptions>(c => c.LogToStandardErrorThreshold = LogLevel.Trace))
                : null;
            var options = new EmulatorOptions
            {
                Port = parse.GetValue(port),
                ApiKey = parse.GetValue(apiKey) is { Length: > 0 } key ? key : null,
                FirstByteDelay = TimeSpan.FromMilliseconds(parse.GetValue(firstByte)),
                ChunkDelay = TimeSpan.FromMilliseconds(parse.GetValue(chunk)),
                LoggerFactory = logging,
            };
            return await StandaloneEmulator.RunAsync(options, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken)
                .ConfigureAwait(false);
        }));
        return command;
    }

    /// <summary>A whole number from 0 to <paramref name="max"/>, or an error naming the option and the value (not the .NET type).</summary>
    private static int Whole(ArgumentResult result, int max)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= max)
        {
            return value;
        }

        var name = (result.Parent as OptionResult)?.Option.Name ?? "the value";
        result.AddError($"{name} '{text}' is not a whole number from 0 to {max.ToString(CultureInfo.InvariantCulture)}.");
        return 0;
    }
}

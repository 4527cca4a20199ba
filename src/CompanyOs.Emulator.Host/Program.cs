using System.Globalization;
using CompanyOs.Emulator;
using Microsoft.Extensions.Logging;

// Standalone emulator: dotnet run --project src/CompanyOs.Emulator.Host -- [--port 8089] [--api-key KEY]
//   [--first-byte-delay-ms N] [--chunk-delay-ms N] [--verbose]
var options = new EmulatorOptions();
var verbose = false;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    int NextInt() => int.TryParse(Next(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new ArgumentException($"{args[i - 1]} needs a non-negative integer.");
    try
    {
        switch (args[i])
        {
            case "--port": options.Port = NextInt(); break;
            case "--api-key": options.ApiKey = Next(); break;
            case "--first-byte-delay-ms": options.FirstByteDelay = TimeSpan.FromMilliseconds(NextInt()); break;
            case "--chunk-delay-ms": options.ChunkDelay = TimeSpan.FromMilliseconds(NextInt()); break;
            case "--verbose": verbose = true; break;
            case "--help" or "-h":
                Console.WriteLine("usage: CompanyOs.Emulator [--port N] [--api-key KEY] [--first-byte-delay-ms N] [--chunk-delay-ms N] [--verbose]");
                return 0;
            default: throw new ArgumentException($"Unknown argument '{args[i]}'. Try --help.");
        }
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }
}

using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Information));
options.LoggerFactory = loggerFactory;
// Stops on SIGTERM and Ctrl+C (exit 0); `companyos emulator` runs the same StandaloneEmulator.
return await StandaloneEmulator.RunAsync(options, Console.Out, Console.Error).ConfigureAwait(false);

using CompanyOs.Cli;

return await CompanyOsCli.RunAsync(args, CliEnvironment.Process, Console.Out, Console.Error).ConfigureAwait(false);

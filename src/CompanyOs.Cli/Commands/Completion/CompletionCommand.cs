using System.CommandLine;

namespace CompanyOs.Cli.Commands.Completion;

/// <summary>
/// <c>companyos completion bash|zsh|fish</c>: a script for the shell that asks <c>companyos</c> itself what completes the
/// line, through System.CommandLine's <c>[suggest:POSITION]</c> directive — so commands, options and agent names always
/// match the installed version.
/// </summary>
internal static class CompletionCommand
{
    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or fish." };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish");
        var command = new Command(
            "completion",
            "Print a shell completion script: `source <(companyos completion bash)` in ~/.bashrc, `source <(companyos completion zsh)` in ~/.zshrc (after compinit), `companyos completion fish > ~/.config/fish/completions/companyos.fish`.")
        {
            shell,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var script = parse.GetValue(shell) switch
            {
                "bash" => Bash,
                "zsh" => Zsh,
                _ => Fish,
            };
            await parse.InvocationConfiguration.Output.WriteAsync(script.ReplaceLineEndings("\n").AsMemory(), cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    // Each script rebuilds the line up to the cursor with the program's own name first (an alias or path would not match
    // the root command), asks for suggestions at its end, and drops the DOS-style help aliases (/?, /h).
    private const string Bash = """
        # companyos bash completion: source <(companyos completion bash)
        _companyos_complete() {
            local cur="${COMP_WORDS[COMP_CWORD]}"
            local line="companyos"
            local i
            for ((i = 1; i <= COMP_CWORD; i++)); do
                line+=" ${COMP_WORDS[i]}"
            done
            local suggestions
            suggestions="$(companyos "[suggest:${#line}]" "$line" 2>/dev/null)" || return 0
            local IFS=$'\n'
            COMPREPLY=()
            local s
            for s in $(compgen -W "$suggestions" -- "$cur"); do
                [[ "$s" == /* ]] || COMPREPLY+=("$s")
            done
        }
        complete -o default -F _companyos_complete companyos

        """;

    private const string Zsh = """
        #compdef companyos
        # companyos zsh completion: source <(companyos completion zsh)   (after compinit)
        _companyos() {
            local line="companyos ${words[2,CURRENT]}"
            local -a suggestions
            suggestions=("${(@f)$(companyos "[suggest:${#line}]" "$line" 2>/dev/null)}")
            suggestions=(${suggestions:#/*})
            compadd -- $suggestions
        }
        compdef _companyos companyos

        """;

    private const string Fish = """
        # companyos fish completion: companyos completion fish > ~/.config/fish/completions/companyos.fish
        function __companyos_complete
            set -l line (string replace -r '^\S+' companyos -- (commandline -cp))
            companyos "[suggest:"(string length -- "$line")"]" "$line" 2>/dev/null | string match -v -- '/*'
        end
        complete -c companyos -f -a '(__companyos_complete)'

        """;
}

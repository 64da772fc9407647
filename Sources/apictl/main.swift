import APICtlCLI
import APICtlCore
import FoundationEssentials
import Glibc

// The only place that touches process state: argv, the environment, the
// terminal and the clock are read here and handed down.
let environment = ProcessInfo.processInfo.environment
let context = CommandContext(
    environment: environment,
    stdout: OutputStream(fd: STDOUT_FILENO, isTerminal: isatty(STDOUT_FILENO) == 1),
    stderr: OutputStream(fd: STDERR_FILENO, isTerminal: isatty(STDERR_FILENO) == 1),
    stdinIsTerminal: isatty(STDIN_FILENO) == 1,
    readStandardInput: { FileBytes.readAll(STDIN_FILENO) ?? [] },
    now: { Date() },
    makeTransport: { () throws(TransportError) -> Transport in try CurlTransport() }
)
exit(App.main(arguments: Array(CommandLine.arguments.dropFirst()), context: context))

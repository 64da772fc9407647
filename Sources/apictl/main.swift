import APICtlCLI
import APICtlCore
import FoundationEssentials
import Glibc

// The only place that touches process state: argv, the environment, the
// terminal and the clock are read here and handed down.
let environment = readEnvironment()
let context = CommandContext(
    environment: environment,
    stdout: OutputStream(fd: STDOUT_FILENO, isTerminal: isatty(STDOUT_FILENO) == 1),
    stderr: OutputStream(fd: STDERR_FILENO, isTerminal: isatty(STDERR_FILENO) == 1),
    stdinIsTerminal: isatty(STDIN_FILENO) == 1,
    readStandardInput: { FileBytes.readAll(STDIN_FILENO) ?? [] },
    now: { Date() },
    makeTransport: { () throws(TransportError) -> Transport in try CurlTransport() },
    standardInput: STDIN_FILENO,
    rawArguments: (1..<Int(CommandLine.argc)).compactMap { index in
        CommandLine.unsafeArgv[index].map { Array(UnsafeBufferPointer(start: UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self),
                                                                     count: strlen($0))) }
    },
    workingDirectory: currentDirectory(),
    readStandardInputUpTo: { limit in FileBytes.readAll(STDIN_FILENO, limit: limit) ?? [] }
)
let status = App.main(arguments: Array(CommandLine.arguments.dropFirst()), context: context)
// _exit, not exit: exit runs the destructors of the ~30 libraries libcurl loads
// (OpenSSL alone frees every name table it built), ~0.5 ms a run for nothing the
// kernel does not undo anyway. apictl writes with write(2), so no stdio buffer is
// pending; fflush covers any that ever is.
fflush(nil)
_exit(status)

/// Reads `environ` directly: the first use of ProcessInfo sets up much more than
/// the environment, a measurable part of a request's start-up. A name set twice
/// keeps its first value, as getenv(3) does.
func readEnvironment() -> [String: String] {
    guard let table = Optional(environ) else { return [:] }
    var count = 0
    while table[count] != nil { count += 1 }
    // Sized once, and each name and value decoded straight from the C string:
    // growing the table and splitting an intermediate String cost ~0.1 ms a run.
    var variables = [String: String](minimumCapacity: count)
    for index in 0..<count {
        guard let entry = table[index] else { break }
        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(entry).assumingMemoryBound(to: UInt8.self), count: strlen(entry))
        guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { continue }
        let name = String(decoding: bytes[..<equals], as: UTF8.self)
        if variables[name] == nil {
            variables[name] = String(decoding: bytes[(equals + 1)...], as: UTF8.self)
        }
    }
    return variables
}

/// Where `.apictl.toml` is looked for; nil when the directory is gone or unreadable.
func currentDirectory() -> String? {
    guard let path = getcwd(nil, 0) else { return nil }
    defer { free(path) }
    return String(cString: path)
}

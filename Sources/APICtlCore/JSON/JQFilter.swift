import CJQ
import FoundationEssentials
import Glibc

/// A `--jq` filter in jq's own language, run by jq 1.8 (Sources/CJQ) in this process. Compiled once, before any request is sent, so a typo costs
/// nothing; run on each document given. Hermetic: a filter reads no file (`~/.jq` is never
/// loaded, `import` and `include` are refused), and running out of memory or time ends it
/// with an error, never an abort.
public final class JQFilter {
    /// One result, valid only during the call that hands it over: a string's raw text (printed
    /// as `jq -r` prints it), or any other value as JSON.
    public enum Output {
        case string(UnsafeRawBufferPointer)
        case json(UnsafeRawBufferPointer)
    }

    private let compiled: OpaquePointer
    /// "NAME=value" C strings for `$ENV` and `env`, alive as long as the filter (jq keeps the pointers).
    private let environment: [UnsafeMutablePointer<CChar>?]

    /// Longer than anything people write on a command line. jq's compiler recurses over the
    /// filter's terms and slows quadratically: `.+.+…` tens of kilobytes long would take
    /// seconds and could overflow the stack before any check could stop it.
    public static let longestProgram = 8 * 1024

    /// A filter that does not compile (or loads a module, or is longer than `longestProgram`)
    /// is exit 2 with jq's own message.
    /// `environment` is what the filter's `$ENV` and `env` see: the variables a child process
    /// would get, so no secret apictl holds is there for a filter to print.
    public init(_ program: String, environment: [String: String]) throws(APICtlError) {
        var message = [CChar](repeating: 0, count: 1024)
        let utf8 = Array(program.utf8)
        guard utf8.count <= Self.longestProgram else {
            throw APICtlError(.usage, "--jq filter is \(utf8.count) bytes, more than the \(Self.longestProgram / 1024) KiB apictl compiles",
                              hint: "pipe the output to jq -f FILE for a filter that long")
        }
        let variables = environment.sorted { $0.key < $1.key }.map { strdup($0.key + "=" + $0.value) } + [nil]
        let compiled = utf8.withUnsafeBufferPointer { text in
            text.withMemoryRebound(to: CChar.self) { program in
                variables.withUnsafeBufferPointer { cjq_compile(program.baseAddress, program.count, $0.baseAddress, &message, message.count) }
            }
        }
        guard let compiled else {
            for variable in variables { free(variable) }
            throw APICtlError(.usage, "--jq filter does not compile: \(Self.text(message))")
        }
        self.compiled = compiled
        self.environment = variables
    }

    deinit {
        cjq_free(compiled)
        for variable in environment { free(variable) }
    }

    /// Runs the filter on one JSON document, handing each result to `emit` as it comes.
    /// `pretty`: JSON results indented as jq prints them; else compact. A run-time error (or
    /// input that is not JSON) is exit 11, one line; so is running out of memory. With a
    /// `deadline` (`--timeout`), a filter still running then ends the process with exit 8.
    /// `stopped` is asked after each result: true ends the filter there (the reader is gone).
    public func run(_ document: UnsafeRawBufferPointer, pretty: Bool, deadline: TimeInterval? = nil,
                    stopped: () -> Bool = { false }, emit: (Output) -> Void) throws(APICtlError) {
        if let deadline {
            let line = "apictl: gave up: the --jq filter was still running when --timeout ran out (raise --timeout or simplify the filter)"
            guard deadline > 0, cjq_watchdog_start(deadline, line, ExitCode.network.rawValue) == 0 else {
                throw APICtlError(.network, "gave up: --timeout was used up before the --jq filter could run", hint: "raise --timeout")
            }
        }
        defer { if deadline != nil { cjq_watchdog_cancel() } }
        var message = [CChar](repeating: 0, count: 1024)
        let status = withoutActuallyEscaping(emit) { emit in withoutActuallyEscaping(stopped) { stopped in
            let sink = Sink(emit, stopped: stopped)
            return withExtendedLifetime(sink) {
                cjq_run(compiled, document.baseAddress?.assumingMemoryBound(to: CChar.self), document.count, pretty ? 1 : 0,
                              { start, length, isString, context in
                                  guard let context else { return 1 }
                                  let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
                                  let bytes = UnsafeRawBufferPointer(start: start, count: start == nil ? 0 : length)
                                  sink.emit(isString != 0 ? .string(bytes) : .json(bytes))
                                  return sink.stopped() ? 1 : 0
                              }, Unmanaged.passUnretained(sink).toOpaque(), &message, message.count)
            }
        } }
        switch status {
        case Int32(CJQ_OK):
            return
        case Int32(CJQ_OUT_OF_MEMORY):
            throw APICtlError(.filterFailed, "--jq: out of memory running the filter", hint: "filter a smaller part, or pipe the body to jq")
        default:
            throw APICtlError(.filterFailed, "--jq: \(Self.text(message))")
        }
    }

    /// Tells a watchdog or an abort that ends the process inside jq to put the terminal back
    /// on stdout and wait for the pager first (`terminal` -1 and `pager` 0: there is none).
    public static func beforeExit(restoring terminal: Int32, waitingFor pager: Int32) {
        cjq_before_exit(terminal, pager)
    }

    /// `run` on a document held in an array.
    public func run(_ document: [UInt8], pretty: Bool, deadline: TimeInterval? = nil, emit: (Output) -> Void) throws(APICtlError) {
        var failure: APICtlError?
        document.withUnsafeBytes { bytes in
            do throws(APICtlError) { try run(bytes, pretty: pretty, deadline: deadline, emit: emit) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Carries `emit` and `stopped` through jq's C callback.
    private final class Sink {
        let emit: (Output) -> Void
        let stopped: () -> Bool
        init(_ emit: @escaping (Output) -> Void, stopped: @escaping () -> Bool) {
            self.emit = emit
            self.stopped = stopped
        }
    }

    private static func text(_ message: [CChar]) -> String {
        let bytes = message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasPrefix("jq: error: ") { text.removeFirst(11) }
        // One line: jq's compile messages end with the filter echoed on lines of their own,
        // announced by a colon that then has nothing after it.
        var line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        while line.hasSuffix(":") || line.hasSuffix(" ") { line.removeLast() }
        return line.replacingAll(" at <top-level>,", with: " at")
    }
}

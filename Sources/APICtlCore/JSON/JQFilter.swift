import CLibJQ

/// A `--jq` filter in jq's own language, run by libjq in this process. Compiled once,
/// before any request is sent, so a typo costs nothing; run on each document given.
public final class JQFilter {
    /// One result: a string's raw text (printed as `jq -r` prints it), or any other value as JSON.
    public enum Output {
        case string([UInt8])
        case json([UInt8])
    }

    private let compiled: OpaquePointer

    /// A filter that does not compile is exit 2 with jq's own message.
    public init(_ program: String) throws(APICtlError) {
        if let failure = apictl_jq_load() { throw APICtlError(.usage, "--jq needs libjq: \(String(cString: failure))") }
        var message = [CChar](repeating: 0, count: 512)
        guard let compiled = apictl_jq_compile(program, &message, message.count) else {
            throw APICtlError(.usage, "--jq filter does not compile: \(Self.text(message))")
        }
        self.compiled = compiled
    }

    deinit { apictl_jq_free(compiled) }

    /// Runs the filter on one JSON document, handing each result to `emit` as it comes.
    /// `pretty`: JSON results indented as jq prints them; else compact.
    /// A run-time error (or input that is not JSON) is exit 11, one line.
    public func run(_ document: [UInt8], pretty: Bool, emit: (Output) -> Void) throws(APICtlError) {
        var message = [CChar](repeating: 0, count: 512)
        let status = withoutActuallyEscaping(emit) { emit in
            let sink = Sink(emit)
            return withExtendedLifetime(sink) {
                document.withUnsafeBytes { bytes in
                    apictl_jq_run(compiled, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count, pretty ? 1 : 0,
                                  { start, length, isString, context in
                                      guard let context else { return }
                                      let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
                                      let bytes = start.map { Array(UnsafeRawBufferPointer(start: $0, count: length)) } ?? []
                                      sink.emit(isString != 0 ? .string(bytes) : .json(bytes))
                                  }, Unmanaged.passUnretained(sink).toOpaque(), &message, message.count)
                }
            }
        }
        if status != 0 { throw APICtlError(.filterFailed, "--jq: \(Self.text(message))") }
    }

    /// Carries `emit` through libjq's C callback.
    private final class Sink {
        let emit: (Output) -> Void
        init(_ emit: @escaping (Output) -> Void) { self.emit = emit }
    }

    private static func text(_ message: [CChar]) -> String {
        let bytes = message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasPrefix("jq: error: ") { text.removeFirst(11) }
        // One line: jq's compile messages end with the filter echoed on lines of their own.
        return text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
    }
}

import Glibc

/// Reads a descriptor one line at a time, holding one buffer and one line: input of any
/// length (a pipe of 100,000 requests) keeps memory flat. A line longer than `longest` is
/// not held: it is skipped to its end and reported by its length.
public final class LineReader {
    public enum Line {
        case text([UInt8])
        case tooLong(Int)
    }

    private let fd: Int32
    private let longest: Int
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var atEOF = false
    /// errno of a failed read, after which there are no more lines.
    public private(set) var failure: Int32?

    public static let longestLine = 16 << 20

    public init(fd: Int32, longest: Int = LineReader.longestLine) {
        self.fd = fd
        self.longest = longest
        buffer = [UInt8](repeating: 0, count: 64 << 10)
    }

    /// The next line without its "\n" (or "\r\n"), or nil at the end of the input.
    public func next() -> Line? {
        var line: [UInt8] = []
        var length = 0
        while true {
            if let newline = buffer[start..<end].firstIndex(of: 0x0A) {
                length += newline - start
                if length <= longest { line += buffer[start..<newline] }
                start = newline + 1
                return finished(line, length: length)
            }
            length += end - start
            if length <= longest { line += buffer[start..<end] } else { line = [] }
            start = 0
            end = 0
            if atEOF || !fill() { return length > 0 ? finished(line, length: length) : nil }
        }
    }

    private func finished(_ line: [UInt8], length: Int) -> Line {
        guard length <= longest else { return .tooLong(length) }
        return .text(line.last == 0x0D ? Array(line.dropLast()) : line)
    }

    /// Reads more into the (empty) buffer; false at the end of the input or on an error.
    private func fill() -> Bool {
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 { end = count; return true }
            if count == 0 { atEOF = true; return false }
            if errno == EINTR { continue }
            failure = errno
            atEOF = true
            return false
        }
    }
}

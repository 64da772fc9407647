/// Re-indents JSON text byte by byte, keeping key order and number spelling
/// exactly as sent (a parse-and-reserialise would reorder keys and reformat
/// numbers). Returns nil when the input is not one valid JSON value, so the
/// caller can print it untouched.
public struct JSONPrettyPrinter: Sendable {
    public struct Palette: Sendable {
        var key = "", string = "", number = "", literal = "", punctuation = "", reset = ""
        public static let none = Palette()
        /// jq's colours: keys blue, strings green, numbers and literals default/bold.
        public static let ansi = Palette(key: "\u{1B}[34;1m", string: "\u{1B}[32m", number: "\u{1B}[0m",
                                         literal: "\u{1B}[33m", punctuation: "\u{1B}[1;39m", reset: "\u{1B}[0m")
    }

    let palette: Palette
    let indentWidth: Int

    public init(color: Bool, indent: Int = 2) {
        palette = color ? .ansi : .none
        indentWidth = indent
    }

    public func format(_ input: [UInt8]) -> [UInt8]? {
        var reader = JSONLexer(bytes: input)
        var out: [UInt8] = []
        out.reserveCapacity(input.count * 2)
        reader.space()
        guard value(&reader, &out, depth: 0) else { return nil }
        reader.space()
        guard reader.atEnd else { return nil }
        out.append(0x0A)
        return out
    }

    private func value(_ r: inout JSONLexer, _ out: inout [UInt8], depth: Int) -> Bool {
        guard depth < JSONLexer.maximumDepth, let byte = r.peek else { return false }
        switch byte {
        case UInt8(ascii: "{"): return container(&r, &out, depth: depth, close: UInt8(ascii: "}"), keyed: true)
        case UInt8(ascii: "["): return container(&r, &out, depth: depth, close: UInt8(ascii: "]"), keyed: false)
        case UInt8(ascii: "\""):
            guard let s = r.string() else { return false }
            emit(&out, palette.string, r.bytes[s])
            return true
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            let start = r.index
            guard r.literal("true") || r.literal("false") || r.literal("null") else { return false }
            emit(&out, palette.literal, r.bytes[start..<r.index])
            return true
        default:
            guard let n = r.number() else { return false }
            emit(&out, palette.number, r.bytes[n])
            return true
        }
    }

    private func container(_ r: inout JSONLexer, _ out: inout [UInt8], depth: Int, close: UInt8, keyed: Bool) -> Bool {
        emit(&out, palette.punctuation, r.bytes[r.index...r.index])
        r.index += 1
        r.space()
        if r.take(close) {
            emit(&out, palette.punctuation, [close])
            return true
        }
        while true {
            out.append(0x0A)
            indent(&out, depth + 1)
            r.space()
            if keyed {
                guard let key = r.string() else { return false }
                emit(&out, palette.key, r.bytes[key])
                r.space()
                guard r.take(UInt8(ascii: ":")) else { return false }
                emit(&out, palette.punctuation, [UInt8(ascii: ":")])
                out.append(0x20)
                r.space()
            }
            guard value(&r, &out, depth: depth + 1) else { return false }
            r.space()
            guard let next = r.peek else { return false }
            r.index += 1
            if next == UInt8(ascii: ",") {
                emit(&out, palette.punctuation, [next])
                continue
            }
            guard next == close else { return false }
            out.append(0x0A)
            indent(&out, depth)
            emit(&out, palette.punctuation, [close])
            return true
        }
    }

    private func emit(_ out: inout [UInt8], _ color: String, _ bytes: some Collection<UInt8>) {
        if color.isEmpty {
            out.append(contentsOf: bytes)
        } else {
            out.append(contentsOf: color.utf8)
            out.append(contentsOf: bytes)
            out.append(contentsOf: palette.reset.utf8)
        }
    }

    private func indent(_ out: inout [UInt8], _ depth: Int) {
        out.append(contentsOf: repeatElement(0x20, count: depth * indentWidth))
    }
}

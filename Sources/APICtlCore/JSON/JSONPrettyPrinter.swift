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
        var reader = Reader(bytes: input)
        var out: [UInt8] = []
        out.reserveCapacity(input.count * 2)
        reader.skipSpace()
        guard value(&reader, &out, depth: 0) else { return nil }
        reader.skipSpace()
        guard reader.atEnd else { return nil }
        out.append(0x0A)
        return out
    }

    private func value(_ r: inout Reader, _ out: inout [UInt8], depth: Int) -> Bool {
        guard depth < 512, let byte = r.peek else { return false }
        switch byte {
        case UInt8(ascii: "{"): return container(&r, &out, depth: depth, close: UInt8(ascii: "}"), keyed: true)
        case UInt8(ascii: "["): return container(&r, &out, depth: depth, close: UInt8(ascii: "]"), keyed: false)
        case UInt8(ascii: "\""):
            guard let s = r.string() else { return false }
            emit(&out, palette.string, s)
            return true
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            for word in ["true", "false", "null"] where r.consume(word) {
                emit(&out, palette.literal, Array(word.utf8))
                return true
            }
            return false
        default:
            guard let n = r.number() else { return false }
            emit(&out, palette.number, n)
            return true
        }
    }

    private func container(_ r: inout Reader, _ out: inout [UInt8], depth: Int, close: UInt8, keyed: Bool) -> Bool {
        emit(&out, palette.punctuation, [r.next()])
        r.skipSpace()
        if r.peek == close {
            r.advance()
            emit(&out, palette.punctuation, [close])
            return true
        }
        while true {
            out.append(0x0A)
            indent(&out, depth + 1)
            r.skipSpace()
            if keyed {
                guard r.peek == UInt8(ascii: "\""), let key = r.string() else { return false }
                emit(&out, palette.key, key)
                r.skipSpace()
                guard r.peek == UInt8(ascii: ":") else { return false }
                r.advance()
                emit(&out, palette.punctuation, [UInt8(ascii: ":")])
                out.append(0x20)
                r.skipSpace()
            }
            guard value(&r, &out, depth: depth + 1) else { return false }
            r.skipSpace()
            guard let next = r.peek else { return false }
            r.advance()
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

    private func emit(_ out: inout [UInt8], _ color: String, _ bytes: [UInt8]) {
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

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index >= bytes.count }
        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }
        mutating func advance() { index += 1 }
        mutating func next() -> UInt8 { defer { index += 1 }; return bytes[index] }

        mutating func skipSpace() {
            while let b = peek, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { index += 1 }
        }

        mutating func consume(_ word: String) -> Bool {
            let w = Array(word.utf8)
            guard index + w.count <= bytes.count, Array(bytes[index..<index + w.count]) == w else { return false }
            index += w.count
            return true
        }

        /// A string token with its quotes, validated for escapes and control bytes.
        mutating func string() -> [UInt8]? {
            let start = index
            index += 1
            while let b = peek {
                index += 1
                if b == UInt8(ascii: "\"") { return Array(bytes[start..<index]) }
                if b < 0x20 { return nil }
                if b == UInt8(ascii: "\\") {
                    guard let e = peek else { return nil }
                    index += 1
                    if e == UInt8(ascii: "u") {
                        guard index + 4 <= bytes.count, bytes[index..<index + 4].allSatisfy(\.isHexDigit) else { return nil }
                        index += 4
                    } else if !"\"\\/bfnrt".utf8.contains(e) {
                        return nil
                    }
                }
            }
            return nil
        }

        mutating func number() -> [UInt8]? {
            let start = index
            if peek == UInt8(ascii: "-") { index += 1 }
            guard let first = peek, first.isDigit else { return nil }
            if first == UInt8(ascii: "0") { index += 1 } else { while peek?.isDigit == true { index += 1 } }
            if peek == UInt8(ascii: ".") {
                index += 1
                guard peek?.isDigit == true else { return nil }
                while peek?.isDigit == true { index += 1 }
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                index += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
                guard peek?.isDigit == true else { return nil }
                while peek?.isDigit == true { index += 1 }
            }
            return Array(bytes[start..<index])
        }
    }
}

private extension UInt8 {
    var isDigit: Bool { self >= 0x30 && self <= 0x39 }
    var isHexDigit: Bool { isDigit || (self >= 0x41 && self <= 0x46) || (self >= 0x61 && self <= 0x66) }
}

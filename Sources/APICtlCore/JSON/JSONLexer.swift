/// The one JSON lexer (RFC 8259, strict): values are parsed into `JSONValue`,
/// re-indented byte by byte for the terminal, and found by pointer for
/// pagination, all through these scans, so a document that one of them takes
/// as JSON every other one takes too.
struct JSONLexer {
    /// Deeper documents are refused rather than risking the stack on hostile input.
    static let maximumDepth = 512

    let bytes: [UInt8]
    var index: Int

    init(bytes: [UInt8], index: Int = 0) {
        self.bytes = bytes
        self.index = index
    }

    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }
    var atEnd: Bool { index >= bytes.count }

    mutating func space() {
        while let b = peek, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { index += 1 }
    }

    /// Consumes `byte` when it is next.
    mutating func take(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        index += count
        return true
    }

    /// A string token, quotes included: escapes well formed, no raw control bytes.
    mutating func string() -> Range<Int>? {
        let start = index
        guard take(UInt8(ascii: "\"")) else { return nil }
        while let b = peek {
            index += 1
            switch b {
            case UInt8(ascii: "\""):
                return start..<index
            case UInt8(ascii: "\\"):
                guard let escaped = peek else { return nil }
                index += 1
                if escaped == UInt8(ascii: "u") {
                    guard index + 4 <= bytes.count, bytes[index..<index + 4].allSatisfy({ hexDigitValue($0) != nil }) else { return nil }
                    index += 4
                } else if !"\"\\/bfnrt".utf8.contains(escaped) {
                    return nil
                }
            case 0..<0x20:
                return nil
            case 0x80...:
                // JSON is UTF-8 (RFC 8259 §8.1): a truncated, overlong or surrogate sequence is not text.
                guard let length = Self.utf8SequenceLength(bytes, at: index - 1) else { return nil }
                index += length - 1
            default:
                continue
            }
        }
        return nil
    }

    /// The length of the well-formed UTF-8 sequence starting at `start` (Unicode's table 3-7), or nil.
    static func utf8SequenceLength(_ bytes: [UInt8], at start: Int) -> Int? {
        let lead = bytes[start]
        let length: Int, second: ClosedRange<UInt8>
        switch lead {
        case 0xC2...0xDF: (length, second) = (2, 0x80...0xBF)
        case 0xE0: (length, second) = (3, 0xA0...0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (length, second) = (3, 0x80...0xBF)
        case 0xED: (length, second) = (3, 0x80...0x9F)
        case 0xF0: (length, second) = (4, 0x90...0xBF)
        case 0xF1...0xF3: (length, second) = (4, 0x80...0xBF)
        case 0xF4: (length, second) = (4, 0x80...0x8F)
        default: return nil
        }
        guard start + length <= bytes.count, second.contains(bytes[start + 1]) else { return nil }
        for offset in 2..<length where !(0x80...0xBF).contains(bytes[start + offset]) { return nil }
        return length
    }

    /// A number token as written.
    mutating func number() -> Range<Int>? {
        let start = index
        _ = take(UInt8(ascii: "-"))
        guard let first = peek, Self.isDigit(first) else { return nil }
        index += 1
        if first != UInt8(ascii: "0") { digits() }
        if take(UInt8(ascii: ".")) {
            guard let d = peek, Self.isDigit(d) else { return nil }
            digits()
        }
        if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
            if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
            guard let d = peek, Self.isDigit(d) else { return nil }
            digits()
        }
        return start..<index
    }

    /// Steps over one whole value, checking it as strictly as `JSONParser` would.
    mutating func skipValue(depth: Int = 0) -> Bool {
        space()
        guard let b = peek else { return false }
        switch b {
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth < Self.maximumDepth else { return false }
            let keyed = b == UInt8(ascii: "{")
            let close = keyed ? UInt8(ascii: "}") : UInt8(ascii: "]")
            index += 1
            space()
            if take(close) { return true }
            while true {
                space()
                if keyed {
                    guard string() != nil else { return false }
                    space()
                    guard take(UInt8(ascii: ":")) else { return false }
                }
                guard skipValue(depth: depth + 1) else { return false }
                space()
                if take(close) { return true }
                guard take(UInt8(ascii: ",")) else { return false }
            }
        default:
            return number() != nil
        }
    }

    /// The text of a string token (as `string()` returned it), escapes decoded; nil when not UTF-8.
    func decodedString(_ token: Range<Int>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(token.count)
        var i = token.lowerBound + 1
        let end = token.upperBound - 1
        while i < end {
            let b = bytes[i]
            i += 1
            guard b == UInt8(ascii: "\\") else { out.append(b); continue }
            let escaped = bytes[i]
            i += 1
            switch escaped {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var high = hex4(at: i)
                i += 4
                // A UTF-16 surrogate pair is one scalar; a lone surrogate is not text.
                if (0xD800..<0xDC00).contains(high) {
                    guard i + 6 <= end, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else { return nil }
                    let low = hex4(at: i + 2)
                    guard (0xDC00..<0xE000).contains(low) else { return nil }
                    high = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                guard let scalar = Unicode.Scalar(high) else { return nil }
                UTF8.encode(scalar) { out.append($0) }
            default:
                out.append(escaped)
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    private func hex4(at position: Int) -> UInt32 {
        bytes[position..<position + 4].reduce(0) { $0 << 4 | UInt32(hexDigitValue($1) ?? 0) }
    }

    private mutating func digits() {
        while let b = peek, Self.isDigit(b) { index += 1 }
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
}

extension JSONValue {
    /// What is wrong with bytes that do not parse, in words for an error line:
    /// "nested deeper than 512 levels" for a document too deep to parse safely.
    public static func problem(with bytes: some Collection<UInt8>) -> String {
        var depth = 0, deepest = 0, inString = false, escaped = false
        for b in bytes {
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
            } else if b == UInt8(ascii: "\"") {
                inString = true
            } else if b == UInt8(ascii: "[") || b == UInt8(ascii: "{") {
                depth += 1
                deepest = max(deepest, depth)
            } else if b == UInt8(ascii: "]") || b == UInt8(ascii: "}") {
                depth -= 1
            }
        }
        return deepest > JSONLexer.maximumDepth ? "nested deeper than \(JSONLexer.maximumDepth) levels" : "not valid JSON"
    }
}

import FoundationEssentials

/// Finds values inside JSON text by JSON pointer (RFC 6901) and returns their
/// exact bytes, so paginated items are passed on as the server wrote them.
public enum RawJSON {
    /// Byte ranges of the elements of the array at `pointer` ("" or nil: the root).
    public static func elements(_ bytes: [UInt8], at pointer: String?) -> [Range<Int>]? {
        var lexer = JSONLexer(bytes: bytes)
        guard let tokens = JSONPointer.tokens(pointer ?? ""), let range = lexer.find(tokens),
              bytes[range.lowerBound] == UInt8(ascii: "[") else { return nil }
        var inner = JSONLexer(bytes: bytes, index: range.lowerBound + 1)
        var out: [Range<Int>] = []
        inner.space()
        if inner.peek == UInt8(ascii: "]") { return [] }
        while true {
            inner.space()
            let start = inner.index
            guard inner.skipValue() else { return nil }
            out.append(start..<inner.index)
            inner.space()
            guard let next = inner.peek else { return nil }
            inner.index += 1
            if next == UInt8(ascii: "]") { return out }
            guard next == UInt8(ascii: ",") else { return nil }
        }
    }

    /// The value at `pointer` as text: a string unquoted, a number as written; nil for null or absent.
    public static func scalar(_ bytes: [UInt8], at pointer: String) -> String? {
        var lexer = JSONLexer(bytes: bytes)
        guard let tokens = JSONPointer.tokens(pointer), let range = lexer.find(tokens) else { return nil }
        let text = Array(bytes[range])
        if text.first == UInt8(ascii: "\"") {
            return JSONValue(parsing: text)?.stringValue
        }
        let word = String(decoding: text, as: UTF8.self)
        return word == "null" || word.hasPrefix("{") || word.hasPrefix("[") ? nil : word
    }
}

extension JSONLexer {
    /// The range of the value the pointer's tokens lead to, from the current position.
    mutating func find(_ tokens: [String]) -> Range<Int>? {
        space()
        let start = index
        guard let token = tokens.first else {
            guard skipValue() else { return nil }
            return start..<index
        }
        if take(UInt8(ascii: "{")) {
            while true {
                space()
                guard let keyToken = string() else { return nil }
                space()
                guard take(UInt8(ascii: ":")) else { return nil }
                if decodedString(keyToken) == token { return find(Array(tokens.dropFirst())) }
                guard skipValue() else { return nil }
                space()
                guard take(UInt8(ascii: ",")) else { return nil }
            }
        }
        if peek == UInt8(ascii: "["), let wanted = Int(token) {
            index += 1
            var position = 0
            while true {
                space()
                if peek == UInt8(ascii: "]") { return nil }
                if position == wanted { return find(Array(tokens.dropFirst())) }
                guard skipValue() else { return nil }
                space()
                guard take(UInt8(ascii: ",")) else { return nil }
                position += 1
            }
        }
        return nil
    }
}

extension RawJSON {
    /// The same JSON on one line: whitespace outside strings removed (for --ndjson).
    public static func minified(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var inString = false, escaped = false
        for b in bytes {
            if inString {
                out.append(b)
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
            } else if b == UInt8(ascii: "\"") {
                inString = true
                out.append(b)
            } else if b != 0x20 && b != 0x0A && b != 0x0D && b != 0x09 {
                out.append(b)
            }
        }
        return out
    }
}

extension RawJSON {
    /// True when `bytes` are one JSON document (whitespace around it allowed), checked without building it.
    public static func isDocument(_ bytes: [UInt8]) -> Bool {
        var lexer = JSONLexer(bytes: bytes)
        lexer.space()
        guard lexer.skipValue() else { return false }
        lexer.space()
        return lexer.atEnd
    }
}

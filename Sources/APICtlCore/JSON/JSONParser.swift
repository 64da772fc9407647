/// Builds a `JSONValue` from bytes through the one strict lexer: a response
/// that is not JSON must be told apart from one that is, so nothing is guessed
/// or repaired.
struct JSONParser {
    static var maximumDepth: Int { JSONLexer.maximumDepth }

    var lexer: JSONLexer

    init(bytes: [UInt8]) { lexer = JSONLexer(bytes: bytes) }

    mutating func document() -> JSONValue? {
        guard let value = value(depth: 0) else { return nil }
        lexer.space()
        return lexer.atEnd ? value : nil
    }

    private mutating func value(depth: Int) -> JSONValue? {
        lexer.space()
        guard let b = lexer.peek else { return nil }
        switch b {
        case UInt8(ascii: "{"): return object(depth: depth)
        case UInt8(ascii: "["): return array(depth: depth)
        case UInt8(ascii: "\""): return string().map(JSONValue.string)
        case UInt8(ascii: "t"): return lexer.literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return lexer.literal("false") ? .bool(false) : nil
        case UInt8(ascii: "n"): return lexer.literal("null") ? .null : nil
        default: return lexer.number().map { .number(String(decoding: lexer.bytes[$0], as: UTF8.self)) }
        }
    }

    private mutating func string() -> String? {
        lexer.string().flatMap { lexer.decodedString($0) }
    }

    private mutating func object(depth: Int) -> JSONValue? {
        guard depth < Self.maximumDepth else { return nil }
        _ = lexer.take(UInt8(ascii: "{"))
        var members: [String: JSONValue] = [:]
        lexer.space()
        if lexer.take(UInt8(ascii: "}")) { return .object(members) }
        while true {
            lexer.space()
            guard let key = string() else { return nil }
            lexer.space()
            guard lexer.take(UInt8(ascii: ":")), let member = value(depth: depth + 1) else { return nil }
            members[key] = member
            lexer.space()
            if lexer.take(UInt8(ascii: "}")) { return .object(members) }
            guard lexer.take(UInt8(ascii: ",")) else { return nil }
        }
    }

    private mutating func array(depth: Int) -> JSONValue? {
        guard depth < Self.maximumDepth else { return nil }
        _ = lexer.take(UInt8(ascii: "["))
        var items: [JSONValue] = []
        lexer.space()
        if lexer.take(UInt8(ascii: "]")) { return .array(items) }
        while true {
            guard let item = value(depth: depth + 1) else { return nil }
            items.append(item)
            lexer.space()
            if lexer.take(UInt8(ascii: "]")) { return .array(items) }
            guard lexer.take(UInt8(ascii: ",")) else { return nil }
        }
    }
}

/// A parsed JSON document. apictl parses JSON itself rather than through
/// Foundation's JSONSerialization, which would link all of Foundation and ICU
/// into the binary and slow every start-up (see docs/development.md).
/// Numbers keep the text the server wrote, so nothing is rounded on the way through.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Later duplicate keys win, as in most parsers.
    case object([String: JSONValue])

    /// The whole input as one JSON value (any kind at the top); nil when it is not valid JSON.
    public init?(parsing bytes: some Collection<UInt8>) {
        var parser = JSONParser(bytes: Array(bytes))
        guard let value = parser.document() else { return nil }
        self = value
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var doubleValue: Double? {
        if case .number(let text) = self { return Double(text) }
        return nil
    }

    /// A non-empty string, or a number as the server wrote it: how an id or code reads in a message.
    public var text: String? {
        switch self {
        case .string(let s) where !s.isEmpty: return s
        case .number(let n): return n
        default: return nil
        }
    }

    /// The array's items when every one is a string.
    public var stringArray: [String]? {
        guard case .array(let items) = self else { return nil }
        var out: [String] = []
        for item in items {
            guard case .string(let s) = item else { return nil }
            out.append(s)
        }
        return out
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
}

extension JSONValue {
    /// nil becomes JSON null: the optional fields of `--json` output stay visible as keys.
    public init(_ text: String?) { self = text.map(JSONValue.string) ?? .null }
    public init(_ number: Int?) { self = number.map { .number(String($0)) } ?? .null }
    public init(_ strings: [String]) { self = .array(strings.map(JSONValue.string)) }
}

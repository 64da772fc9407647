extension JSONValue {
    /// Indented two spaces with keys sorted, so `--json` output diffs calmly between runs.
    public func rendered() -> String {
        var out = ""
        render(into: &out, indent: "")
        return out
    }

    private func render(into out: inout String, indent: String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): out += Self.quoted(s)
        case .array(let items):
            guard !items.isEmpty else { out += "[]"; return }
            let inner = indent + "  "
            out += "[\n"
            for (position, item) in items.enumerated() {
                out += inner
                item.render(into: &out, indent: inner)
                out += position == items.count - 1 ? "\n" : ",\n"
            }
            out += indent + "]"
        case .object(let members):
            guard !members.isEmpty else { out += "{}"; return }
            let inner = indent + "  "
            let keys = members.keys.sorted()
            out += "{\n"
            for (position, key) in keys.enumerated() {
                out += inner + Self.quoted(key) + ": "
                members[key]?.render(into: &out, indent: inner)
                out += position == keys.count - 1 ? "\n" : ",\n"
            }
            out += indent + "}"
        }
    }

    /// A JSON string literal for `text`; "/" and non-ASCII are left as they are.
    public static func quoted(_ text: String) -> String {
        let needsEscape = text.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        guard needsEscape else { return "\"" + text + "\"" }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

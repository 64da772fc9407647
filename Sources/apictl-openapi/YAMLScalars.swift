/// How a YAML scalar becomes a JSON value: by YAML 1.2's core schema, where YAML 1.1 readers
/// differ (`yes` and `0x1p3` are text, `0o17` is 15). libyaml leaves typing to its caller.
extension YAMLAsJSON {
    /// A scalar's JSON when it is not text: as its tag says (`!!int`, `!!bool`; `!` and `!!str`
    /// are text), else a plain one as YAML 1.2's core schema reads it; a quoted one is text.
    static func typed(_ text: String, tag: String?, isPlain: Bool) -> String? {
        switch tag {
        case "!", "tag:yaml.org,2002:str": return nil
        case "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float": return literal(text)
        default: return isPlain ? literal(text) : nil
        }
    }

    /// A scalar's JSON: its typed form, or text as a string.
    static func appendScalar(_ text: String, typed: String?, to out: inout [UInt8]) {
        if let typed { out += typed.utf8 } else { appendString(text, to: &out) }
    }

    /// A plain scalar's JSON when YAML 1.2's core schema reads it as null, a boolean or a
    /// number; nil for text (`0x1p3`, `-0x10`, `.inf`, `2024-01-01`).
    static func literal(_ text: String) -> String? {
        switch text {
        case "null", "Null", "NULL", "~", "": return "null"
        case "true", "True", "TRUE": return "true"
        case "false", "False", "FALSE": return "false"
        default:
            // Most scalars are words: only one that begins as a number can be one.
            guard let first = text.utf8.first, (0x30...0x39).contains(first) || "+-.".utf8.contains(first) else { return nil }
            return integer(Substring(text).utf8) ?? float(Substring(text).utf8)
        }
    }

    /// `[-+]?[0-9]+` as JSON's digits, however many (exactly, not through a Double); `0o17` and
    /// `0x1F` in decimal.
    private static func integer(_ text: Substring.UTF8View) -> String? {
        let isDigit = { (byte: UInt8) in (0x30...0x39).contains(byte) }
        if text.count > 2, text.first == 0x30, let radix = [UInt8(ascii: "o"): 8, UInt8(ascii: "x"): 16][text.dropFirst().first ?? 0] {
            let digits = String(decoding: text.dropFirst(2), as: UTF8.self)
            guard digits.allSatisfy(\.isHexDigit) else { return nil }
            return Int(digits, radix: radix).map(String.init)
        }
        let negative = text.first == UInt8(ascii: "-")
        let digits = negative || text.first == UInt8(ascii: "+") ? text.dropFirst() : text
        guard !digits.isEmpty, digits.allSatisfy(isDigit) else { return nil }
        let significant = digits.drop { $0 == 0x30 }
        return (negative ? "-" : "") + (significant.isEmpty ? "0" : String(decoding: significant, as: UTF8.self))
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` as a JSON number.
    private static func float(_ text: Substring.UTF8View) -> String? {
        var rest = text
        func digits() -> Int {
            let count = rest.prefix { (0x30...0x39).contains($0) }.count
            rest = rest.dropFirst(count)
            return count
        }
        if rest.first == UInt8(ascii: "-") || rest.first == UInt8(ascii: "+") { rest = rest.dropFirst() }
        let whole = digits()
        var fraction = 0
        if rest.first == UInt8(ascii: ".") {
            rest = rest.dropFirst()
            fraction = digits()
        }
        guard whole > 0 || fraction > 0 else { return nil }
        if rest.first == UInt8(ascii: "e") || rest.first == UInt8(ascii: "E") {
            rest = rest.dropFirst()
            if rest.first == UInt8(ascii: "-") || rest.first == UInt8(ascii: "+") { rest = rest.dropFirst() }
            guard digits() > 0 else { return nil }
        }
        guard rest.isEmpty, let number = Double(Substring(text)), number.isFinite else { return nil }
        return "\(number)"
    }
}

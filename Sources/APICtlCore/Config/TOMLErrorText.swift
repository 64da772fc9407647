/// toml++'s parse errors in plain words: "Error while parsing string: unescaped
/// control characters other than TAB (U+0009) are explicitly prohibited" is, to a
/// person editing a config file, "this string has no closing quote".
enum TOMLErrorText {
    /// The line (from 1) of the first `\u0000` escape: toml++ hands strings over as C strings,
    /// so "a\u0000b" would silently read as "a". nil when there is none.
    static func nulEscapeLine(in text: String) -> Int? {
        // containsText, not String.contains: that one builds generic metadata at run time, a
        // conformance scan that cost every command half a millisecond.
        guard text.containsText("\\u0000") || text.containsText("\\U00000000") else { return nil }
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex(where: { String($0).containsText("\\u0000") || String($0).containsText("\\U00000000") }).map { $0 + 1 }
    }

    static func plain(_ description: String) -> String {
        let lower = description.lowercased()
        let what = description.firstRange(of: "Error while parsing ").map { range -> String in
            let rest = description[range.upperBound...]
            return String(rest.prefix { $0 != ":" })
        } ?? ""
        let detail = description.firstRange(of: ": ").map { String(description[$0.upperBound...]) } ?? description
        if what.hasSuffix("string") && (lower.contains("control characters") || lower.contains("end-of-file")) {
            return "a string is not closed: put the closing quote before the end of the line"
        }
        if lower.contains("unknown escape sequence") {
            return "\(detail) in a string: write a backslash as \\\\, or use 'single quotes'"
        }
        if lower.contains("cannot redefine existing"), let name = quoted(description) {
            return what == "table header" ? "the table [\(name)] appears twice" : "'\(name)' is set twice"
        }
        if what == "table header" { return "a table header is not written as [name] or [a.b]" }
        if what == "key-value pair" && lower.contains("expected '='") { return "a key needs '=' and a value, as in key = \"value\"" }
        if what == "root table" { return "each line must be key = value, a [table] header or a # comment" }
        if what == "value" || what == "boolean" || what.contains("floating") || what == "integer" {
            return "this is not a TOML value: text needs quotes (key = \"text\"), true/false and numbers do not"
        }
        if what == "array" { return "an array is not closed with ']'" }
        if what == "inline table" { return "an inline table { ... } is not closed on its line" }
        return what.isEmpty ? description : "\(what): \(detail)"
    }

    private static func quoted(_ text: String) -> String? {
        guard let open = text.firstIndex(of: "'") else { return nil }
        let rest = text[text.index(after: open)...]
        guard let close = rest.lastIndex(of: "'") else { return nil }
        return String(rest[..<close])
    }
}

/// Text from elsewhere (argv, config values, servers' words, an API's description) as it
/// may be shown on a terminal: control characters escaped, so a CR or an ESC sequence can
/// neither split a line nor repaint the screen.
public enum TerminalText {
    public static func escapingControls(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isHidden) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where isHidden(scalar):
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Controls, and what a terminal shows as nothing or uses to reorder a line: format
    /// characters (U+202E right-to-left override, U+200B) and the line and paragraph separators.
    public static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    /// The first line of a description, at most `limit` characters (an ellipsis marks a cut).
    public static func summary(_ text: String, limit: Int) -> String {
        let line = (text.split(whereSeparator: \.isNewline).first.map(String.init) ?? "").trimmingSpaces()
        let shown = escapingControls(line)
        return shown.count > limit ? String(shown.prefix(limit - 1)) + "…" : shown
    }
}

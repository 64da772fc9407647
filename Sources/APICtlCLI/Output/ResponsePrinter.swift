import APICtlCore

/// Formats what `request` prints on stdout beyond the raw body.
enum ResponsePrinter {
    /// Bytes a terminal should not be handed: NUL, escape and other C0 controls (tab and line
    /// breaks aside), or text that is not UTF-8.
    static func isBinary(_ body: [UInt8]) -> Bool {
        body.contains { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D || $0 == 0x7F }
            || String(validating: body, as: UTF8.self) == nil
    }

    /// `text` with its control characters (C0 and C1, DEL; line breaks and tabs aside), bidi
    /// overrides and zero-width characters escaped
    /// as `TerminalText` escapes them; nil when it has none, so the common case copies nothing.
    static func terminalSafe(_ text: UnsafeRawBufferPointer) -> String? {
        let decoded = String(decoding: text, as: UTF8.self)
        // Controls, and what a terminal shows as nothing or uses to reorder a line (U+202E, U+200B).
        let unsafe = { (scalar: Unicode.Scalar) in TerminalText.isHidden(scalar) && scalar != "\n" && scalar != "\t" }
        guard decoded.unicodeScalars.contains(where: unsafe) else { return nil }
        return decoded.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in line.split(separator: "\t", omittingEmptySubsequences: false).map { TerminalText.escapingControls(String($0)) }
                .joined(separator: "\t") }
            .joined(separator: "\n")
    }

    /// JSON text for a terminal: DEL, C1 controls (U+0080-U+009F, which JSON leaves raw and some
    /// terminals act on) and what a terminal shows as nothing or uses to reorder a line (U+202E,
    /// U+200B, U+2028: `TerminalText.isHidden`) written as `\u` escapes. The same JSON, shown
    /// rather than acted on; ASCII-only text (the common case) is returned as it is.
    static func shownOnTerminal(_ json: [UInt8]) -> [UInt8] {
        guard json.contains(where: { $0 >= 0x7F }) else { return json }
        var out = ""
        out.reserveCapacity(json.count)
        for scalar in String(decoding: json, as: UTF8.self).unicodeScalars {
            guard scalar.value >= 0x7F, TerminalText.isHidden(scalar) else { out.unicodeScalars.append(scalar); continue }
            for unit in String(scalar).utf16 { out += "\\u" + String(unit, radix: 16).leftPadded(to: 4) }
        }
        return Array(out.utf8)
    }

    /// `--jq`: each result on a line of its own, strings raw as `jq -r` prints them, other
    /// values as JSON (coloured like a body on a terminal, indented as jq does when piped).
    /// Results go out as jq hands them over, never copied, unless a terminal colours them.
    static func filtered(_ document: UnsafeRawBufferPointer, through filter: JQFilter, terminal: Bool, color: Bool,
                         deadline: Double? = nil, to out: OutputStream) throws(APICtlError) {
        try filter.run(document, pretty: !terminal, deadline: deadline, stopped: { out.hasNoReader }) { result in
            switch result {
            case .string(let text):
                // A server's string on a terminal: its control characters shown, not acted on.
                if terminal, let shown = terminalSafe(text) { out.write(shown) } else { out.write(text) }
                out.write([0x0A])
            case .json(let json):
                if terminal, let formatted = JSONPrettyPrinter(color: color).format(Array(json)) {
                    out.write(shownOnTerminal(formatted))
                    if formatted.last != 0x0A { out.write([0x0A]) }
                } else {
                    out.write(json)
                    out.write([0x0A])
                }
            }
        }
    }

    static func filtered(_ document: [UInt8], through filter: JQFilter, terminal: Bool, color: Bool,
                         deadline: Double? = nil, to out: OutputStream) throws(APICtlError) {
        var failure: APICtlError?
        document.withUnsafeBytes { bytes in
            do throws(APICtlError) {
                try filtered(bytes, through: filter, terminal: terminal, color: color, deadline: deadline, to: out)
            } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// `-i`'s head. Header values are the server's words: control characters are shown escaped,
    /// so a value cannot retitle or repaint the terminal.
    static func statusAndHeaders(_ head: HTTPResponseHead, color: Bool) -> String {
        let bold = color ? "\u{1B}[1m" : "", reset = color ? "\u{1B}[0m" : ""
        let shown = TerminalText.escapingControls
        var out = "\(bold)\(shown(head.httpVersion)) \(head.status)\(head.reason.isEmpty ? "" : " " + shown(head.reason))\(reset)\n"
        for field in head.headers { out += "\(bold)\(shown(field.name))\(reset): \(shown(field.value))\n" }
        return out + "\n"
    }

    /// Pretty JSON on a terminal when the body is JSON; anything else as sent.
    static func body(_ body: [UInt8], head: HTTPResponseHead, pretty: Bool, color: Bool,
                     to out: OutputStream, warn: (String) -> Void) {
        guard !body.isEmpty else { return }
        if pretty, let formatted = JSONPrettyPrinter(color: color).format(body) {
            out.write(shownOnTerminal(formatted))
            return
        }
        // Control bytes and escape sequences would garble or repaint the terminal, as curl and httpie know.
        if pretty, isBinary(body) {
            let type = head.headers["Content-Type"]?.split(separator: ";").first.map(String.init) ?? "an unknown type"
            warn("binary body not shown: \(body.count) bytes of \(type); save it with -o FILE, or pipe it")
            return
        }
        out.write(body)
        if pretty {
            if body.last != 0x0A { out.write("\n") }
            let type = head.headers["Content-Type"] ?? ""
            if head.isSuccess, type.containsText("json") {
                warn("the response says it is JSON but is \(JSONValue.problem(with: body)); printed as received")
            }
        }
    }
}

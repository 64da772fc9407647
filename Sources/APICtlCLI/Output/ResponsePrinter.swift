import APICtlCore

/// Formats what `request` prints on stdout beyond the raw body.
enum ResponsePrinter {
    static func statusAndHeaders(_ head: HTTPResponseHead, color: Bool) -> String {
        let bold = color ? "\u{1B}[1m" : "", reset = color ? "\u{1B}[0m" : ""
        var out = "\(bold)\(head.httpVersion) \(head.status)\(head.reason.isEmpty ? "" : " " + head.reason)\(reset)\n"
        for field in head.headers { out += "\(bold)\(field.name)\(reset): \(field.value)\n" }
        return out + "\n"
    }

    /// Pretty JSON on a terminal when the body is JSON; anything else as sent.
    static func body(_ body: [UInt8], head: HTTPResponseHead, pretty: Bool, color: Bool,
                     to out: OutputStream, warn: (String) -> Void) {
        guard !body.isEmpty else { return }
        if pretty, let formatted = JSONPrettyPrinter(color: color).format(body) {
            out.write(formatted)
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

import APICtlCore

/// One result as its JSON output line:
/// `{"line":N,"id":...,"method":...,"path":...,"status":201,"attempts":1,"body":...}`, with
/// `"error"` and `"exit"` where it failed and `"skipped":true` for a line an earlier run did.
enum BatchOutputLine {
    static func render(_ result: BatchResult, body: [UInt8]?) -> [UInt8] {
        var out = Array("{\"line\":\(result.line),\"id\":".utf8) + (result.id ?? Array("null".utf8))
        out += Array(",\"method\":\(quoted(result.method)),\"path\":\(quoted(result.path))".utf8)
        out += Array(",\"status\":\(result.status.map(String.init) ?? "null"),\"attempts\":\(result.attempts)".utf8)
        out += Array(",\"body\":".utf8) + (body ?? Array("null".utf8))
        if result.skipped { out += Array(",\"skipped\":true".utf8) }
        if let error = result.error {
            let text = error.hint.map { $0.isEmpty ? error.message : "\(error.message) (\($0))" } ?? error.message
            out += Array(",\"error\":\(JSONValue.quoted(text)),\"exit\":\(error.exitCode.rawValue)".utf8)
        }
        return out + [UInt8(ascii: "}")]
    }

    /// The body as the line shows it: JSON as received (on one line), other text as a string;
    /// with --jq, a successful JSON body's one result, or its results as an array. A filter
    /// that fails makes the line fail (exit 11), its body shown unfiltered.
    static func body(of result: inout BatchResult, filter: JQFilter?) -> [UInt8]? {
        guard let bytes = result.body else { return nil }
        let isJSON = RawJSON.isDocument(bytes)
        let body = isJSON ? RawJSON.minified(bytes[...]) : Array(JSONValue.quoted(String(decoding: bytes, as: UTF8.self)).utf8)
        guard let filter, result.error == nil else { return body }
        guard isJSON else {
            result.error = APICtlError(.filterFailed, "--jq: the body is not JSON" + (result.contentType.map { " (\($0))" } ?? ""))
            return body
        }
        var outputs: [[UInt8]] = []
        do {
            try filter.run(bytes, pretty: false) { output in
                switch output {
                case .json(let json): outputs.append(RawJSON.minified(Array(json)[...]))
                case .string(let text): outputs.append(Array(JSONValue.quoted(String(decoding: text, as: UTF8.self)).utf8))
                }
            }
        } catch {
            result.error = error
            return body
        }
        if outputs.count == 1 { return outputs[0] }
        return [UInt8(ascii: "[")] + outputs.joined(separator: [UInt8(ascii: ",")]) + [UInt8(ascii: "]")]
    }

    /// How the summary counts a failure: its status (404), or what went wrong without one.
    static func kind(of result: BatchResult, error: APICtlError) -> String {
        if let status = result.status, !(200..<400).contains(status) { return String(status) }
        switch error.exitCode {
        case .usage: return result.method == nil ? "invalid line" : "refused request"
        case .network: return "network"
        case .filterFailed: return "jq"
        case .authentication: return "credential"
        default: return "exit \(error.exitCode.rawValue)"
        }
    }

    private static func quoted(_ text: String?) -> String { text.map(JSONValue.quoted) ?? "null" }
}

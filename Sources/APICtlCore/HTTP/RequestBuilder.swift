import FoundationEssentials
import Glibc

/// The request as the user described it on the command line, before it is
/// turned into bytes. Kept free of argv so the core can be tested directly.
public struct RequestDescription: Sendable {
    public var method: String
    public var target: String
    public var headers: [String] = []
    /// `-d`: raw text, `@file`, or `@-` for stdin.
    public var data: String?
    /// `-d`'s bytes exactly as given on the command line, when they are not UTF-8 text
    /// (a Swift String would have replaced them with U+FFFD).
    public var dataBytes: [UInt8]?
    /// `-H` arguments whose bytes are not UTF-8 text, exactly as given ("Name: value").
    public var rawHeaders: [[UInt8]] = []
    /// `-f k=v`: always a JSON string.
    public var stringFields: [String] = []
    /// `-F k=v`: a number, true/false/null, a JSON literal, or `@file` (its text).
    public var typedFields: [String] = []
    public var query: [String] = []
    public var timeout: Double?

    public init(method: String, target: String) {
        self.method = method
        self.target = target
    }
}

/// Reads what `@file` and `@-` name; handed in so the core never touches stdin itself.
/// `-d` bodies are streamed from a descriptor; a typed field's `@file` is read whole, up to a limit.
public struct InputSource: Sendable {
    public var readFile: @Sendable (String, Int) throws(APICtlError) -> [UInt8]
    public var openFile: @Sendable (String) throws(APICtlError) -> BodyStream.Either
    public var standardInput: @Sendable () -> BodyStream.Either?
    public var readStandardInput: @Sendable () -> [UInt8]

    public init(readFile: @escaping @Sendable (String, Int) throws(APICtlError) -> [UInt8],
                openFile: @escaping @Sendable (String) throws(APICtlError) -> BodyStream.Either,
                standardInput: @escaping @Sendable () -> BodyStream.Either?, readStandardInput: @escaping @Sendable () -> [UInt8]) {
        self.readFile = readFile
        self.openFile = openFile
        self.standardInput = standardInput
        self.readStandardInput = readStandardInput
    }

    /// Files on disk; `standardInput` is the descriptor `-d @-` streams from (nil: read `readStandardInput` whole).
    public static func files(readStandardInput: @escaping @Sendable () -> [UInt8], standardInput: Int32? = nil) -> InputSource {
        InputSource(readFile: { path, limit throws(APICtlError) in
            guard let bytes = FileBytes.contents(of: path, limit: limit) else { throw unreadable(path) }
            return bytes
        }, openFile: { path throws(APICtlError) in
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw unreadable(path) }
            if FileBytes.isDirectory(path) == true { close(fd); throw .usage("'\(path)' is a folder, not a file") }
            return BodyStream.reading(fd)
        }, standardInput: { standardInput.map(BodyStream.reading) }, readStandardInput: readStandardInput)
    }

    public static func unreadable(_ path: String) -> APICtlError {
        .usage("file '\(path)' \(FileBytes.exists(path) ? "cannot be read: \(String(cString: strerror(errno)))" : "does not exist")")
    }

    /// The most a typed field's `@file` may hold: it is read whole into the JSON body.
    public static let typedFieldLimit = 16 << 20
}

public enum RequestBuilder {
    public static let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    /// The request `description` asks for, checked as a whole: a method apictl knows, a URL,
    /// headers that cannot inject others, fields and a body that go together.
    public static func build(_ description: RequestDescription, profile: ResolvedProfile?,
                             input: InputSource) throws(APICtlError) -> HTTPRequest {
        let method = description.method.uppercased()
        guard methods.contains(method) else {
            throw .usage("unknown HTTP method '\(description.method)'", hint: "use one of \(methods.joined(separator: ", "))")
        }
        var url = try targetURL(description.target, profile: profile)
        var headers = try parsedHeaders(description.headers)
        var fields: [(String, String)] = []  // name, JSON text
        for raw in description.stringFields {
            let (key, value) = try split(raw, option: "-f")
            fields.append((key, JSONValue.quoted(value)))
        }
        for raw in description.typedFields {
            let (key, value) = try split(raw, option: "-F")
            fields.append((key, try typedValue(key: key, value, input: input)))
        }
        var queryPairs: [(String, String)] = []
        for raw in description.query { queryPairs.append(try split(raw, option: "--query")) }

        var body: [UInt8]?
        var bodyStream: BodyStream?
        if let data = description.data {
            guard fields.isEmpty else { throw .usage("-d cannot be combined with -f or -F", hint: "send either raw data or fields") }
            (body, bodyStream) = try dataBody(data, exactBytes: description.dataBytes, input: input)
            if !headers.contains("Content-Type") { headers.add("Content-Type", "application/json") }
        } else if !fields.isEmpty {
            if method == "GET" || method == "HEAD" {
                // As gh does: fields of a GET become its query.
                for (key, json) in fields { queryPairs.append((key, queryText(json))) }
            } else {
                body = Array(("{" + fields.map { "\(JSONValue.quoted($0.0)):\($0.1)" }.joined(separator: ",") + "}").utf8)
                if !headers.contains("Content-Type") { headers.add("Content-Type", "application/json") }
            }
        }
        if !queryPairs.isEmpty {
            url += (url.contains("?") ? "&" : "?") + PercentEncoding.formEncode(queryPairs)
        }
        var request = HTTPRequest(method: method, url: url, headers: headers, body: body, timeout: description.timeout)
        request.bodyStream = bodyStream
        request.rawHeaders = try checkedRawHeaders(description.rawHeaders)
        return request
    }

    /// The URL `target` names: a path under the profile's base URL (its `{var}`s filled), or
    /// a full URL. A template left in a path copied from the description is the user's to fill.
    public static func targetURL(_ target: String, profile: ResolvedProfile?) throws(APICtlError) -> String {
        // "ht!tp://x" is no path under the base URL, and no URL: said so, not sent as a path to a 404.
        let beforeQuery = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        if !URLParts.isAbsolute(target), !target.hasPrefix("/"), String(beforeQuery).containsText("://") {
            throw .usage("'\(target)' is neither a path (like /v1/me) nor an http:// or https:// URL")
        }
        let url: String
        if let profile {
            if let unfilled = Template.placeholders(in: String(beforeQuery)).first(where: { profile.vars[$0] == nil }) {
                throw .usage("the path '\(target)' still has {\(unfilled)} in it: put the \(unfilled) there",
                             hint: "or, for every request, 'apictl profile set \(profile.name) --var \(unfilled)=VALUE'")
            }
            url = try profile.url(for: target)
        } else if URLParts.isAbsolute(target) {
            url = target
        } else {
            throw .config("no profile selected, so '\(target)' has no base URL",
                          hint: "pass -p NAME, set APICTL_PROFILE, or 'apictl profile use NAME'")
        }
        // libcurl refuses these at send time: --dry-run and --curl say so too, rather than print
        // a request that cannot be made.
        if url.unicodeScalars.contains(where: { $0 == " " || $0.properties.generalCategory == .control }) {
            throw .usage("invalid URL '\(TerminalText.escapingControls(Redactor().url(url)))': it holds a space or control character, "
                         + "which no request can carry", hint: "percent-encode it, %20 for a space, or give a query value with --query NAME=VALUE")
        }
        guard URLParts.parse(url) != nil else {
            throw .usage("invalid URL '\(url)'", hint: "use a path like /v1/me or a full https:// URL")
        }
        return url
    }

    /// `-H 'Name: value'` lines as headers; none may carry a line break, a NUL, or bytes that
    /// were not text on the command line.
    static func parsedHeaders(_ lines: [String]) throws(APICtlError) -> HTTPHeaders {
        var headers = HTTPHeaders()
        for raw in lines {
            guard let colon = raw.firstIndex(of: ":"), colon != raw.startIndex else {
                throw .usage("header '\(raw)' has no colon", hint: "write it as -H 'Name: value'")
            }
            let name = raw[..<colon].trimmingSpaces()
            guard name.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != ":" }) else {
                throw .usage("header name '\(name)' is not valid")
            }
            let value = raw[raw.index(after: colon)...].trimmingSpaces()
            // On scalars, not Characters: Swift reads "\r\n" as one Character, equal to neither
            // "\r" nor "\n", and a CR LF pair would start a header of the caller's choosing.
            guard !value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                throw .usage("header '\(name)' has a line break in its value (refused: it would inject a header)")
            }
            // U+FFFD stands for bytes of the command line that were not UTF-8: sending it would change them.
            guard !value.unicodeScalars.contains("\u{FFFD}") else {
                throw .usage("header '\(name)' has bytes that are not UTF-8 text, and its exact bytes were not found in argv")
            }
            headers.add(name, value)
        }
        return headers
    }

    /// `-d`'s body: inline text (its exact bytes when argv held non-UTF-8), `@-` for stdin, or
    /// `@FILE`, streamed from a file or a pipe rather than held.
    static func dataBody(_ data: String, exactBytes: [UInt8]?,
                         input: InputSource) throws(APICtlError) -> ([UInt8]?, BodyStream?) {
        let source: BodyStream.Either
        if data == "@-" {
            source = input.standardInput() ?? .bytes(input.readStandardInput())
        } else if data.hasPrefix("@") {
            source = try input.openFile(String(data.dropFirst()))
        } else {
            return (exactBytes ?? Array(data.utf8), nil)
        }
        switch source {
        case .bytes(let bytes): return (bytes, nil)
        case .stream(let stream): return (nil, stream)
        }
    }

    /// Header lines given as bytes that are not UTF-8, sent as they are: each must still have a
    /// name and no line break.
    static func checkedRawHeaders(_ lines: [[UInt8]]) throws(APICtlError) -> [[UInt8]] {
        for line in lines {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0,
                  line[..<colon].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw .usage("a header that is not UTF-8 text has no valid 'Name:' before its value")
            }
            guard !line.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
                throw .usage("a header has a line break in its value (refused: it would inject a header)")
            }
        }
        return lines
    }

    static func split(_ raw: String, option: String) throws(APICtlError) -> (String, String) {
        try KeyValue.split(raw, option: option, example: "title=Broken")
    }

    static func typedValue(key: String, _ value: String, input: InputSource) throws(APICtlError) -> String {
        if value.hasPrefix("@") {
            let bytes = try input.readFile(String(value.dropFirst()), InputSource.typedFieldLimit)
            guard bytes.count <= InputSource.typedFieldLimit else {
                throw .usage("-F \(key)=\(value): the file holds more than the \(InputSource.typedFieldLimit >> 20) MiB a typed field may",
                             hint: "send a large file as the whole body with -d \(value)")
            }
            return JSONValue.quoted(String(decoding: bytes, as: UTF8.self))
        }
        if let first = value.first, "-0123456789tfn[{\"".contains(first),
           JSONValue(parsing: value.utf8) != nil {
            return value
        }
        throw .usage("-F \(key)=\(value): not a number, true, false, null, JSON or @file",
                     hint: "use -f \(key)=\(value) to send it as a string")
    }

    /// A JSON value as it should read in a query string: strings unquoted.
    static func queryText(_ json: String) -> String {
        if json.hasPrefix("\""), let s = JSONValue(parsing: json.utf8)?.stringValue {
            return s
        }
        return json
    }
}

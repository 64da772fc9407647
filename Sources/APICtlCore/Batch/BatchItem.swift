/// One line of `apictl batch`'s input: a request as JSON,
/// `{"method": "POST", "path": "/requests", "body": {...}, "query": {...}, "headers": {...}, "id": ...}`.
public struct BatchItem: Sendable {
    public var method: String
    public var path: String
    public var query: [(String, String)] = []
    public var headers: [String] = []
    /// The body's JSON text on one line, as the line gave it.
    public var body: [UInt8]?
    /// The line's `id`, any JSON value, as written (on one line): echoed in the output.
    public var id: [UInt8]?

    public static let keys = ["method", "path", "body", "query", "headers", "id"]

    /// A line of input as a request, or why it cannot be sent, naming the line; nil for a blank line.
    public static func parse(_ line: LineReader.Line, number: Int) -> Result<BatchItem, BatchLineError>? {
        switch line {
        case .tooLong(let length):
            return .failure(BatchLineError("line \(number) is \(length) bytes, more than the \(LineReader.longestLine >> 20) MiB a line may hold"))
        case .text(let bytes):
            if isBlank(bytes) { return nil }
            return parse(bytes).mapError { problem in
                var named = problem
                named.message = "line \(number): \(problem.message)"
                return named
            }
        }
    }

    /// Spaces, tabs and a carriage return only: a line the input may hold between requests.
    public static func isBlank(_ line: [UInt8]) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }

    /// What a line says, or one line on why it cannot be read. Blank lines are the caller's to skip.
    public static func parse(_ line: [UInt8]) -> Result<BatchItem, BatchLineError> {
        guard let members = members(of: line) else {
            return .failure(BatchLineError(JSONValue(parsing: line) == nil ? "not JSON: \(JSONValue.problem(with: line))"
                                                                           : "not a JSON object"))
        }
        // A line that cannot be sent still answers with the id it was given.
        let id = members.last { $0.0 == "id" }.map { RawJSON.minified(line[$0.1]) }
        switch read(members, of: line) {
        case .success(var item):
            item.id = id
            return .success(item)
        case .failure(var problem):
            problem.id = id
            return .failure(problem)
        }
    }

    private static func read(_ members: [(String, Range<Int>)], of line: [UInt8]) -> Result<BatchItem, BatchLineError> {
        var seen: Set<String> = []
        for (key, _) in members {
            guard keys.contains(key) else {
                return .failure(BatchLineError("unknown key \"\(TerminalText.summary(key, limit: 40))\" (a line has \(keys.joined(separator: ", ")))"))
            }
            guard seen.insert(key).inserted else { return .failure(BatchLineError("\"\(key)\" is given twice")) }
        }
        func value(_ key: String) -> ArraySlice<UInt8>? { members.first { $0.0 == key }.map { line[$0.1] } }
        guard let method = value("method").flatMap({ JSONValue(parsing: $0)?.stringValue }) else {
            return .failure(BatchLineError(value("method") == nil ? "\"method\" is missing" : "\"method\" is not a string"))
        }
        guard RequestBuilder.methods.contains(method.uppercased()) else {
            return .failure(BatchLineError("unknown HTTP method \"\(TerminalText.summary(method, limit: 20))\" (use one of \(RequestBuilder.methods.joined(separator: ", ")))"))
        }
        guard let path = value("path").flatMap({ JSONValue(parsing: $0)?.stringValue }), !path.isEmpty else {
            return .failure(BatchLineError(value("path") == nil ? "\"path\" is missing" : "\"path\" is not a non-empty string"))
        }
        var item = BatchItem(method: method.uppercased(), path: path)
        item.body = value("body").map { RawJSON.minified($0) }
        if let query = value("query") {
            guard case .object(let fields)? = JSONValue(parsing: query) else { return .failure(BatchLineError("\"query\" is not an object")) }
            for (name, field) in fields.sorted(by: { $0.key < $1.key }) {
                guard let words = queryWords(field) else {
                    return .failure(BatchLineError("query \"\(name)\" is not a string, number, true, false or a list of them"))
                }
                item.query += words.map { (name, $0) }
            }
        }
        if let headers = value("headers") {
            guard case .object(let fields)? = JSONValue(parsing: headers) else { return .failure(BatchLineError("\"headers\" is not an object")) }
            for (name, field) in fields.sorted(by: { $0.key < $1.key }) {
                guard let text = field.stringValue ?? field.text else { return .failure(BatchLineError("header \"\(name)\" is not a string")) }
                item.headers.append("\(name): \(text)")
            }
        }
        return .success(item)
    }

    /// A query value as the words it sends: a list sends its name once per word.
    private static func queryWords(_ value: JSONValue) -> [String]? {
        if case .array(let items) = value {
            let words = items.compactMap(queryWord)
            return words.count == items.count ? words : nil
        }
        return queryWord(value).map { [$0] }
    }

    private static func queryWord(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text), .number(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        default: return nil
        }
    }

    /// The members of the one JSON object `line` holds, by their raw value bytes; nil when it is not one.
    static func members(of line: [UInt8]) -> [(String, Range<Int>)]? {
        var lexer = JSONLexer(bytes: line)
        lexer.space()
        guard lexer.take(UInt8(ascii: "{")) else { return nil }
        var members: [(String, Range<Int>)] = []
        lexer.space()
        if !lexer.take(UInt8(ascii: "}")) {
            while true {
                lexer.space()
                guard let token = lexer.string(), let key = lexer.decodedString(token) else { return nil }
                lexer.space()
                guard lexer.take(UInt8(ascii: ":")) else { return nil }
                lexer.space()
                let start = lexer.index
                guard lexer.skipValue() else { return nil }
                members.append((key, start..<lexer.index))
                lexer.space()
                if lexer.take(UInt8(ascii: "}")) { break }
                guard lexer.take(UInt8(ascii: ",")) else { return nil }
            }
        }
        lexer.space()
        return lexer.atEnd ? members : nil
    }
}

/// Why a line of batch input was not sent: said in its output line, and the batch goes on.
public struct BatchLineError: Error, Sendable, Equatable {
    public var message: String
    /// The line's `id`, when it is a JSON object that has one.
    public var id: [UInt8]?
    public init(_ message: String) { self.message = message }
}

extension BatchItem {
    /// The request this line describes, built as `request` builds one: the path under the
    /// profile's base URL ({var} filled) or a full URL, headers that cannot inject others.
    public func request(profile: ResolvedProfile?) throws(APICtlError) -> HTTPRequest {
        var description = RequestDescription(method: method, target: path)
        description.headers = headers
        var request = try RequestBuilder.build(description, profile: profile, input: .files(readStandardInput: { [] }))
        if !query.isEmpty { request.url += (request.url.contains("?") ? "&" : "?") + PercentEncoding.formEncode(query) }
        if let body {
            request.body = body
            if !request.headers.contains("Content-Type") { request.headers.add("Content-Type", "application/json") }
        }
        return request
    }
}

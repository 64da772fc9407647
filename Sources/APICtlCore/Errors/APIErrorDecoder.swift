import FoundationEssentials

/// What an API said went wrong, pulled out of whichever error shape it uses.
public struct APIErrorDetail: Sendable, Equatable {
    public var code: String?
    public var message: String?
}

/// Reads an error body by its shape, not by a key name alone: the five seed APIs',
/// RFC 7807 problem details (recognised by their media type or by their members with
/// their types), OAuth 2.0 (RFC 6749 §5.2), a map of field names to lists of messages
/// (Django REST framework, Rails), and lists of problems that each name a field and a
/// message under whichever keys a framework uses (pydantic's `loc`/`msg`, Litestar's
/// `key`/`message`, JSON:API's `source.pointer`/`detail`), bare or wrapped.
public enum APIErrorDecoder {
    public static func decode(_ body: [UInt8], contentType: String? = nil) -> APIErrorDetail? {
        guard !body.isEmpty, let object = JSONValue(parsing: body)?.objectValue else { return nil }
        let isProblem = contentType.map { $0.lowercased().containsText("problem+json") } ?? false
        return decode(object, declaredProblem: isProblem)
    }

    static func decode(_ object: [String: JSONValue], declaredProblem: Bool = false) -> APIErrorDetail? {
        // TechDocs {"error":{"code","message","status"}}, DZDESK {"success":false,"error":{"code","message"}}
        if let error = object["error"]?.objectValue {
            let inner = decode(error)
            return APIErrorDetail(code: text(error["code"]) ?? text(error["type"]) ?? inner?.code,
                                  message: text(error["message"]) ?? inner?.message ?? text(error["detail"]))
        }
        if let error = text(object["error"]) {
            // OAuth 2.0 {"error","error_description"}; DataDocks {"error","message"}; PocketDNS {"error"}
            if let description = text(object["error_description"]) ?? text(object["message"]) {
                return APIErrorDetail(code: error, message: description)
            }
            return APIErrorDetail(code: nil, message: error)
        }
        if declaredProblem || isProblem(object) { return problem(object) }
        if let listed = firstProblem(in: object) { return listed }
        if let detail = text(object["detail"]) ?? text(object["message"]) ?? text(object["msg"]) {
            return APIErrorDetail(code: text(object["code"]), message: detail)
        }
        return fieldMap(object)
    }

    /// RFC 7807 without its media type: a `title` string beside a `type` string, a numeric
    /// `status` or a `detail` string. A field called `title` holding a list is not one.
    static func isProblem(_ object: [String: JSONValue]) -> Bool {
        guard object["title"]?.stringValue != nil else { return false }
        return object["type"]?.stringValue != nil || object["status"]?.doubleValue != nil || object["detail"]?.stringValue != nil
    }

    /// "title: detail", then the first of any problems it lists (`errors`, `invalid-params`, `extra`).
    static func problem(_ object: [String: JSONValue]) -> APIErrorDetail {
        let title = text(object["title"])
        let detail = text(object["detail"])
        let type = text(object["type"]).flatMap { $0 == "about:blank" ? nil : $0 }
        var parts = [title, detail == title ? nil : detail].compactMap { $0 }
        if let listed = firstProblem(in: object)?.message { parts.append(listed) }
        let message = parts.joined(separator: ": ")
        return APIErrorDetail(code: type.map(lastPathComponent), message: message.isEmpty ? nil : message)
    }

    /// Keys a list of problems is found under, in the order frameworks use them.
    static let problemListKeys = ["errors", "detail", "extra", "invalid-params", "invalid_params", "violations", "details"]

    /// The first problem of the first list of problems in `object`, after the body's own
    /// headline (`detail` or `message`) when it has one beside the list.
    static func firstProblem(in object: [String: JSONValue]) -> APIErrorDetail? {
        for key in problemListKeys {
            guard let value = object[key] else { continue }
            let found: APIErrorDetail?
            if let items = value.arrayValue {
                found = problemList(items)
            } else if let map = value.objectValue, key == "errors" {
                found = fieldMap(map)       // Rails {"errors": {"email": ["has already been taken"]}}
            } else {
                found = nil
            }
            guard var found else { continue }
            if let headline = text(object["detail"]) ?? text(object["message"]), key != "detail", let message = found.message,
               !isProblem(object) {
                found.message = headline + ": " + message
            }
            return found
        }
        return nil
    }

    /// A list of problems: objects naming a field and a message, or bare strings.
    static func problemList(_ items: [JSONValue]) -> APIErrorDetail? {
        guard let first = items.first else { return nil }
        if let message = first.stringValue { return APIErrorDetail(code: nil, message: counted(message, more: items.count - 1)) }
        guard let item = first.objectValue else { return nil }
        let name = fieldName(item)
        // GitHub's {"field": "title", "code": "missing_field"}: the code is all it says.
        guard let message = problemMessage(item) ?? (name != nil ? text(item["code"]) : nil) else { return nil }
        let field = name.map { $0.isEmpty ? "" : "\($0): " } ?? ""
        return APIErrorDetail(code: text(item["code"]) ?? text(item["type"]), message: counted(field + message, more: items.count - 1))
    }

    static let messageKeys = ["msg", "message", "detail", "error", "description", "title", "reason"]
    static let fieldKeys = ["loc", "field", "key", "path", "pointer", "param", "parameter", "attr", "property", "name"]

    static func problemMessage(_ item: [String: JSONValue]) -> String? {
        messageKeys.lazy.compactMap { text(item[$0]) }.first
    }

    /// The field a problem is about, from whichever key carries it; a path given as a list
    /// (pydantic's `loc`) is joined with dots, and JSON:API's `source` is looked into.
    static func fieldName(_ item: [String: JSONValue]) -> String? {
        for key in fieldKeys {
            if let list = item[key]?.arrayValue {
                let path = list.compactMap(\.text)
                if !path.isEmpty { return path.joined(separator: ".") }
            } else if let name = text(item[key]), !name.isEmpty {
                return name
            }
        }
        if let source = item["source"]?.objectValue { return fieldName(source) }
        return nil
    }

    /// Every member a list of messages (or a map of such, nested): a validation body,
    /// whatever its fields are called. The first field in name order, and how many more.
    static func fieldMap(_ object: [String: JSONValue]) -> APIErrorDetail? {
        var problems: [(field: String, message: String)] = []
        guard !object.isEmpty, collect(object, under: "", into: &problems), let first = problems.first else { return nil }
        let field = first.field
        let general = field == "non_field_errors" || field.hasSuffix(".non_field_errors") || field == "__all__"
        return APIErrorDetail(code: nil, message: counted(general ? first.message : "\(field): \(first.message)",
                                                          more: problems.count - 1))
    }

    /// False when some member is neither a list of strings nor a map of them.
    private static func collect(_ object: [String: JSONValue], under prefix: String,
                                into problems: inout [(field: String, message: String)]) -> Bool {
        for key in object.keys.sorted() {
            let field = prefix.isEmpty ? key : "\(prefix).\(key)"
            if let messages = object[key]?.stringArray, !messages.isEmpty {
                problems += messages.map { (field, $0) }
            } else if let nested = object[key]?.objectValue, !nested.isEmpty {
                guard collect(nested, under: field, into: &problems) else { return false }
            } else {
                return false
            }
        }
        return true
    }

    /// "message (+N more)" when the body listed more than one problem.
    static func counted(_ message: String, more: Int) -> String {
        more > 0 ? "\(message) (+\(more) more)" : message
    }

    private static func text(_ value: JSONValue?) -> String? { value?.text }

    private static func lastPathComponent(_ uri: String) -> String {
        uri.split(separator: "/").last.map(String.init) ?? uri
    }
}

import FoundationEssentials

/// What an API said went wrong, pulled out of whichever error shape it uses.
public struct APIErrorDetail: Sendable, Equatable {
    public var code: String?
    public var message: String?
}

/// Reads the error bodies of the five seed APIs, RFC 7807 problem+json and
/// OAuth 2.0 (RFC 6749 §5.2) into one code and message.
public enum APIErrorDecoder {
    public static func decode(_ body: [UInt8]) -> APIErrorDetail? {
        guard !body.isEmpty,
              let object = JSONValue(parsing: body)?.objectValue else { return nil }
        return decode(object)
    }

    static func decode(_ object: [String: JSONValue]) -> APIErrorDetail? {
        // TechDocs {"error":{"code","message","status"}}, DZDESK {"success":false,"error":{"code","message"}}
        if let error = object["error"]?.objectValue {
            return APIErrorDetail(code: text(error["code"]) ?? text(error["type"]),
                                  message: text(error["message"]) ?? text(error["detail"]))
        }
        // Datasets {"type":"client_error","errors":[{"code","detail","attr","extra"}]}
        if let errors = object["errors"]?.arrayValue, let first = errors.first?.objectValue {
            var message = text(first["detail"]) ?? text(first["message"]) ?? text(first["description"]) ?? text(first["title"])
            if let attr = text(first["attr"]), let m = message { message = "\(attr): \(m)" }
            if errors.count > 1, let m = message { message = "\(m) (+\(errors.count - 1) more)" }
            return APIErrorDetail(code: text(first["code"]), message: message)
        }
        if let errors = object["errors"]?.stringArray, let first = errors.first {
            return APIErrorDetail(code: nil, message: errors.count > 1 ? "\(first) (+\(errors.count - 1) more)" : first)
        }
        // OAuth 2.0 {"error":"invalid_grant","error_description":"..."}
        if let code = object["error"]?.stringValue, let description = text(object["error_description"]) {
            return APIErrorDetail(code: code, message: description)
        }
        // DataDocks {"error":"Unauthorized","message":"..."}
        if let error = object["error"]?.stringValue, let message = text(object["message"]) {
            return APIErrorDetail(code: error, message: message)
        }
        // PocketDNS {"error":"Invalid API key"}
        if let message = object["error"]?.stringValue {
            return APIErrorDetail(code: nil, message: message)
        }
        // FastAPI / pydantic {"detail": [{"loc": ["body", "qty"], "msg", "type"}]}: the first problem with its field path.
        if let problems = object["detail"]?.arrayValue, let first = problems.first?.objectValue, let message = text(first["msg"]) {
            let path = first["loc"]?.arrayValue?.compactMap(\.text).joined(separator: ".")
            return APIErrorDetail(code: text(first["type"]),
                                  message: Self.counted((path.map { $0.isEmpty ? "" : "\($0): " } ?? "") + message, more: problems.count - 1))
        }
        // RFC 7807 {"type","title","status","detail"}
        if object["title"] != nil || object["detail"] != nil {
            let title = text(object["title"])
            let detail = text(object["detail"])
            let type = text(object["type"]).flatMap { $0 == "about:blank" ? nil : $0 }
            let message = [title, detail].compactMap { $0 }.joined(separator: ": ")
            return APIErrorDetail(code: type.map(lastPathComponent), message: message.isEmpty ? nil : message)
        }
        if let message = text(object["message"]) {
            return APIErrorDetail(code: text(object["code"]), message: message)
        }
        // flask-jwt-extended and others {"msg": "Token has expired"}
        if let message = text(object["msg"]) {
            return APIErrorDetail(code: nil, message: message)
        }
        // Django REST framework validation {"field": ["This field is required."], ...}: the first field's first problem.
        let fields = object.keys.sorted().compactMap { key in object[key]?.stringArray?.first.map { (key, $0) } }
        if let (field, message) = fields.first, fields.count == object.count {
            let total = object.values.reduce(0) { $0 + ($1.stringArray?.count ?? 0) }
            return APIErrorDetail(code: nil, message: Self.counted(field == "non_field_errors" ? message : "\(field): \(message)",
                                                                   more: total - 1))
        }
        return nil
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

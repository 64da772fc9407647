import Foundation

/// Who the API says the caller is, read from a whoami response whatever its
/// envelope (`{"success":true,"data":{...}}`, `{"data":...}`, `{"user":...}`, bare).
public struct Identity: Sendable, Equatable {
    public var id: String?
    public var name: String?
    public var email: String?
    public var role: String?
    public var scopes: [String]

    public static func from(_ body: [UInt8]) -> Identity? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) else { return nil }
        var subject = object
        if let dict = subject as? [String: Any] {
            for key in ["data", "user", "me", "result"] {
                if let inner = dict[key] as? [String: Any] { subject = inner; break }
                if let list = dict[key] as? [[String: Any]], let first = list.first, key == "data", dict["success"] != nil { subject = first; break }
            }
        }
        guard let dict = subject as? [String: Any] else { return nil }
        func text(_ keys: [String]) -> String? {
            for key in keys {
                if let s = dict[key] as? String, !s.isEmpty { return s }
                if let n = dict[key] as? NSNumber { return n.stringValue }
            }
            return nil
        }
        var scopes = dict["scopes"] as? [String] ?? dict["scope"] as? [String] ?? []
        if scopes.isEmpty, let s = dict["scope"] as? String { scopes = s.split(separator: " ").map(String.init) }
        return Identity(id: text(["id", "sub", "user_id", "uid", "username"]), name: text(["name", "full_name", "display_name"]),
                        email: text(["email"]), role: text(["role"]), scopes: scopes)
    }
}

import FoundationEssentials

/// Who the API says the caller is, read from a whoami response whatever its
/// envelope (`{"success":true,"data":{...}}`, `{"data":...}`, `{"user":...}`, bare).
public struct Identity: Sendable, Equatable {
    public var id: String?
    /// A user name or login handle, the most human of all.
    public var handle: String?
    public var name: String?
    public var email: String?
    public var role: String?
    public var scopes: [String]
    /// The key's id at the API, when the profile's `whoami_key_id` points at it.
    public var keyID: String? = nil
    /// What the profile's `whoami_identity` points at, when it does: the name to show.
    public var chosen: String? = nil

    /// The answer read with the profile's pointers, for `login` and `whoami` alike.
    public static func from(_ body: [UInt8], profile: ResolvedProfile) -> Identity? {
        var identity = from(body)
        let document = profile.whoamiIdentity != nil || profile.whoamiKeyID != nil ? JSONValue(parsing: body) : nil
        if let pointer = profile.whoamiKeyID { identity?.keyID = document?.at(pointer: pointer)?.text }
        if let pointer = profile.whoamiIdentity, let chosen = document?.at(pointer: pointer)?.text {
            identity = identity ?? Identity(scopes: [])
            identity?.chosen = chosen
        }
        return identity
    }

    public static func from(_ body: [UInt8]) -> Identity? {
        guard var subject = JSONValue(parsing: body) else { return nil }
        if let dict = subject.objectValue {
            for key in ["data", "user", "me", "result"] {
                if let inner = dict[key], inner.objectValue != nil { subject = inner; break }
                if let list = dict[key]?.arrayValue, let first = list.first, first.objectValue != nil,
                   key == "data", dict["success"] != nil { subject = first; break }
            }
        }
        guard let dict = subject.objectValue else { return nil }
        func text(_ keys: [String]) -> String? {
            keys.lazy.compactMap { dict[$0]?.text }.first
        }
        var scopes = dict["scopes"]?.stringArray ?? dict["scope"]?.stringArray ?? []
        if scopes.isEmpty, let s = dict["scope"]?.stringValue { scopes = s.split(separator: " ").map(String.init) }
        return Identity(id: text(["id", "pk", "sub", "user_id", "uid"]), handle: text(["username", "login", "preferred_username"]),
                        name: text(["name", "full_name", "display_name"]), email: text(["email"]), role: text(["role"]),
                        scopes: scopes)
    }

    /// The one name `login` and `whoami` both give the user: what `whoami_identity` points at,
    /// else the user name (or login), else the email, else the name, else the id.
    public var shownName: String? { chosen ?? handle ?? email ?? name ?? id }
}

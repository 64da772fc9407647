/// An ordered, case-insensitive header list: order matters for `-v` output and
/// duplicate names (Set-Cookie, Link) must survive.
public struct HTTPHeaders: Sendable, Equatable, Sequence {
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var fields: [Field] = []

    /// Headers that carry a credential whatever the profile, the one list for every rule
    /// about them: dropped when a request leaves its origin (a redirect, a next page),
    /// hidden by `-v`, `--dry-run` and `--curl`, refused in the config file. The profile's
    /// own key header joins them wherever a profile is known.
    public static let credentialNames = ["Authorization", "Proxy-Authorization", "Cookie", "X-API-Key", "Api-Key",
                                         "X-Auth-Token", "Private-Token", "X-Amz-Security-Token"]

    /// True for one of `credentialNames`, or the profile's own key header.
    /// Letters, digits, '-' and '_': every header name an API documents, and nothing
    /// that could end a header line early.
    public static func isValidName<S: StringProtocol>(_ name: S) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    public static func carriesCredential(_ name: String, keyHeader: String?) -> Bool {
        let wanted = comparable(name)
        return credentialNames.contains { comparable($0) == wanted } || keyHeader.map { comparable($0) == wanted } ?? false
    }

    /// A header name as servers behind CGI, WSGI or PHP see it: case and `_` against `-` make
    /// no difference there (`X_API_KEY` arrives as `X-API-Key`), so none makes one here.
    public static func comparable(_ name: String) -> String {
        name.lowercased().replacingAll("_", with: "-")
    }

    /// Drops every field that `carriesCredential`.
    public mutating func removeCredentials(keyHeader: String?) {
        fields.removeAll { Self.carriesCredential($0.name, keyHeader: keyHeader) }
    }

    public init(_ fields: [Field] = []) { self.fields = fields }

    public subscript(name: String) -> String? {
        let wanted = name.lowercased()
        return fields.first { $0.name.lowercased() == wanted }?.value
    }

    public func values(_ name: String) -> [String] {
        let wanted = name.lowercased()
        return fields.filter { $0.name.lowercased() == wanted }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public mutating func add(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces every field of that name with one.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    public mutating func remove(_ name: String) {
        let wanted = name.lowercased()
        fields.removeAll { $0.name.lowercased() == wanted }
    }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }
}

import FoundationEssentials

/// A key the API just created: the secret, shown once, and what it says about it.
public struct IssuedKey: Sendable {
    public var key: String
    public var id: String?
    public var name: String
    public var scopes: [String]
    public var expiresAt: Date?
}

/// One key as the API lists it.
public struct ListedKey: Sendable, Equatable {
    public var id: String
    public var name: String?
    public var scopes: [String]?
    public var createdAt: Date?
    public var expiresAt: Date?

    public init(id: String, name: String?, scopes: [String]?, createdAt: Date?, expiresAt: Date?) {
        self.id = id
        self.name = name
        self.scopes = scopes
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// A profile's key-management endpoints (`[profiles.NAME.tokens]`), called with
/// whatever credential the client carries.
public struct TokenAPI {
    public let client: APIClient
    public let profile: ResolvedProfile
    public let config: TokensConfig

    public init(client: APIClient, profile: ResolvedProfile) throws(APICtlError) {
        guard let config = profile.tokens else {
            throw APICtlError.config("profile '\(profile.name)' has no [profiles.\(profile.name).tokens] table",
                                     hint: "describe its key endpoints there as docs/tokens.md shows, or use a preset that has them")
        }
        for (name, pointer) in [("key", config.key), ("id", config.id), ("expires_at", config.expiresAt),
                                ("list_items", config.listItems), ("item_id", config.itemID), ("item_name", config.itemName),
                                ("item_scopes", config.itemScopes), ("item_created_at", config.itemCreatedAt),
                                ("item_expires_at", config.itemExpiresAt)] {
            if let pointer, JSONPointer.tokens(pointer) == nil {
                throw APICtlError.config("tokens.\(name) of profile '\(profile.name)' is not a JSON pointer: '\(pointer)'",
                                         hint: "a pointer looks like /data/key")
            }
        }
        self.client = client
        self.profile = profile
        self.config = config
    }

    public var canList: Bool { config.list != nil }

    public func create(name: String, scopes: [String], expiresIn: Double?, now: Date) throws(APICtlError) -> IssuedKey {
        let (method, path) = try endpoint(config.create, "create")
        let values: [String: JSONValue] = [
            "{name}": .string(name),
            "{scopes}": scopes.isEmpty ? .null : JSONValue(scopes),
            "{expires_in}": expiresIn.map { .number(String(Int($0))) } ?? .null,
            "{expires_at}": expiresIn.map { .string(Timestamp.iso8601(now.addingTimeInterval($0))) } ?? .null,
        ]
        let template = config.createBody ?? ["name": "{name}", "scopes": "{scopes}", "expires_in": "{expires_in}"]
        let body = Self.fill(.object(template), with: values) ?? .object([:])
        let response = try call(method, path, body: body)
        let document = JSONValue(parsing: response.body)
        let id = document?.at(pointer: config.id ?? "/id")?.text
        // Past this point the key exists at the API: one apictl cannot use is revoked again where
        // it can be named (its id, else its name in the key list), so no live key is left that nobody holds.
        let revokedUnusable = { () -> Bool in
            guard !revokesCallingKey, let named = id ?? (canList ? (try? list())?.first(where: { $0.name == name })?.id : nil) else { return false }
            return (try? revoke(id: named, goneIsFine: true)) != nil
        }
        guard let document else {
            let revoked = revokedUnusable() ? "; the key it made was revoked again" : ""
            throw APICtlError(.httpError, "the create call answered \(response.status) without a JSON body\(revoked); no key was stored")
        }
        guard let key = document.at(pointer: config.key ?? "/key")?.stringValue, !key.isEmpty else {
            let said = [id.map { "the API named it \($0)" }, revokedUnusable() ? "it was revoked again" : nil].compactMap { $0 }
            let named = said.isEmpty ? "" : " (" + said.joined(separator: "; ") + ")"
            throw APICtlError(.httpError, "the create response has no key at \(config.key ?? "/key")\(named)",
                              hint: "check tokens.key in the profile; nothing was stored")
        }
        if TokenText.issuedProblem(key) != nil {
            let revoked = revokedUnusable()
            try TokenText.checkIssued(key, what: "the key the create call (\(method) \(path)) answered"
                                      + (revoked ? ", which was revoked again," : (id.map { " (id \($0))" } ?? "")),
                                      code: .httpError)
        }
        let expiry = document.at(pointer: config.expiresAt ?? "/expires_at").flatMap(Timestamp.parse)
            ?? expiresIn.map { now.addingTimeInterval($0) }
        // The granted scopes sit beside the id, when the API says which it granted.
        let idPointer = config.id ?? "/id"
        let granted = document.at(pointer: String(idPointer[..<(idPointer.lastIndex(of: "/") ?? idPointer.startIndex)]) + "/scopes")?.stringArray
        return IssuedKey(key: key, id: id, name: name, scopes: granted ?? scopes, expiresAt: expiry)
    }

    /// Every key the API lists, following `Link: rel="next"` pages on the API's origin (at most
    /// `maxListPages`): rotation's recovery looks a key up by name, and a key on page two is a key too.
    public func list() throws(APICtlError) -> [ListedKey] {
        let (method, path) = try endpoint(config.list, "list")
        var url = try profile.url(for: path)
        var items: [JSONValue] = []
        var seen: Set<String> = [url]
        for _ in 0..<Self.maxListPages {
            let response = try call(method, url: url, body: nil)
            guard let page = JSONValue(parsing: response.body)?.at(pointer: config.listItems ?? "")?.arrayValue else {
                throw APICtlError(.httpError, "the list response has no array at '\(config.listItems ?? "")'",
                                  hint: "check tokens.list_items in the profile")
            }
            items += page
            guard let link = response.headers["Link"], let target = LinkHeader.targets(link, relation: "next").first,
                  let next = URLParts.parse(url)?.resolve(target), URLParts.parse(next)?.origin == profile.base.origin,
                  seen.insert(next).inserted else { break }
            url = next
        }
        return items.compactMap { item in
            guard let id = item.at(pointer: config.itemID ?? "/id")?.text else { return nil }
            return ListedKey(id: id, name: item.at(pointer: config.itemName ?? "/name")?.stringValue,
                             scopes: item.at(pointer: config.itemScopes ?? "/scopes")?.stringArray,
                             createdAt: item.at(pointer: config.itemCreatedAt ?? "/created_at").flatMap(Timestamp.parse),
                             expiresAt: item.at(pointer: config.itemExpiresAt ?? "/expires_at").flatMap(Timestamp.parse))
        }
    }

    /// True when the revoke endpoint names no key (no `{id}`, as knox's `POST /logout/`):
    /// it revokes whichever key authenticates the call, so that call must carry the key
    /// being revoked, never the one in use.
    public var revokesCallingKey: Bool { config.revoke.map { !$0.contains("{id}") } ?? false }

    /// Revokes a key: by `id` through an `{id}` endpoint, or, through an endpoint that revokes
    /// its caller, by calling it with `key` itself. `goneIsFine`: a key the API no longer knows
    /// (404) counts as revoked, for recovery, where the interrupted process may have revoked it already.
    public func revoke(id: String?, key: Credential? = nil, goneIsFine: Bool = false) throws(APICtlError) {
        let (method, template) = try endpoint(config.revoke, "revoke")
        if revokesCallingKey {
            guard let key else {
                throw APICtlError.usage("tokens.revoke of '\(profile.name)' (\(method) \(template)) revokes the key that calls it, "
                                        + "and apictl does not hold \(id.map { "key \($0)" } ?? "that key")",
                                        hint: "revoke it with the key itself, or in the API's dashboard")
            }
            _ = try call(method, template, body: nil, accepting: goneIsFine ? [401, 404, 410] : [],
                         as: ResolvedCredential(credential: key, source: .environment(variable: "revoke")))
            return
        }
        guard let id else {
            throw APICtlError.usage("no id is known for the key to revoke", hint: "pass the id; 'apictl token list -p \(profile.name)' shows them")
        }
        do {
            _ = try call(method, template.replacingAll("{id}", with: PercentEncoding.encodeQueryComponent(id)), body: nil,
                         accepting: goneIsFine ? [404, 410] : [])
        } catch where error.message.hasPrefix("404") || error.message.hasPrefix("410") {
            // Not "check the path": the path is the profile's; the id is what the API does not know.
            throw APICtlError(.httpError, "the API does not know a key with id \(id) (\(error.message))",
                              hint: profile.tokens?.list != nil ? "see the ids with 'apictl token list -p \(profile.name)'" : nil)
        }
    }

    /// Placeholders replaced by typed values; a field whose placeholder has no value is left out.
    static func fill(_ value: JSONValue, with values: [String: JSONValue]) -> JSONValue? {
        switch value {
        case .string(let text) where values[text] != nil:
            let replacement = values[text] ?? .null
            return replacement == .null ? nil : replacement
        case .object(let members):
            return .object(members.compactMapValues { fill($0, with: values) })
        case .array(let items):
            return .array(items.compactMap { fill($0, with: values) })
        default:
            return value
        }
    }

    private func endpoint(_ text: String?, _ name: String) throws(APICtlError) -> (String, String) {
        guard let text else {
            throw APICtlError.config("profile '\(profile.name)' has no tokens.\(name) endpoint",
                                     hint: "set it as \"METHOD PATH\", e.g. tokens.\(name) = \"\(name == "revoke" ? "DELETE /api-keys/{id}" : name == "list" ? "GET /api-keys" : "POST /api-keys")\"")
        }
        let parts = text.split(separator: " ", maxSplits: 1).map { String($0).trimmingSpaces() }
        guard parts.count == 2, RequestBuilder.methods.contains(parts[0].uppercased()), !parts[1].isEmpty else {
            throw APICtlError.config("tokens.\(name) of profile '\(profile.name)' is not \"METHOD PATH\": '\(text)'")
        }
        return (parts[0].uppercased(), parts[1])
    }

    /// `as`: another credential to call with (a key revoking itself); else the client's own.
    static let maxListPages = 100

    private func call(_ method: String, _ path: String, body: JSONValue?, accepting extra: Set<Int> = [],
                      as caller: ResolvedCredential? = nil) throws(APICtlError) -> HTTPResponse {
        try call(method, url: try profile.url(for: path), body: body, accepting: extra, as: caller)
    }

    private func call(_ method: String, url: String, body: JSONValue?, accepting extra: Set<Int> = [],
                      as caller: ResolvedCredential? = nil) throws(APICtlError) -> HTTPResponse {
        var headers = HTTPHeaders()
        if body != nil { headers.add("Content-Type", "application/json") }
        let request = HTTPRequest(method: method, url: url, headers: headers,
                                  body: body.map { Array($0.rendered().utf8) }, timeout: 60)
        let client = caller.map { self.client.sibling(credential: $0) } ?? self.client
        let response = try client.fetch(request)
        guard response.head.isSuccess || extra.contains(response.status) else {
            throw HTTPFailure.error(for: response, context: FailureContext(profile: profile, credential: client.credential, now: client.now()))
        }
        return response
    }
}

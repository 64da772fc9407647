import FoundationEssentials

/// When each key was last used, as the audit record tells it: `account list` and `token list`
/// show it beside each key (by its hash, or by its id at the API).
public struct AuditUsage: Sendable {
    private var byTokenID: [String: Date] = [:]
    private var byFingerprint: [String: Date] = [:]

    public init(_ entries: [AuditEntry]) {
        for entry in entries {
            if let id = entry.tokenID { byTokenID[entry.profile + "\u{1F}" + id] = Self.later(byTokenID[entry.profile + "\u{1F}" + id], entry.time) }
            byFingerprint[entry.fingerprint] = Self.later(byFingerprint[entry.fingerprint], entry.time)
        }
    }

    /// A key the API lists by its id, within one profile.
    public func lastUse(tokenID: String, profile: String) -> Date? { byTokenID[profile + "\u{1F}" + tokenID] }

    public func lastUse(fingerprint: String) -> Date? { byFingerprint[fingerprint] }

    private static func later(_ known: Date?, _ time: Date) -> Date { known.map { max($0, time) } ?? time }
}

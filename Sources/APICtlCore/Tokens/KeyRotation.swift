import FoundationEssentials
import Glibc

/// Create -> verify -> store -> revoke old, so the user is never left without a
/// working stored key. A journal (0600, no secret in it) records the step; after
/// a crash, `recover` finishes the rotation (the new key was stored: revoke the
/// old) or rolls it back (it was not: revoke the new one, found by id or name).
/// A key whose create request was in flight when apictl died may appear at the API
/// later (the server commits it after its client is gone): the journal is kept, and
/// each command looks for it again, until `watchWindow` after the request was sent.
public final class KeyRotation {
    public struct Journal: Sendable, Equatable {
        /// "creating", "created" or "stored"
        public var step: String
        public var newName: String
        public var newID: String?
        public var oldID: String?
        /// When the create request was sent: its key may turn up until `watchWindow` after.
        public var startedAt: Date?

        /// `{"step", "new_name", "new_id", "old_id", "started_at"}`: no secret, only what recovery needs to find the keys.
        var bytes: [UInt8] {
            Array(JSONValue.object(["step": .string(step), "new_name": .string(newName), "new_id": JSONValue(newID),
                                    "old_id": JSONValue(oldID),
                                    "started_at": JSONValue(startedAt.map(Timestamp.iso8601))]).rendered().utf8)
        }

        init(step: String, newName: String, newID: String?, oldID: String?, startedAt: Date? = nil) {
            self.step = step
            self.newName = newName
            self.newID = newID
            self.oldID = oldID
            self.startedAt = startedAt
        }

        /// nil when the bytes are not a journal this version wrote.
        init?(bytes: [UInt8]) {
            guard let object = JSONValue(parsing: bytes)?.objectValue, let step = object["step"]?.stringValue,
                  ["creating", "created", "stored"].contains(step), let name = object["new_name"]?.stringValue else { return nil }
            func optional(_ key: String) -> String?? {
                guard let value = object[key], value != .null else { return .some(nil) }
                return value.stringValue.map { .some($0) }
            }
            guard let newID = optional("new_id"), let oldID = optional("old_id"), let started = optional("started_at") else { return nil }
            self.init(step: step, newName: name, newID: newID, oldID: oldID, startedAt: started.flatMap(Timestamp.rfc3339))
        }
    }

    public struct Outcome: Sendable {
        public var newKey: Credential
        /// Set when the old key is still valid at the API and must be revoked by hand.
        public var oldKeyLeft: String?
        public var oldRevokeError: APICtlError?
        /// True when no id was known for the old key, so it was not revoked.
        public var oldIDUnknown: Bool
    }

    /// How long after its create request was sent a key is looked for at the API. A server
    /// may finish a request whose client died well after the client's own 60 s limit.
    public static let watchWindow: TimeInterval = 300

    let api: TokenAPI
    let store: CredentialStore
    let files: ProfileStateFiles
    let now: @Sendable () -> Date
    /// Says what each step did (stderr in the CLI).
    let report: (String) -> Void

    public init(api: TokenAPI, store: CredentialStore, files: ProfileStateFiles, now: @escaping @Sendable () -> Date,
                report: @escaping (String) -> Void) {
        self.api = api
        self.store = store
        self.files = files
        self.now = now
        self.report = report
    }

    /// `verify` asks the API who a key belongs to and throws when it is refused: it checks the new
    /// key before it is stored, and that the old one no longer answers once revoked.
    public func rotate(current: Credential, oldID: String?, name: String, expiresIn: Double?,
                       verify: (Credential) throws(APICtlError) -> Void) throws(APICtlError) -> Outcome {
        let lock = try files.lock(files.rotationLock)
        defer { lock.unlock() }
        try checkNothingPending(current: current)
        var journal = Journal(step: "creating", newName: name, newID: nil, oldID: oldID, startedAt: now())
        let issued = try create(&journal, current: current, expiresIn: expiresIn)
        var fresh = Credential(token: issued.key, tokenID: issued.id, kind: JWT.decode(issued.key) != nil ? "jwt" : "api_key",
                               expiresAt: issued.expiresAt, scopes: issued.scopes.isEmpty ? current.scopes : issued.scopes,
                               createdAt: now())
        fresh.name = name
        fresh = api.profile.bound(fresh)
        do {
            report("verifying the new key\(issued.id.map { " \($0)" } ?? "")")
            try verify(fresh)
            report("storing the new key in the \(store.source)")
            try store.save(fresh, for: files.key)
        } catch {
            report("rolling back: revoking the new key; the old key stays stored")
            _ = try? rollBack(journal, newKey: fresh)
            throw error
        }
        journal.step = "stored"
        try write(journal)
        let outcome = revokeOld(current: current, oldID: oldID, fresh: fresh, verify: verify)
        removeJournal()
        return outcome
    }

    /// No earlier rotation may still be waiting for its key, and the stored key must still be
    /// the one this rotation read: another that finished first while this one waited for the
    /// lock would make this a second new key, and leave the first one nobody's.
    private func checkNothingPending(current: Credential) throws(APICtlError) {
        if FileBytes.exists(files.rotationJournal) {
            throw APICtlError(.httpError, "an earlier rotation's new key may still appear at the API, and apictl is watching for it",
                              hint: "try again once it is found and revoked, within \(Int(Self.watchWindow / 60)) minutes, "
                                  + "or remove \(files.rotationJournal) after checking 'apictl token list'")
        }
        if let stored = try store.loadLatest(files.key), stored.token != current.token {
            throw APICtlError(.httpError, "the stored key of \(files.key) changed while this rotation waited (another rotation finished first); "
                              + "nothing was created", hint: "run the rotation again if you still want a new key")
        }
    }

    /// The create call, with the journal written just before the request leaves (no other file
    /// operation between the two), so a key the server commits after a kill -9 is still found,
    /// and a kill before it leaves none.
    private func create(_ journal: inout Journal, current: Credential, expiresIn: Double?) throws(APICtlError) -> IssuedKey {
        report("creating key '\(journal.newName)'")
        try write(journal)
        let issued: IssuedKey
        do {
            issued = try api.create(name: journal.newName, scopes: current.scopes ?? [], expiresIn: expiresIn, now: now())
        } catch {
            // No answer is not a no: the server may still make the key. The journal stays, and it is watched for.
            if [.network, .serverError].contains(error.exitCode) {
                var kept = error
                kept.hint = "the old key stays stored; if the API made the new key '\(journal.newName)' anyway, apictl revokes it "
                    + "when it finds it: it looks with each command for \(Int(Self.watchWindow / 60)) minutes"
                throw kept
            }
            _ = try? rollBack(journal, newKey: nil)
            throw error
        }
        journal.step = "created"
        journal.newID = issued.id
        try write(journal)
        return issued
    }

    /// Revokes the old key once the new one is stored: by its id with the new key, or with
    /// itself where the endpoint revokes its caller. Never reported done unless the old key
    /// no longer answers.
    private func revokeOld(current: Credential, oldID: String?, fresh: Credential,
                           verify: (Credential) throws(APICtlError) -> Void) -> Outcome {
        let selfRevoking = api.revokesCallingKey
        var outcome = Outcome(newKey: fresh, oldKeyLeft: nil, oldRevokeError: nil, oldIDUnknown: oldID == nil && !selfRevoking)
        guard oldID != nil || selfRevoking else { return outcome }
        let described = oldID ?? "(the key that was stored)"
        // An API that names the new key by the old one's id: revoking that id would revoke the new key.
        if let oldID, oldID == fresh.tokenID {
            outcome.oldKeyLeft = described
            outcome.oldRevokeError = APICtlError(.httpError, "the API gave the new key the old key's id \(oldID); "
                                                 + "the old key was not revoked, so the new one stays working")
            return outcome
        }
        report("revoking the old key \(oldID ?? "")".trimmingSpaces())
        do {
            api.client.use(ResolvedCredential(credential: fresh, source: store.source))
            try api.revoke(id: oldID, key: selfRevoking ? current : nil)
            if (try? verify(current)) != nil {
                outcome.oldKeyLeft = described
                outcome.oldRevokeError = APICtlError(.httpError, "the API accepted the revoke, but the old key still answers")
            }
        } catch {
            outcome.oldKeyLeft = described
            outcome.oldRevokeError = error
        }
        return outcome
    }

    /// Finishes or rolls back a rotation a crash interrupted; what it did, or nil when there was none.
    public func recover() throws(APICtlError) -> String? {
        guard FileBytes.exists(files.rotationJournal) else { return nil }
        let lock = try files.lock(files.rotationLock)
        defer { lock.unlock() }
        if (FileBytes.permissions(files.rotationJournal) ?? 0) & 0o077 != 0 {
            throw .store("\(files.rotationJournal) can be read by other users; refusing to use it",
                         hint: "run 'chmod 600 \(files.rotationJournal)'")
        }
        guard let bytes = FileBytes.contents(of: files.rotationJournal) else { return nil }
        guard let journal = Journal(bytes: bytes) else {
            removeJournal()
            return "an interrupted rotation left an unreadable journal; it was removed (check 'apictl token list' for a stray key)"
        }
        // The API gave the new key the old key's id: nothing here can tell the two apart by id,
        // and revoking that id could revoke the key that is stored. Neither is revoked.
        if let newID = journal.newID, newID == journal.oldID {
            removeJournal()
            return "an interrupted rotation left two keys under one id, \(newID) (the API gave the new key the old key's id); "
                + "neither was revoked: check 'apictl token list' and revoke the one not stored in the API's dashboard"
        }
        // A kill between the store write and the journal's "stored" leaves the new key stored
        // under an older step: the store, not the journal, says which key the user holds.
        let stored = try store.loadLatest(files.key)
        let newKeyIsStored = journal.step == "stored" || stored.map { record in
            (journal.newID != nil && record.tokenID == journal.newID) || record.name == journal.newName
        } ?? false
        if newKeyIsStored {
            if api.revokesCallingKey {
                removeJournal()
                return "finished an interrupted rotation: the new key \(journal.newName) is stored, but the old key was not revoked: "
                    + "its revoke endpoint revokes the key that calls it, and apictl no longer holds it; revoke it in the API's dashboard"
            }
            if let oldID = journal.oldID {
                do { try api.revoke(id: oldID, goneIsFine: true) } catch {
                    return "an interrupted rotation stored its new key, but revoking the old key \(oldID) failed: \(error.message); "
                        + "finish with 'apictl token revoke \(oldID) -p \(files.key.profile)'"
                }
            }
            removeJournal()
            return "finished an interrupted rotation: the new key \(journal.newID ?? "") is stored"
                + (journal.oldID.map { " and the old key \($0) was revoked" } ?? "")
        }
        if api.revokesCallingKey {
            removeJournal()
            return "rolled back an interrupted rotation: the old key stays stored; the half-made key '\(journal.newName)' could not "
                + "be revoked (its endpoint revokes the key that calls it, which apictl never stored): revoke it in the API's dashboard"
        }
        if journal.newID == nil, api.canList, let started = journal.startedAt, now().timeIntervalSince(started) < Self.watchWindow,
           try api.list().first(where: { $0.name == journal.newName }) == nil {
            return "an interrupted rotation's new key '\(journal.newName)' has not appeared at the API yet; the old key stays stored, "
                + "and apictl looks for the new one again with each command for \(Int(Self.watchWindow / 60)) minutes to revoke it"
        }
        return try rollBackInterrupted(journal)
    }

    /// The end of `recover` when the old key stays stored: the half-made key revoked, where it can be found.
    private func rollBackInterrupted(_ journal: Journal) throws(APICtlError) -> String {
        let revoked: String?
        do { revoked = try rollBack(journal, newKey: nil) } catch {
            guard error == Self.sharedID(journal.oldID ?? "") else { throw error }
            return "rolled back an interrupted rotation: the old key stays stored; the half-made key has the old key's id "
                + "\(journal.oldID ?? ""), so it was not revoked: revoke it in the API's dashboard"
        }
        let unseen = journal.newID == nil && !api.canList
            ? "; apictl cannot look for the half-made key '\(journal.newName)' (the profile has no tokens.list): "
                + "check the API's dashboard and revoke it if it is there"
            : "; no half-made key was found at the API"
        return "rolled back an interrupted rotation: the old key stays stored" + (revoked.map { "; the half-made key \($0) was revoked" } ?? unseen)
    }

    /// The rollback that would revoke the key still stored: the new key came back under the old one's id.
    static func sharedID(_ id: String) -> APICtlError {
        APICtlError(.httpError, "the API gave the new key the old key's id \(id); neither was revoked",
                    hint: "revoke the new key in the API's dashboard")
    }

    /// Revokes the new key (by id, else by its unique name in the list, or with the key itself
    /// where the endpoint revokes its caller); what was revoked, if anything.
    @discardableResult
    private func rollBack(_ journal: Journal, newKey: Credential?) throws(APICtlError) -> String? {
        defer { removeJournal() }
        if api.revokesCallingKey {
            guard let newKey else { return nil }
            try api.revoke(id: journal.newID, key: newKey, goneIsFine: true)
            return journal.newID ?? journal.newName
        }
        var id = journal.newID
        if id == nil, api.canList {
            id = try api.list().first { $0.name == journal.newName }?.id
        }
        guard let id else { return nil }
        // The API named the new key by the old key's id: revoking it would revoke the key that stays stored.
        guard id != journal.oldID else { throw Self.sharedID(id) }
        try api.revoke(id: id, goneIsFine: true)
        return id
    }

    private func write(_ journal: Journal) throws(APICtlError) {
        do { try AtomicFile.write(journal.bytes, to: files.rotationJournal, mode: 0o600) } catch {
            throw .store("could not write the rotation journal \(files.rotationJournal): \(error.message)")
        }
    }

    private func removeJournal() {
        _ = unlink(files.rotationJournal)
        AtomicFile.removeStaleTemporaries(of: files.rotationJournal)
    }
}

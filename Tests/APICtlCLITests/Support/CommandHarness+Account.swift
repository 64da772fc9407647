import APICtlCore
import APICtlTestSupport

/// A dzdesk profile whose whoami tells the work key from any other, for the account commands' tests.
extension CommandHarness {
    static let personal = CredentialKey(profile: "dz", environment: nil)
    static let work = CredentialKey(profile: "dz", environment: nil, account: "work")

    static func withAccounts(environment: [String: String] = [:]) throws -> CommandHarness {
        let harness = try CommandHarness(config: CommandHarness.dzdesk, environment: environment)
        harness.transport.on("GET /v1/me") { request in
            let who = request.headers["Authorization"] == "Bearer work-key" ? "ada@work.test" : "ada@home.test"
            return .init(200, #"{"id":"u_1","email":"\#(who)"}"#)
        }
        harness.transport.on("GET /v1/requests") { _ in .init(200, "[]") }
        return harness
    }

    /// `login -p dz --with-token` with `key` on stdin.
    func login(_ key: String, _ extra: String...) -> Run {
        standardInput = Array(key.utf8)
        return run(["login", "-p", "dz", "--with-token"] + extra)
    }

    /// Both accounts stored, as two logins leave them.
    func storeBothAccounts() {
        store.records[Self.personal] = Self.bound(Credential(token: "home-key"))
        store.records[Self.work] = Self.bound(Credential(token: "work-key", tokenID: "k-work"))
    }
}

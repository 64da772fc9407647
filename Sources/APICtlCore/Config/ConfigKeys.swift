import TOMLKit

/// Every key the config file knows, table by table, so a misspelled one (`tokenenv`,
/// `whoammi`, `[profiles.x.paginaton]`) is told with the nearest known key instead of
/// being ignored. Tables whose keys are the user's own (vars, headers, environments'
/// names, request bodies) are not checked.
enum ConfigKeys {
    static let top: Set<String> = ["default_profile", "credential_store", "passphrase_cache", "keyring_cache", "profiles"]
    static let profile: Set<String> = [
        "preset", "auth", "base_url", "token_env", "whoami", "default_env", "environments", "vars", "headers", "ca_cert",
        "pagination", "oauth", "tokens", "ci", "pair", "whoami_key_id", "whoami_identity", "token_command",
        "token_command_timeout", "token_command_cache", "idempotency_header", "openapi", "openapi_max_age",
    ]
    static let tables: [String: Set<String>] = [
        "environments.*": ["base_url", "token_env", "key_prefix", "confirm"],
        "pagination": ["items", "next_url", "next_cursor", "cursor_param", "page_param"],
        "oauth": ["issuer", "authorize_url", "token_url", "device_authorization_url", "revocation_url", "refresh_url",
                  "client_id", "client_secret_env", "client_auth", "token_request", "scopes", "redirect_port",
                  "redirect_path", "redirect_host"],
        "tokens": ["create", "list", "revoke", "create_body", "key", "id", "expires_at", "list_items", "item_id", "item_name",
                   "item_scopes", "item_created_at", "item_expires_at", "rotate_after"],
        "ci": ["exchange", "token_url", "audience", "scopes", "client_id", "subject_token_type", "id_token_env",
               "id_token_file", "mint", "mint_body", "mint_token", "mint_expires_at"],
        "pair": ["obtain", "obtain_body", "obtain_format", "refresh", "refresh_body", "refresh_with", "refresh_format",
                 "revoke", "revoke_body", "revoke_with", "revoke_format",
                 "access", "refresh_token", "expires_in"],
    ]

    /// One line per unknown key: where it is and the known key it most likely meant.
    static func unknown(in root: TOMLTable) -> [String] {
        var out = check(root, known: top, at: "")
        guard let profiles = root["profiles"]?.table else { return out }
        for name in profiles.keys.sorted() {
            guard let table = profiles[name]?.table else { continue }
            let place = "profiles.\(name)"
            out += check(table, known: profile, at: place)
            for (key, known) in tables.sorted(by: { $0.key < $1.key }) {
                if key == "environments.*" {
                    guard let environments = table["environments"]?.table else { continue }
                    for env in environments.keys.sorted() {
                        if let inner = environments[env]?.table { out += check(inner, known: known, at: "\(place).environments.\(env)") }
                    }
                } else if let inner = table[key]?.table {
                    out += check(inner, known: known, at: "\(place).\(key)")
                }
            }
        }
        return out
    }

    private static func check(_ table: TOMLTable, known: Set<String>, at place: String) -> [String] {
        table.keys.sorted().filter { !known.contains($0) }.map { key in
            let where_ = place.isEmpty ? "at the top" : "in [\(place)]"
            return "unknown key '\(key)' \(where_), ignored"
                + (suggestion(key, among: known.sorted()).map { "; did you mean '\($0)'?" } ?? "")
        }
    }
}

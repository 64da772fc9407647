import APICtlCore
import Foundation
import XCTest

/// Configs and small helpers for the `apictl token ...` command tests.
extension CommandHarness {
    /// The credential key of the dzdesk profile `dz`.
    static let dzKey = CredentialKey(profile: "dz", environment: nil)

    /// An OAuth 2.0 profile whose token endpoint is on the API's origin.
    static let oauth = """
    [profiles.td]
    auth = "oauth2"
    base_url = "https://api.td.test/v1"
    whoami = "/users/me"
    [profiles.td.oauth]
    client_id = "cli-app"
    token_url = "https://api.td.test/oauth/token"
    """

    /// A simplejwt-style `[pair]` profile: the refresh token goes in a JSON body.
    static let pair = """
    [profiles.jwt]
    auth = "bearer"
    base_url = "https://api.pair.test"
    whoami = "/api/me/"
    [profiles.jwt.pair]
    obtain = "POST /api/token/"
    refresh = "POST /api/token/refresh/"
    """

    /// A key-management table without a list endpoint.
    static let dzdeskWithoutList = """
    [profiles.dz]
    auth = "bearer"
    base_url = "https://api.dz.test/v1"
    whoami = "/me"
    [profiles.dz.tokens]
    create = "POST /api-keys"
    revoke = "DELETE /api-keys/{id}"
    key = "/data/key"
    id = "/data/id"
    """

    /// django-rest-knox: its revoke endpoint revokes whichever key calls it.
    static let knox = """
    [profiles.knox]
    auth = "token"
    base_url = "https://api.knox.test/api/knox"
    whoami = "/me/"
    [profiles.knox.tokens]
    create = "POST /login/"
    revoke = "POST /logout/"
    create_body = {}
    key = "/token"
    """

    /// `credential` bound to `origin`, as a login through this version stores it.
    static func bound(_ credential: Credential, to origin: String) -> Credential {
        var bound = credential
        bound.origin = origin
        return bound
    }

    /// A request's body parsed as JSON, for comparing without depending on key order.
    static func jsonBody(_ request: HTTPRequest) throws -> NSDictionary {
        let body = try XCTUnwrap(request.body, "the request has a body")
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(body)) as? NSDictionary)
    }

    /// A request's body as text.
    static func textBody(_ request: HTTPRequest) -> String {
        String(decoding: request.body ?? [], as: UTF8.self)
    }
}

@testable import APICtlCore
import FoundationEssentials

/// The OAuth token response reader, and a token command's answer read the same way.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenResponse(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withInput(data, size) { bytes in
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        do throws(APICtlError) {
            let grant = try TokenGrant.parse(bytes, from: "https://auth.test/token")
            expect(!grant.accessToken.isEmpty, "a grant has a token")
            let credential = grant.credential(receivedAt: now, replacing: nil, requestedScopes: ["a"])
            if let expiry = credential.expiresAt { expect(expiry.timeIntervalSince1970.isFinite, "an expiry is a finite date") }
            let record = CredentialRecord.encode(credential)
            expect(JSONValue(parsing: record).flatMap(CredentialRecord.credential)?.token == credential.token,
                   "a stored grant reads back")
        } catch {
            expectPrintable(error.line, "a token endpoint error")
        }
        do throws(APICtlError) {
            let answer = try TokenCommandSource.read(bytes, argv: ["vault", "read"], now: now)
            expect(!answer.token.isEmpty, "a command's answer has a token")
            if let expiry = answer.expiresAt { expect(expiry > now, "a kept answer has not expired") }
        } catch {
            expectPrintable(error.line, "a token command error")
        }
    }
}

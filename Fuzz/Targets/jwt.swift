@testable import APICtlCore
import FoundationEssentials

/// The JWT decoder, on any text, and the dates it hands to formatting.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJWT(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withInput(data, size) { bytes in
        let token = text(bytes)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for candidate in [token, "eyJhbGciOiJub25lIn0." + token + ".x"] {
            guard let claims = JWT.decode(candidate) else { continue }
            for date in [claims.expiresAt, claims.issuedAt].compactMap({ $0 }) {
                _ = Timestamp.iso8601(date)
                _ = humanDuration(date.timeIntervalSince(now))
            }
        }
    }
}

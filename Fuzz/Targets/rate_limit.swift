@testable import APICtlCore
import FoundationEssentials

/// The rate-limit header parser: each input line "Name: value" is a response header.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRateLimit(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withInput(data, size) { bytes in
        var headers = HTTPHeaders()
        for line in text(bytes).split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":", maxSplits: 1)
            headers.add(String(parts.first ?? ""), parts.count > 1 ? String(parts[1]) : "")
        }
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let status = RateLimitStatus.parse(headers, now: now)
        if let limit = status.limit { expect(limit >= 0, "a limit is never negative") }
        if let remaining = status.remaining { expect(remaining >= 0, "remaining is never negative") }
        if let wait = status.retryAfter { expect(wait.isFinite && wait >= 0, "a wait is a finite, non-negative time") }
        if let reset = status.resetAt {
            expect(reset.timeIntervalSince1970.isFinite, "a reset is a finite date")
            _ = humanDuration(reset.timeIntervalSince(now))
        }
    }
}

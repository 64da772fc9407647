@testable import APICtlCore
import FoundationEssentials

/// The API error decoder: the first two bytes pick a status, the rest is the body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAPIError(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withInput(data, size) { bytes in
        let status = 400 + Int(bytes.first ?? 0) % 200
        let body = Array(bytes.dropFirst())
        _ = APIErrorDecoder.decode(body)
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/json")
        let response = HTTPResponse(head: HTTPResponseHead(status: status, headers: headers), body: body)
        let error = HTTPFailure.error(for: response, context: FailureContext(profile: nil, credential: nil, now: Date()))
        expectPrintable(error.line, "an API error")
        expect(error.exitCode != .success, "an HTTP error is never exit 0")
        _ = OAuthClient.failure(response)
    }
}

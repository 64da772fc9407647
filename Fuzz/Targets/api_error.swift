@testable import APICtlCore
import FoundationEssentials

/// The API error decoder: the first byte picks a status and, by its lowest bit, whether the body is
/// declared `application/problem+json`; the rest is the body. The seeds hold every shape the
/// decoder reads (the seed APIs', RFC 7807, OAuth, field maps, problem lists bare and wrapped).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAPIError(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withInput(data, size) { bytes in
        let status = 400 + Int(bytes.first ?? 0) % 200
        let body = Array(bytes.dropFirst())
        let contentType = (bytes.first ?? 0) & 1 == 1 ? "application/problem+json" : "application/json"
        _ = APIErrorDecoder.decode(body, contentType: contentType)
        var headers = HTTPHeaders()
        headers.add("Content-Type", contentType)
        let response = HTTPResponse(head: HTTPResponseHead(status: status, headers: headers), body: body)
        let error = HTTPFailure.error(for: response, context: FailureContext(profile: nil, credential: nil, now: Date()))
        expectPrintable(error.line, "an API error")
        expect(error.exitCode != .success, "an HTTP error is never exit 0")
        _ = OAuthClient.failure(response)
    }
}

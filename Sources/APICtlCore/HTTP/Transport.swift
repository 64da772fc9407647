/// Sends one request, without following redirects: following them is the
/// client's job, because only the client knows which headers are credentials.
public protocol Transport: AnyObject {
    func send(_ request: HTTPRequest, to consumer: ResponseConsumer) throws(TransportError) -> HTTPResponseHead
}

public enum TransportError: Error, Equatable, Sendable {
    case invalidURL(String)
    case resolve(String)
    case connect(String)
    case timeout(String)
    case tls(String)
    /// The server ended the TLS handshake over the client certificate: none given, or one it does not trust.
    case certificateRefused(String)
    /// The proxy answered the CONNECT with 407: it wants credentials, or others.
    case proxyAuthentication(String)
    /// The proxy's name did not resolve or it took no connection: the request never left.
    case proxyUnreachable(String)
    /// The connection broke or the server sent something that is not HTTP.
    case protocolFailure(String)
    /// The consumer refused the body (disk full, closed pipe); its own error is kept and told as it is.
    case consumer(APICtlError)
    /// Never sent: the client's own rate-limit budget would hold it back longer than allowed.
    case heldBack(APICtlError)
    case other(String)

    /// The detail of `certificateRefused` when the request presented none.
    public static let noCertificateGiven = "no client certificate was presented"

    /// Whether the request may have reached the server: not when no connection or TLS session
    /// was made, nor when the client held it back.
    public var mayHaveSent: Bool {
        switch self {
        case .invalidURL, .resolve, .connect, .tls, .certificateRefused, .proxyAuthentication, .proxyUnreachable, .heldBack: return false
        case .timeout, .protocolFailure, .consumer, .other: return true
        }
    }

    public var detail: String {
        switch self {
        case .invalidURL(let s), .resolve(let s), .connect(let s), .timeout(let s), .tls(let s),
             .certificateRefused(let s), .proxyAuthentication(let s), .proxyUnreachable(let s), .protocolFailure(let s), .other(let s):
            return s
        case .consumer(let error), .heldBack(let error):
            return error.message
        }
    }
}

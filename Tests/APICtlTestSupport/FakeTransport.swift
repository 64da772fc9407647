import APICtlCore
import Foundation

/// A transport that answers from a script instead of the network: each route is
/// "METHOD /path" (the query ignored), answered by a handler that sees the
/// request exactly as it would have gone on the wire.
public final class FakeTransport: Transport, @unchecked Sendable {
    public struct Reply {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]

        public init(_ status: Int, _ body: String = "", headers: [(String, String)] = [("Content-Type", "application/json")]) {
            self.status = status
            self.headers = headers
            self.body = Array(body.utf8)
        }
    }

    /// Safe to send from many threads at once (`batch`'s workers).
    private let lock = Monitor()
    private var sentSoFar: [HTTPRequest] = []
    public var sent: [HTTPRequest] { lock.locked { sentSoFar } }
    private var routes: [String: (HTTPRequest) -> Reply] = [:]

    public init() {}

    public func on(_ route: String, _ handler: @escaping (HTTPRequest) -> Reply) { lock.locked { routes[route] = handler } }

    /// The requests sent to one route, in order.
    public func requests(_ route: String) -> [HTTPRequest] { sent.filter { Self.route(of: $0) == route } }

    public func send(_ request: HTTPRequest, to consumer: ResponseConsumer) throws(TransportError) -> HTTPResponseHead {
        let handler = lock.locked { () -> ((HTTPRequest) -> Reply)? in
            sentSoFar.append(request)
            return routes[Self.route(of: request)]
        }
        guard let handler else { throw .connect("no route for \(Self.route(of: request))") }
        let reply = handler(request)
        var headers = HTTPHeaders()
        for (name, value) in reply.headers { headers.add(name, value) }
        let head = HTTPResponseHead(status: reply.status, reason: "", headers: headers)
        do throws(APICtlError) { try consumer.begin(head) } catch { throw .consumer(error) }
        var failure: APICtlError?
        reply.body.withUnsafeBytes { bytes in
            do throws(APICtlError) { try consumer.append(bytes) } catch { failure = error }
        }
        if let failure { throw .consumer(failure) }
        return head
    }

    static func route(of request: HTTPRequest) -> String {
        let path = URLParts.parse(request.url)?.path ?? request.url
        return request.method + " " + (path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path)
    }
}

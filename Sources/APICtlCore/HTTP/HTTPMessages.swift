/// What the core asks a transport to send. The URL is already absolute and
/// already carries its query; credentials are already attached.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]?
    /// Whole-request limit in seconds; nil means none.
    public var timeout: Double?
    /// Give up when no byte arrives for this long (seconds), however long the whole takes.
    public var stallTimeout: Double = HTTPRequest.defaultStallTimeout
    /// A server that accepts and then says nothing is given up on after this long by default.
    public static let defaultStallTimeout: Double = 30
    /// PEM bundle for a private CA; nil means the system's.
    public var caCertPath: String?
    /// The proxy to go through ("" for none); nil leaves it to libcurl's own reading of the environment.
    public var proxy: String?

    public init(method: String, url: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8]? = nil,
                timeout: Double? = nil, caCertPath: String? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.caCertPath = caCertPath
    }
}

/// Status line and headers of a response, delivered before any of its body.
public struct HTTPResponseHead: Sendable, Equatable {
    public var status: Int
    public var reason: String
    public var httpVersion: String
    public var headers: HTTPHeaders

    public init(status: Int, reason: String = "", httpVersion: String = "HTTP/1.1", headers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.reason = reason
        self.httpVersion = httpVersion
        self.headers = headers
    }

    public var isSuccess: Bool { (200..<300).contains(status) }
    public var isRedirect: Bool { [301, 302, 303, 307, 308].contains(status) }
}

/// A fully buffered response, for the calls whose bodies are small (whoami, errors).
public struct HTTPResponse: Sendable {
    public var head: HTTPResponseHead
    public var body: [UInt8]

    public init(head: HTTPResponseHead, body: [UInt8]) {
        self.head = head
        self.body = body
    }

    public var status: Int { head.status }
    public var headers: HTTPHeaders { head.headers }
}

/// Receives a response as it arrives, so a large body can go straight to a file
/// or stdout without being held in memory.
public protocol ResponseConsumer: AnyObject {
    func begin(_ head: HTTPResponseHead) throws(APICtlError)
    func append(_ chunk: UnsafeRawBufferPointer) throws(APICtlError)
    /// Forgets a failed attempt so the request can be sent again; false when
    /// that is impossible (part of a body already went to stdout).
    func restart() -> Bool
}

/// Keeps the whole body in memory.
public final class BufferingConsumer: ResponseConsumer {
    public private(set) var head: HTTPResponseHead?
    public private(set) var body: [UInt8] = []
    /// Bodies beyond this are cut, so a hostile server cannot exhaust memory.
    public let limit: Int

    public init(limit: Int = 64 << 20) { self.limit = limit }

    public func begin(_ head: HTTPResponseHead) throws(APICtlError) {
        self.head = head
        body.removeAll(keepingCapacity: true)
    }

    public func append(_ chunk: UnsafeRawBufferPointer) throws(APICtlError) {
        let room = limit - body.count
        if room > 0 { body.append(contentsOf: chunk.prefix(room)) }
    }


    public func restart() -> Bool {
        head = nil
        body.removeAll()
        return true
    }
}

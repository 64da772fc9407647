import Glibc

/// A request body read as it is sent (`-d @file`, `-d @-`), like `curl -T`: memory
/// stays flat whatever its size.
public struct BodyStream: Sendable {
    public let fd: Int32
    /// Bytes already read from a pipe, sent before the rest of it.
    public var prefix: [UInt8] = []
    /// Bytes to send, when known (a regular file); nil sends it chunked.
    public let length: Int64?
    /// Where it starts, when the descriptor can seek back there to send it again
    /// (a retry, a 307); nil for a pipe, which can be sent once.
    public let start: Int64?

    public init(fd: Int32, length: Int64?, start: Int64?) {
        self.fd = fd
        self.length = length
        self.start = start
    }

    /// A pipe's first bytes are read ahead up to this many: a body that ends by then goes
    /// out with a Content-Length (which every server takes) and can be sent again.
    public static let readAhead = 1 << 20

    /// The body of an open descriptor: a regular file's length and position; else (a pipe,
    /// a terminal) its bytes when they end within `readAhead`, or a one-way chunked stream.
    public static func reading(_ fd: Int32) -> Either {
        var info = stat()
        let position = lseek(fd, 0, SEEK_CUR)
        if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, position >= 0 {
            return .stream(BodyStream(fd: fd, length: max(0, Int64(info.st_size) - Int64(position)), start: Int64(position)))
        }
        let head = FileBytes.readAll(fd, limit: readAhead) ?? []
        guard head.count > readAhead else { return .bytes(head) }
        var stream = BodyStream(fd: fd, length: nil, start: nil)
        stream.prefix = head
        return .stream(stream)
    }

    /// What `reading` found: a body small enough to hold, or one to stream.
    public enum Either: Sendable {
        case bytes([UInt8])
        case stream(BodyStream)
    }
}

/// What the core asks a transport to send. The URL is already absolute and
/// already carries its query; credentials are already attached.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]?
    /// A body streamed from a file or stdin instead of `body`.
    public var bodyStream: BodyStream?
    /// Header lines given as bytes that are not UTF-8 text, sent exactly as given.
    public var rawHeaders: [[UInt8]] = []
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
    /// The user and password the proxy asked for (407), from the store: they go to the proxy only.
    public var proxyCredential: ProxyCredential?
    /// Presented in the TLS handshake: set for the profile's own origin, and for a token endpoint
    /// that authenticates the client by it (RFC 8705).
    public var clientCertificate: ClientCertificate?
    /// Set when apictl put a secret in the body or headers itself (a password, a client secret,
    /// a refresh token, a CI ID token): such a request never leaves its origin on a redirect,
    /// never goes over plain http off this machine, and never through a plain-http proxy.
    public var carriesSecrets = false
    /// Set by the client when it put the profile's credential in this request (not a credential
    /// the user gave, not on another origin): a 401 to it is about that credential.
    public var carriesProfileCredential = false
    /// A new connection for this request: a request that must not be repeated (libcurl resends
    /// one, unasked, when a reused connection turns out closed before it answered).
    public var freshConnection = false
    /// The secrets it carries besides the client's credential (a password, a refresh token):
    /// `-v` masks them in what it shows of this request and its answer, as error lines do.
    public var secrets: [String] = []

    public init(method: String, url: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8]? = nil,
                timeout: Double? = nil, caCertPath: String? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.caCertPath = caCertPath
    }

    /// Whether the body can be sent again (a retry, a 307/308): a pipe can be read only once.
    public var canResend: Bool { bodyStream.map { $0.start != nil } ?? true }

    /// The body's size for `-v`, nil when it streams from a pipe.
    public var bodySize: Int64? { bodyStream.map(\.length) ?? Int64(body?.count ?? 0) }

    /// Ready for another attempt: a streamed body goes back to its start. False when it cannot.
    public func rewind() -> Bool {
        guard let stream = bodyStream else { return true }
        guard let start = stream.start else { return false }
        return lseek(stream.fd, off_t(start), SEEK_SET) == off_t(start)
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
    /// A longer body is refused, so a hostile server cannot exhaust memory (and a cut one
    /// is never taken for the whole).
    public let limit: Int

    public init(limit: Int = 64 << 20) { self.limit = limit }

    public func begin(_ head: HTTPResponseHead) throws(APICtlError) {
        self.head = head
        body.removeAll(keepingCapacity: true)
    }

    public func append(_ chunk: UnsafeRawBufferPointer) throws(APICtlError) {
        guard chunk.count <= limit - body.count else {
            throw APICtlError(.network, "the response is larger than \(limit >> 20) MiB, more than apictl holds in memory",
                              hint: "save it with 'apictl request ... -o FILE', which streams it")
        }
        body.append(contentsOf: chunk)
    }


    public func restart() -> Bool {
        head = nil
        body.removeAll()
        return true
    }
}

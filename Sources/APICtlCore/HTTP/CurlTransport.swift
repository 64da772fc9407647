import CCurl
import CX509
import Glibc

/// libcurl behind the `Transport` protocol. One easy handle is kept for the
/// life of the transport so that consecutive requests (pagination, retries,
/// rotate's create/verify/revoke) reuse one connection.
public final class CurlTransport: Transport {
    private let handle: UnsafeMutableRawPointer

    public init() throws(TransportError) {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        guard let handle = curl_easy_init() else { throw .other("libcurl could not start") }
        self.handle = handle
    }

    deinit { curl_easy_cleanup(handle) }

    public func send(_ request: HTTPRequest, to consumer: ResponseConsumer) throws(TransportError) -> HTTPResponseHead {
        curl_easy_reset(handle)
        let transfer = CurlTransfer(handle: handle, request: request, consumer: consumer)
        return try transfer.finish(curl_easy_perform(handle))
    }
}

/// One request set up on an easy handle, whoever performs it: `CurlTransport` at once,
/// or `CurlMultiplexer` beside others on shared connections. It owns what libcurl reads
/// while the transfer runs (the header list, the error buffer, the callbacks' state).
final class CurlTransfer {
    private let handle: UnsafeMutableRawPointer
    private let state: TransferState
    private let unmanaged: Unmanaged<TransferState>
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// The proxy for messages, without any user:password.
    private let proxyShown: String
    private let usesProxy: Bool
    /// Set by OpenSSL when the server asked for a client certificate and this transfer had none.
    private let certificateAsked: UnsafeMutablePointer<Int32>
    private static let userAgent = "apictl/\(APICtlVersion.current)"

    init(handle: UnsafeMutableRawPointer, request: HTTPRequest, consumer: ResponseConsumer) {
        self.handle = handle
        state = TransferState(consumer: consumer)
        unmanaged = Unmanaged.passRetained(state)
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        proxyShown = request.proxy.map(APIClient.withoutUserInfo) ?? "the proxy"
        usesProxy = !(request.proxy ?? "").isEmpty
        certificateAsked = .allocate(capacity: 1)
        certificateAsked.initialize(to: 0)
        apictl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        configureTransfer(request)
        configureMethod(request)
        headerList = Self.headerLines(request)
        apictl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
        apictl_setopt_pointer(handle, CURLOPT_HEADERDATA, unmanaged.toOpaque())
        apictl_setopt_data_fn(handle, CURLOPT_HEADERFUNCTION, curlHeaderCallback)
        apictl_setopt_pointer(handle, CURLOPT_WRITEDATA, unmanaged.toOpaque())
        apictl_setopt_data_fn(handle, CURLOPT_WRITEFUNCTION, curlWriteCallback)
        if let stream = request.bodyStream {
            // Larger reads mean fewer callbacks for a big upload; memory stays flat all the same.
            apictl_setopt_long(handle, CURLOPT_UPLOAD_BUFFERSIZE, 512 << 10)
            state.upload = stream.fd
            state.uploadPrefix = stream.prefix[...]
            apictl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(stream.length ?? -1))
            apictl_setopt_pointer(handle, CURLOPT_READDATA, unmanaged.toOpaque())
            apictl_setopt_data_fn(handle, CURLOPT_READFUNCTION, curlReadCallback)
        } else if let body = request.body {
            apictl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            _ = body.withUnsafeBufferPointer { bytes in
                // COPYPOSTFIELDS: libcurl keeps its own copy, so the array may go.
                apictl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS,
                                      UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafePointer(bitPattern: 1)))
            }
        }
    }

    deinit {
        // The handle may be set up again: nothing of this transfer's may stay behind in it.
        apictl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, nil)
        apictl_setopt_slist(handle, CURLOPT_HTTPHEADER, nil)
        curl_slist_free_all(headerList)
        apictl_setopt_pointer(handle, CURLOPT_SSL_CTX_DATA, nil)
        errorBuffer.deallocate()
        certificateAsked.deallocate()
        unmanaged.release()
    }

    /// The response head once libcurl has performed the transfer with `code`, or what went wrong.
    func finish(_ code: CURLcode) throws(TransportError) -> HTTPResponseHead {
        if let consumerError = state.consumerError { throw .consumer(consumerError) }
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            var connectStatus = 0
            apictl_getinfo_long(handle, CURLINFO_HTTP_CONNECTCODE, &connectStatus)
            // 407 asks for credentials; tinyproxy answers wrong ones with 401.
            if connectStatus == 407 || connectStatus == 401 {
                throw .proxyAuthentication("\(proxyShown) answered \(connectStatus) (\(connectStatus == 407 ? "credentials needed" : "credentials refused"))")
            }
            // Through a proxy, the only connection libcurl opens is the proxy's.
            if usesProxy, [CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_PROXY].contains(code) {
                throw .proxyUnreachable(proxyShown + (detail.isEmpty ? "" : " (\(detail))"))
            }
            // The server asked for a certificate this request had none of, then ended the connection
            // (with an alert, or a reset that raced it): that is why, whatever libcurl read last.
            if certificateAsked.pointee != 0, [CURLE_SSL_CONNECT_ERROR, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING].contains(code) {
                throw .certificateRefused(TransportError.noCertificateGiven)
            }
            throw Self.transportError(code, detail: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
        }
        // A body-less response (HEAD, 204) never triggers the write callback.
        state.beginIfNeeded()
        if let error = state.consumerError { throw .consumer(error) }
        guard let head = state.head else { throw .protocolFailure("the server closed the connection without a response") }
        return head
    }

    /// Where the transfer goes and how long it may take: the URL (http and https only), the
    /// time limits, the CA and the proxy apictl chose.
    private func configureTransfer(_ request: HTTPRequest) {
        apictl_setopt_string(handle, CURLOPT_URL, request.url)
        apictl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        apictl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        apictl_setopt_string(handle, CURLOPT_USERAGENT, Self.userAgent)
        apictl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, 10_000)
        // Larger reads mean fewer callbacks and write(2)s for big bodies; memory stays flat.
        apictl_setopt_long(handle, CURLOPT_BUFFERSIZE, 512 << 10)
        // No byte for stallTimeout seconds ends the transfer; a download that keeps moving is never cut.
        apictl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1)
        apictl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, max(1, min(request.stallTimeout.rounded(.up), 86_400).saturatingInt))
        if let timeout = request.timeout {
            apictl_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(1, min(timeout * 1000, 1e12).saturatingInt))
        }
        if let ca = request.caCertPath { apictl_setopt_string(handle, CURLOPT_CAINFO, ca) }
        if let proxy = request.proxy {
            // apictl chose (no_proxy included): libcurl must not choose again from the environment.
            apictl_setopt_string(handle, CURLOPT_PROXY, proxy)
            apictl_setopt_string(handle, CURLOPT_NOPROXY, "")
        }
        if let credential = request.proxyCredential {
            // Basic only: curl then sends it on the CONNECT (or the proxied request) at once,
            // and never to the origin, whose headers are ours.
            apictl_setopt_string(handle, CURLOPT_PROXYUSERNAME, credential.user)
            apictl_setopt_string(handle, CURLOPT_PROXYPASSWORD, credential.password)
            apictl_setopt_long(handle, CURLOPT_PROXYAUTH, 1)   // CURLAUTH_BASIC
        }
        if let certificate = request.clientCertificate {
            presentCertificate(certificate)
        } else if request.url.hasPrefix("https:") {
            apictl_curl_note_certificate_request(handle, certificateAsked)
        }
        if request.freshConnection { apictl_setopt_long(handle, CURLOPT_FRESH_CONNECT, 1) }
    }

    /// The certificate and key exactly as apictl checked them, from memory: never a temporary file.
    private func presentCertificate(_ certificate: ClientCertificate) {
        apictl_setopt_string(handle, CURLOPT_SSLCERTTYPE, "PEM")
        _ = certificate.chainPEM.withUnsafeBytes { apictl_setopt_blob(handle, CURLOPT_SSLCERT_BLOB, $0.baseAddress, $0.count) }
        apictl_setopt_string(handle, CURLOPT_SSLKEYTYPE, "PEM")
        _ = certificate.keyPEM.withUnsafeBytes { apictl_setopt_blob(handle, CURLOPT_SSLKEY_BLOB, $0.baseAddress, $0.count) }
    }

    /// The request's headers as libcurl's list (the caller frees it), raw byte lines included.
    private static func headerLines(_ request: HTTPRequest) -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>?
        for field in request.headers {
            list = curl_slist_append(list, "\(field.name): \(field.value)")
        }
        for line in request.rawHeaders {
            list = (line + [0]).withUnsafeBytes { bytes in
                curl_slist_append(list, bytes.baseAddress?.assumingMemoryBound(to: CChar.self))
            } ?? list
        }
        // libcurl adds these on its own; an explicit empty value removes them (a POST with no
        // body would otherwise claim to be a form).
        if !request.headers.contains("Expect") { list = curl_slist_append(list, "Expect:") }
        if request.body == nil, request.bodyStream == nil, !request.headers.contains("Content-Type") {
            list = curl_slist_append(list, "Content-Type:")
        }
        return list
    }

    private func configureMethod(_ request: HTTPRequest) {
        switch request.method {
        case _ where request.bodyStream != nil:
            // POST with a read callback; another method keeps its name (PUT, PATCH) and the body.
            apictl_setopt_long(handle, CURLOPT_POST, 1)
            if request.method != "POST" { apictl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method) }
        case "GET" where request.body == nil:
            apictl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case "HEAD":
            apictl_setopt_long(handle, CURLOPT_NOBODY, 1)
        default:
            if request.body == nil, request.method != "GET" {
                // POST/PUT/... with no body still needs Content-Length: 0.
                apictl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, 0)
                apictl_setopt_string(handle, CURLOPT_POSTFIELDS, "")
            }
            apictl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        }
    }

    private static func transportError(_ code: CURLcode, detail: String) -> TransportError {
        if let alert = refusedCertificateAlert(detail) { return .certificateRefused(alert) }
        switch code {
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: return .invalidURL(detail)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: return .resolve(detail)
        case CURLE_COULDNT_CONNECT: return .connect(detail)
        case CURLE_OPERATION_TIMEDOUT: return .timeout(detail)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            return .tls(detail)
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE,
             CURLE_WEIRD_SERVER_REPLY, CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_BAD_CONTENT_ENCODING:
            return .protocolFailure(detail)
        default: return .other(detail)
        }
    }
}

extension CurlTransfer {
    /// The alert of a server that ended the handshake over the client certificate ("tlsv13 alert
    /// certificate required", "sslv3 alert bad certificate", "tlsv1 alert unknown ca"): an alert
    /// the server sent is about what the client presented, never about the server's own certificate.
    static func refusedCertificateAlert(_ detail: String) -> String? {
        guard let alert = detail.firstRange(ofText: " alert ") else { return nil }
        let start = detail[..<alert.lowerBound].lastIndex(of: ":").map { detail.index(after: $0) } ?? detail.startIndex
        let end = detail[alert.upperBound...].firstIndex(of: ",") ?? detail.endIndex
        let text = String(detail[start..<end])
        let refusals = ["certificate", "unknown ca", "access denied"]
        return refusals.contains(where: { text.containsText($0) }) ? text : nil
    }
}

/// Per-transfer state reached from libcurl's callbacks through their userdata pointer.
private final class TransferState {
    let consumer: ResponseConsumer
    var head: HTTPResponseHead?
    var pendingStatus: (version: String, status: Int, reason: String)?
    var pendingHeaders = HTTPHeaders()
    var begun = false
    var consumerError: APICtlError?
    /// The descriptor a streamed body is read from, if any.
    var upload: Int32 = -1
    /// Read-ahead bytes of a piped body, sent before the rest of the pipe.
    var uploadPrefix: ArraySlice<UInt8> = []

    init(consumer: ResponseConsumer) { self.consumer = consumer }

    func headerLine(_ line: UnsafeRawBufferPointer) {
        var bytes = Array(line)
        while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
        let text = String(decoding: bytes, as: UTF8.self)
        if text.hasPrefix("HTTP/") {
            let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            let status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            pendingStatus = (String(parts.first ?? "HTTP/1.1"), status, parts.count > 2 ? String(parts[2]) : "")
            pendingHeaders = HTTPHeaders()
        } else if text.isEmpty {
            // End of one header block; 1xx blocks are followed by the real one.
            if let status = pendingStatus, !(100..<200).contains(status.status) {
                head = HTTPResponseHead(status: status.status, reason: status.reason,
                                        httpVersion: status.version, headers: pendingHeaders)
            }
        } else if let colon = text.firstIndex(of: ":") {
            let name = String(text[..<colon])
            let value = text[text.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            pendingHeaders.add(name, String(value))
        }
    }

    func beginIfNeeded() {
        guard !begun, let head, consumerError == nil else { return }
        begun = true
        do { try consumer.begin(head) } catch { consumerError = error }
    }
}

private let curlHeaderCallback: apictl_curl_data_fn = { data, size, count, userdata in
    guard let data, let userdata else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    state.headerLine(UnsafeRawBufferPointer(start: data, count: length))
    return length
}

private let curlWriteCallback: apictl_curl_data_fn = { data, size, count, userdata in
    guard let data, let userdata else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    state.beginIfNeeded()
    if state.consumerError != nil { return 0 }
    do throws(APICtlError) {
        try state.consumer.append(UnsafeRawBufferPointer(start: data, count: length))
    } catch {
        state.consumerError = error
        return 0
    }
    return length
}

/// Fills libcurl's upload buffer from the body's descriptor: the body is never held whole.
private let curlReadCallback: apictl_curl_data_fn = { buffer, size, count, userdata in
    guard let buffer, let userdata else { return Int(CURL_READFUNC_ABORT) }
    let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
    if !state.uploadPrefix.isEmpty {
        let n = min(state.uploadPrefix.count, size * count)
        state.uploadPrefix.prefix(n).withUnsafeBytes { bytes in
            if let base = bytes.baseAddress { UnsafeMutableRawPointer(buffer).copyMemory(from: base, byteCount: n) }
        }
        state.uploadPrefix = state.uploadPrefix.dropFirst(n)
        return n
    }
    while true {
        let n = read(state.upload, buffer, size * count)
        if n >= 0 { return n }
        if errno != EINTR { return Int(CURL_READFUNC_ABORT) }
    }
}

import FoundationEssentials
import Glibc

/// The RFC 8252 loopback redirect: a listener on 127.0.0.1, bound before the
/// browser opens, that waits for the one request carrying our `state`. Stray
/// requests (another path, another state) get a 4xx page and the wait goes on.
///
/// Any local user can connect to the port, so no connection may hold the wait: every open
/// one is read as its bytes arrive (poll, never a blocking read), one that has not sent its
/// request within `connectionLimit` seconds is closed, and the login's deadline holds
/// throughout. A connection that trickles a byte a second once held it for minutes.
public final class LoopbackReceiver {
    /// Seconds a connection has to send its whole request line and headers.
    static let connectionLimit: TimeInterval = 5
    /// Connections read at once; past this, the oldest is dropped for the newest.
    static let connectionCount = 32
    public let port: Int
    public let redirectURI: String
    private let listener: Int32
    private let path: String

    /// `host` is the name in the redirect URI; the socket is always bound to 127.0.0.1.
    public init(host: String, port: Int, path: String) throws(APICtlError) {
        self.path = path.hasPrefix("/") ? path : "/" + path
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw APICtlError(.network, "cannot open a socket for the OAuth redirect: \(Self.lastError)") }
        // A fixed redirect_port must serve a second login at once, not after the last one's TIME-WAIT.
        var reuse: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(clamping: port)).bigEndian
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(listener, 8) == 0 else {
            let reason = errno == EADDRINUSE ? "is already in use" : "cannot be used (\(Self.lastError))"
            close(listener)
            throw APICtlError(.network, "port \(port) on 127.0.0.1 for the OAuth redirect \(reason)",
                              hint: "another login may still be waiting on it ('ss -ltnp sport = :\(port)' shows what holds it); "
                                  + "or set oauth.redirect_port to a port the provider accepts, 0 for any free one (RFC 8252 providers accept any)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        redirectURI = "http://\(host):\(self.port)\(self.path)"
    }

    deinit { close(listener) }

    /// Waits for the browser's redirect, or for a redirect URL or code pasted on
    /// `pasteFD`, until `deadline`. Returns the authorization code.
    public func waitForCode(state: String, deadline: Date, pasteFD: Int32?) throws(APICtlError) -> String {
        var paste = pasteFD.map { PastedLine(fd: $0) }
        var connections: [Connection] = []
        defer { for connection in connections { close(connection.fd) } }
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else {
                throw APICtlError.auth("the login was not completed in time", hint: "run it again, or raise --timeout")
            }
            connections.removeAll { connection in
                guard connection.openedAt.timeIntervalSinceNow < -Self.connectionLimit else { return false }
                close(connection.fd)
                return true
            }
            var fds = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            fds += connections.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            if let paste { fds.append(pollfd(fd: paste.fd, events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(left, 0.25) * 1000))
            if ready < 0 && errno != EINTR { throw APICtlError(.network, "waiting for the OAuth redirect failed: \(Self.lastError)") }
            // Every connection that has sent its whole request is answered (and closed), in turn.
            let complete = connections.indices.filter { fds[$0 + 1].revents != 0 && connections[$0].receive() }.map { connections[$0] }
            connections.removeAll { connection in complete.contains { $0 === connection } }
            defer { for connection in complete { close(connection.fd) } }
            for connection in complete {
                if let code = try answer(connection.fd, request: connection.request, state: state) { return code }
            }
            if fds[0].revents & Int16(POLLIN) != 0, let accepted = acceptConnection() {
                if connections.count >= Self.connectionCount { close(connections.removeFirst().fd) }
                connections.append(accepted)
            }
            if let reading = paste, fds[fds.count - 1].revents != 0 {
                switch reading.read() {
                case .waiting: break
                case .ended: paste = nil
                case .line(let line): return try Self.code(fromPasted: line, state: state)
                }
            }
        }
    }

    /// A new connection, non-blocking; nil when the accept failed (the peer already gone).
    private func acceptConnection() -> Connection? {
        let accepted = accept(listener, nil, nil)
        guard accepted >= 0 else { return nil }
        _ = fcntl(accepted, F_SETFD, FD_CLOEXEC)
        _ = fcntl(accepted, F_SETFL, fcntl(accepted, F_GETFL) | O_NONBLOCK)
        return Connection(fd: accepted)
    }

    /// A redirect URL or code typed or pasted on a descriptor, read a line at a time.
    private final class PastedLine {
        enum Outcome { case waiting, ended, line(String) }
        let fd: Int32
        private var pasted: [UInt8] = []
        init(fd: Int32) { self.fd = fd }

        func read() -> Outcome {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = Glibc.read(fd, &buffer, buffer.count)
            if count > 0 { pasted += buffer[0..<count] }
            guard let newline = pasted.firstIndex(where: { $0 == 0x0A || $0 == 0x0D }) ?? (count <= 0 && !pasted.isEmpty ? pasted.count : nil) else {
                return count <= 0 ? .ended : .waiting
            }
            let line = String(decoding: pasted[..<newline], as: UTF8.self).trimmingWhitespace()
            pasted.removeAll()
            return line.isEmpty ? (count <= 0 ? .ended : .waiting) : .line(line)
        }
    }

    /// A pasted redirect URL (its state checked) or a bare code.
    static func code(fromPasted line: String, state: String) throws(APICtlError) -> String {
        guard let question = line.firstIndex(of: "?") else {
            guard !line.contains(where: { $0 == " " || $0 == "/" }) else {
                throw APICtlError.auth("what was pasted is neither the redirect URL nor a code")
            }
            return line
        }
        let parameters = FormQuery.parse(String(line[line.index(after: question)...]))
        guard parameters["state"] == state else {
            throw APICtlError.auth("the pasted URL's state does not match this login; it was ignored",
                                   hint: "paste the URL of this login's redirect, or run the login again")
        }
        return try Self.code(from: parameters)
    }

    static func code(from parameters: [String: String]) throws(APICtlError) -> String {
        if let error = parameters["error"] {
            var message = "the provider refused the login: \(error)"
            if let description = parameters["error_description"], !description.isEmpty {
                message += " (\(HTTPFailure.oneLine(description)))"
            }
            throw APICtlError.auth(message)
        }
        guard let code = parameters["code"], !code.isEmpty else {
            throw APICtlError.auth("the provider's redirect carried no code")
        }
        return code
    }

    /// A connection being read: what it has sent so far, and since when it is open.
    private final class Connection {
        let fd: Int32
        let openedAt = Date()
        var request: [UInt8] = []
        init(fd: Int32) { self.fd = fd }

        /// Reads what has arrived; true once the request is complete (its headers' end, 16 KiB,
        /// or the peer done), so it can be answered.
        func receive() -> Bool {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(fd, &buffer, buffer.count, 0)
            if count < 0 { return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR }
            if count == 0 { return true }
            request += buffer[0..<count]
            return request.count >= 16 << 10 || request.containsHeaderEnd
        }
    }

    /// Answers one complete request; the code when it was the redirect we wait for.
    private func answer(_ connection: Int32, request: [UInt8], state: String) throws(APICtlError) -> String? {
        let firstLine = String(decoding: request.prefix { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
        let parts = firstLine.split(separator: " ")
        guard parts.count >= 2, parts[0] == "GET" else {
            respond(connection, status: "400 Bad Request", text: "apictl is waiting for a login redirect; this is not one.")
            return nil
        }
        let target = String(parts[1])
        let question = target.firstIndex(of: "?")
        guard target[..<(question ?? target.endIndex)] == path else {
            respond(connection, status: "404 Not Found", text: "Not the login redirect.")
            return nil
        }
        let parameters = question.map { FormQuery.parse(String(target[target.index(after: $0)...])) } ?? [:]
        guard parameters["state"] == state else {
            respond(connection, status: "400 Bad Request", text: "This redirect does not belong to the login apictl is waiting for; it was ignored.")
            return nil
        }
        do {
            let code = try Self.code(from: parameters)
            respond(connection, status: "200 OK", text: "Logged in. You can close this window and return to the terminal.")
            return code
        } catch {
            respond(connection, status: "200 OK", text: "The login did not complete: \(error.message). You can close this window.")
            throw error
        }
    }

    private func respond(_ connection: Int32, status: String, text: String) {
        let escaped = text.replacingAll("&", with: "&amp;").replacingAll("<", with: "&lt;")
        let body = "<!doctype html><html><head><meta charset=utf-8><title>apictl</title></head><body><p>\(escaped)</p></body></html>\n"
        let response = "HTTP/1.1 \(status)\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Connection: close\r\nCache-Control: no-store\r\n\r\n" + body
        var bytes = Array(response.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeMutableBytes { send(connection, $0.baseAddress.map { $0 + offset }, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return }
            offset += sent
        }
    }

    private static var lastError: String { String(cString: strerror(errno)) }
}

extension [UInt8] {
    fileprivate var containsHeaderEnd: Bool {
        guard count >= 4 else { return false }
        for index in 0...(count - 4) where self[index] == 0x0D && self[index + 1] == 0x0A && self[index + 2] == 0x0D && self[index + 3] == 0x0A {
            return true
        }
        return false
    }
}

import CCurl
import Glibc

/// libcurl's multi interface on a thread of its own: every transfer handed to it runs
/// beside the others, on connections they share (kept alive, HTTP/2 streams on one
/// connection where the server offers it). Callers block in `perform` as they would in
/// `curl_easy_perform`, so the client's retry, redirect and renewal rules stay one piece
/// of code whoever calls them.
public final class CurlMultiplexer: @unchecked Sendable {
    private let multi: UnsafeMutableRawPointer
    private let monitor = Monitor()
    /// Handed in by callers, added to the multi handle by the loop (libcurl's multi calls are the loop's alone).
    private var arriving: [Waiter] = []
    private var running: [UnsafeMutableRawPointer: Waiter] = [:]
    private var stopping = false
    private var loop: WorkerThread?

    /// `connectionsPerHost`: how many connections one origin gets at most (HTTP/1.1 needs one per request in flight).
    public init(connectionsPerHost: Int) throws(TransportError) {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        guard let multi = curl_multi_init() else { throw .other("libcurl could not start") }
        self.multi = multi
        apictl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, connectionsPerHost)
        apictl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(connectionsPerHost, 8))
        guard let loop = WorkerThread.start({ [unowned self] in self.run() }) else {
            curl_multi_cleanup(multi)
            throw .other("could not start a thread for libcurl")
        }
        self.loop = loop
    }

    /// Ends the loop once the transfers in flight are done.
    public func stop() {
        monitor.locked { stopping = true }
        curl_multi_wakeup(multi)
        loop?.join()
        loop = nil
    }

    deinit {
        stop()
        curl_multi_cleanup(multi)
    }

    /// Runs the transfer set up on `handle` and returns how it ended.
    func perform(_ handle: UnsafeMutableRawPointer) -> CURLcode {
        let waiter = Waiter(handle: handle)
        monitor.locked {
            arriving.append(waiter)
        }
        curl_multi_wakeup(multi)
        return monitor.locked {
            while waiter.result == nil { monitor.wait() }
            return waiter.result ?? CURLE_FAILED_INIT
        }
    }

    private func run() {
        while true {
            let (added, done) = monitor.locked { () -> ([Waiter], Bool) in
                let added = arriving
                arriving = []
                return (added, stopping && added.isEmpty && running.isEmpty)
            }
            if done { return }
            for waiter in added {
                if curl_multi_add_handle(multi, waiter.handle) == CURLM_OK {
                    monitor.locked { running[waiter.handle] = waiter }
                } else {
                    finish(waiter, CURLE_FAILED_INIT)
                }
            }
            var active: Int32 = 0
            curl_multi_perform(multi, &active)
            var left: Int32 = 0
            while let message = curl_multi_info_read(multi, &left) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = apictl_msg_handle(message) else { continue }
                curl_multi_remove_handle(multi, handle)
                if let waiter = monitor.locked({ running.removeValue(forKey: handle) }) {
                    finish(waiter, apictl_msg_result(message))
                }
            }
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }

    private func finish(_ waiter: Waiter, _ code: CURLcode) {
        monitor.locked {
            waiter.result = code
            monitor.wake()
        }
    }

    private final class Waiter {
        let handle: UnsafeMutableRawPointer
        var result: CURLcode?
        init(handle: UnsafeMutableRawPointer) { self.handle = handle }
    }
}

/// One caller's side of a `CurlMultiplexer`: its own easy handle, its transfers run by the shared loop.
public final class MultiplexedTransport: Transport {
    private let multiplexer: CurlMultiplexer
    private let handle: UnsafeMutableRawPointer

    public init(_ multiplexer: CurlMultiplexer) throws(TransportError) {
        guard let handle = curl_easy_init() else { throw .other("libcurl could not start") }
        self.multiplexer = multiplexer
        self.handle = handle
    }

    deinit { curl_easy_cleanup(handle) }

    public func send(_ request: HTTPRequest, to consumer: ResponseConsumer) throws(TransportError) -> HTTPResponseHead {
        curl_easy_reset(handle)
        let transfer = CurlTransfer(handle: handle, request: request, consumer: consumer)
        // Over https, wait to learn whether a connection can carry one more HTTP/2 stream rather
        // than open another. Never over plain http (HTTP/1.1 here): a slow first answer would
        // hold every other request back until it came.
        if request.url.lowercased().hasPrefix("https:") { apictl_setopt_long(handle, CURLOPT_PIPEWAIT, 1) }
        return try transfer.finish(multiplexer.perform(handle))
    }
}

import Glibc

/// A response held whole in memory for a filter (`--jq`), in memory apictl asks for itself:
/// a Swift array that cannot grow aborts the process, while this says so in one line. A
/// body that does not fit (a hostile server, a tight `ulimit -v`) is an error like a body
/// over the limit, and the bytes are never copied once held.
public final class HeldBody: ResponseConsumer {
    public private(set) var head: HTTPResponseHead?
    public let limit: Int
    private var storage: UnsafeMutableRawPointer?
    private var capacity = 0
    public private(set) var count = 0

    public init(limit: Int = 64 << 20) { self.limit = limit }

    deinit { free(storage) }

    public func begin(_ head: HTTPResponseHead) throws(APICtlError) {
        self.head = head
        count = 0
        // The length the server gives is asked for at once: one allocation, no copies.
        if let length = head.headers["Content-Length"].flatMap(Int.init), length > capacity, length <= limit {
            try grow(to: length)
        }
    }

    public func append(_ chunk: UnsafeRawBufferPointer) throws(APICtlError) {
        guard chunk.count <= limit - count else {
            throw APICtlError(.network, "the response is larger than \(limit >> 20) MiB, more than apictl holds in memory",
                              hint: "save it with 'apictl request ... -o FILE', which streams it")
        }
        if count + chunk.count > capacity { try grow(to: min(limit, max(count + chunk.count, capacity * 2, 64 << 10))) }
        guard let storage, let base = chunk.baseAddress else { return }
        (storage + count).copyMemory(from: base, byteCount: chunk.count)
        count += chunk.count
    }

    public func restart() -> Bool {
        head = nil
        count = 0
        return true
    }

    /// The bytes held, valid during the call.
    public func withBytes<T>(_ body: (UnsafeRawBufferPointer) throws(APICtlError) -> T) throws(APICtlError) -> T {
        try body(UnsafeRawBufferPointer(start: storage, count: count))
    }

    /// A copy, for what reads an error body (small, and already decoded elsewhere in full).
    public var bytes: [UInt8] { Array(UnsafeRawBufferPointer(start: storage, count: count)) }

    private func grow(to size: Int) throws(APICtlError) {
        guard let grown = realloc(storage, size) else {
            throw APICtlError(.network, "not enough memory to hold the response (\(size >> 20) MiB) for --jq",
                              hint: "save it with -o FILE, which streams it, and filter that")
        }
        storage = grown
        capacity = size
    }
}

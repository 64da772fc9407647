import FoundationEssentials
import Glibc

/// A lock and the condition its waiters wait on: what `batch`'s threads share their
/// queues and counters through. Everything it guards is touched only inside `locked`.
public final class Monitor: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    public func locked<T>(_ body: () throws(APICtlError) -> T) throws(APICtlError) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    public func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }

    /// Inside `locked`: sleeps until `wake` is called (or spuriously: waiters look again at what changed).
    public func wait() { pthread_cond_wait(condition, mutex) }

    /// Inside `locked`: wakes every waiter, who each look again at what changed.
    public func wake() { pthread_cond_broadcast(condition) }
}

/// A thread running `body`, joined by `join`: batch's workers and libcurl's loop.
public final class WorkerThread: @unchecked Sendable {
    private var thread: pthread_t
    private var joined = false

    private init(_ thread: pthread_t) { self.thread = thread }

    /// nil when the system gives no more threads.
    public static func start(_ body: @escaping @Sendable () -> Void) -> WorkerThread? {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { pointer in
            guard let pointer else { return nil }
            Unmanaged<Box>.fromOpaque(pointer).takeRetainedValue().body()
            return nil
        }, box)
        guard started == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            return nil
        }
        return WorkerThread(thread)
    }

    public func join() {
        guard !joined else { return }
        joined = true
        pthread_join(thread, nil)
    }

    private final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
}

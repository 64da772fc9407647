import FoundationEssentials

/// Walks a list endpoint page by page over the client's one connection:
/// `Link: rel="next"` first, then the profile's next-URL, cursor or page-number
/// style, else a next URL where common formats put one in the body. When the rate limit's remaining count reaches 0 it waits for the
/// reset instead of running into 429s. A next page on another origin is fetched
/// without any credential, as a redirect there would be.
public struct Paginator {
    public let client: APIClient
    public let config: PaginationConfig
    public let failureContext: FailureContext
    public var maxPages = 10_000

    public init(client: APIClient, config: PaginationConfig?, failureContext: FailureContext) {
        self.client = client
        self.config = config ?? PaginationConfig()
        self.failureContext = failureContext
    }

    /// How a walk ended: the items it passed on, and the total the last page said there are
    /// (`total`, `count`...), when it said one. More stated than passed on means a style of
    /// pagination apictl was not told of (offset and limit): the caller says so.
    public struct Walked: Sendable {
        public var items = 0
        /// The first request's own `offset=`: items before it were asked not to be sent.
        public var offset = 0
        public var statedTotal: Int?

        /// The body counts more items than were passed on from where the walk began.
        public var leftUnfollowed: Bool { statedTotal.map { $0 > offset + items } ?? false }
    }

    /// Calls `onPage` with each page's body and the byte ranges of its items; its false (the
    /// output has no reader any more) fetches no further page.
    @discardableResult
    public func run(_ first: HTTPRequest, onPage: ([UInt8], [Range<Int>]) -> Bool) throws(APICtlError) -> Walked {
        var request = first
        var seen: Set<String> = []
        var page = Int(Self.queryValue(first.url, config.pageParam ?? "") ?? "") ?? 1
        var walked = Walked()
        walked.offset = max(0, Int(Self.queryValue(first.url, "offset") ?? "") ?? 0)
        for number in 1...maxPages {
            seen.insert(request.url)
            let response = try client.fetch(request)
            guard response.head.isSuccess else { throw HTTPFailure.error(for: response, context: failureContext) }
            guard let items = Self.items(response.body, pointer: config.items) else {
                throw Self.noItems(response.body, page: number, pointer: config.items)
            }
            let goOn = onPage(response.body, items)
            walked.items += items.count
            guard goOn else { return walked }
            guard let next = nextURL(after: request, response: response, items: items.count, page: &page),
                  !seen.contains(next) else {
                walked.statedTotal = Self.statedTotal(response.body)
                return walked
            }
            try waitForRateLimit()
            // A next link obeys the redirect rule: another origin gets no credential, the user's -H ones included.
            if URLParts.parse(next)?.origin != URLParts.parse(request.url)?.origin {
                request = client.withoutCredentials(request)
            }
            request.url = next
            request.body = nil
        }
        return walked
    }

    /// Where list formats state how many items there are in all.
    static let totalPointers = ["/total", "/count", "/total_count", "/totalCount", "/total_results", "/meta/total", "/pagination/total"]

    static func statedTotal(_ body: [UInt8]) -> Int? {
        for pointer in totalPointers {
            if let text = RawJSON.scalar(body, at: pointer), let total = Int(text) { return total }
        }
        return nil
    }

    func nextURL(after request: HTTPRequest, response: HTTPResponse, items: Int, page: inout Int) -> String? {
        let current = URLParts.parse(request.url)
        for link in response.headers.values("Link") {
            if let target = Self.nextLink(link) { return current?.resolve(target) ?? target }
        }
        if let pointer = config.nextURL, let target = RawJSON.scalar(response.body, at: pointer), !target.isEmpty {
            return current?.resolve(target) ?? target
        }
        if let pointer = config.nextCursor, let cursor = RawJSON.scalar(response.body, at: pointer), !cursor.isEmpty {
            return Self.settingQuery(request.url, config.cursorParam ?? "cursor", cursor)
        }
        if let parameter = config.pageParam, items > 0 {
            page += 1
            return Self.settingQuery(request.url, parameter, String(page))
        }
        if config.nextURL == nil, config.nextCursor == nil, let target = Self.guessedNextURL(response.body) {
            return current?.resolve(target) ?? target
        }
        return nil
    }

    /// Where common list formats put the next page's URL when the profile does not say:
    /// DRF's `next`, JSON:API's and Laravel's `links.next`, HAL's `_links.next.href`.
    static let nextURLGuesses = ["/next", "/links/next", "/_links/next/href", "/paging/next"]

    /// The first of `nextURLGuesses` that holds a URL or an absolute path (not a cursor,
    /// which needs the profile's pagination.cursor_param to be sent back).
    static func guessedNextURL(_ body: [UInt8]) -> String? {
        for pointer in nextURLGuesses {
            guard let target = RawJSON.scalar(body, at: pointer), !target.isEmpty else { continue }
            if URLParts.isAbsolute(target) || target.hasPrefix("/") { return target }
        }
        return nil
    }

    /// Waits out an exhausted rate limit before the next page, within --max-wait.
    func waitForRateLimit() throws(APICtlError) {
        guard let limits = client.lastRateLimit, limits.remaining == 0, let reset = limits.resetAt else { return }
        let seconds = max(0, reset.timeIntervalSince(client.now())) + 0.05
        guard seconds <= client.retryPolicy.maxWait else {
            throw APICtlError(.rateLimited, "the rate limit is used up until \(Timestamp.iso8601(reset))",
                              hint: "that is \(seconds.saturatingInt)s away, more than --max-wait \(client.retryPolicy.maxWait.saturatingInt)s")
        }
        client.onRetry?(RetryNotice(reason: "rate limit used up (\(limits.limit.map(String.init) ?? "?") requests)", seconds: seconds,
                                    basis: "X-RateLimit-Reset", attempt: 0, of: 0))
        client.sleep(seconds)
    }

    /// The items of a page: at the pointer, else the page itself if it is an
    /// array, else the first of data/items/results that is one.
    static func items(_ body: [UInt8], pointer: String?) -> [Range<Int>]? {
        if let pointer, !pointer.isEmpty { return RawJSON.elements(body, at: pointer) }
        if let root = RawJSON.elements(body, at: nil) { return root }
        for guess in ["/data", "/items", "/results"] {
            if let found = RawJSON.elements(body, at: guess) { return found }
        }
        return nil
    }

    /// A page without a list where one was looked for: what was there instead, and where to
    /// point pagination.items only when the profile does not point it anywhere yet.
    static func noItems(_ body: [UInt8], page: Int, pointer: String?) -> APICtlError {
        guard let document = JSONValue(parsing: body) else {
            return APICtlError(.httpError, "page \(page) has no list of items to merge: the body is \(JSONValue.problem(with: body))")
        }
        if let pointer, !pointer.isEmpty {
            let found = document.at(pointer: pointer).map(describe) ?? "nothing"
            return APICtlError(.httpError, "page \(page) has no list of items to merge: pagination.items \(pointer) holds \(found)")
        }
        return APICtlError(.httpError, "page \(page) has no list of items to merge: the body is \(describe(document))",
                           hint: "set pagination.items in the profile to the JSON pointer of the list, e.g. \"/data\"")
    }

    /// A JSON value in words: its kind, and an object's first keys.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .object(let members):
            let keys = members.keys.sorted()
            return "an object" + (keys.isEmpty ? "" : " with " + keys.prefix(6).joined(separator: ", ") + (keys.count > 6 ? ", ..." : ""))
        case .array: return "a list"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "true or false"
        case .null: return "null"
        }
    }

    /// The rel="next" target of one Link header value (RFC 8288).
    static func nextLink(_ header: String) -> String? { LinkHeader.targets(header, relation: "next").first }

    static func queryValue(_ url: String, _ name: String) -> String? {
        guard !name.isEmpty, let q = url.firstIndex(of: "?") else { return nil }
        for pair in url[url.index(after: q)...].split(separator: "&") where pair.hasPrefix(name + "=") {
            return PercentEncoding.decode(pair.dropFirst(name.count + 1))
        }
        return nil
    }

    static func settingQuery(_ url: String, _ name: String, _ value: String) -> String {
        let encoded = PercentEncoding.encodeQueryComponent(name) + "=" + PercentEncoding.encodeQueryComponent(value)
        guard let q = url.firstIndex(of: "?") else { return url + "?" + encoded }
        var pairs = url[url.index(after: q)...].split(separator: "&").map(String.init).filter { !$0.hasPrefix(name + "=") }
        pairs.append(encoded)
        return String(url[..<q]) + "?" + pairs.joined(separator: "&")
    }
}

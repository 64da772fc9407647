/// Finds and fetches an API's OpenAPI description: the profile's `openapi` (a URL or a
/// file), else what RFC 8631 and common practice say: a `Link: <…>; rel="service-desc"`
/// on the base URL's answer, then the places frameworks serve one by default, beside the
/// base URL and at its origin's root (`commonPlaces`). An HTML page (a documentation UI,
/// a single-page app's catch-all) is not a description.
/// It is fetched through the profile's client, so the credential goes only to the
/// profile's own origin; plain http is refused off loopback.
public enum DescriptionSource {
    public struct Fetched: Sendable {
        /// Where it came from: a URL or a file path.
        public var location: String
        /// Nil when the server answered 304: the copy synced before is current.
        public var body: [UInt8]?
        public var etag: String?
    }

    /// `previous`: where the last sync found it and its ETag, for a conditional re-fetch.
    public static func fetch(profile: ResolvedProfile, client: APIClient,
                             previous: (location: String, etag: String?)?) throws(APICtlError) -> Fetched {
        if let configured = profile.openapi {
            if URLParts.isAbsolute(configured) {
                guard let found = try get(configured, client: client, previous: previous, required: true) else {
                    throw .config("profile '\(profile.name)': no OpenAPI description at \(configured)")
                }
                return found
            }
            // A regular file: a FIFO would be waited on past any --timeout, /dev/zero read for ever.
            guard let bytes = FileBytes.regularFileContents(of: configured, limit: 256 << 20) else {
                throw .config("profile '\(profile.name)': openapi = '\(configured)' is neither a URL nor a regular file that can be read")
            }
            guard bytes.count <= 256 << 20 else {
                throw .config("profile '\(profile.name)': openapi = '\(configured)' is larger than 256 MiB")
            }
            return Fetched(location: configured, body: bytes, etag: nil)
        }
        var candidates: [String] = []
        let base = profile.baseURL.hasSuffix("/") ? String(profile.baseURL.dropLast()) : profile.baseURL
        if let answer = try? client.fetch(HTTPRequest(method: "GET", url: profile.baseURL)) {
            for link in answer.head.headers.values("Link").flatMap({ LinkHeader.targets($0, relation: "service-desc") }) {
                if let url = URLParts.parse(profile.baseURL)?.resolve(link) { candidates.append(url) }
            }
        }
        let origin = profile.base.origin.description
        for place in commonPlaces {
            for url in [base + place, origin + place] where !candidates.contains(url) { candidates.append(url) }
        }
        for url in candidates {
            if let found = try get(url, client: client, previous: previous, required: false) { return found }
        }
        throw .config("no OpenAPI description found for profile '\(profile.name)': no Link rel=\"service-desc\" on \(profile.baseURL), "
                      + "and none at \(commonPlaces.joined(separator: ", ")) beside it or at \(origin)",
                      hint: "name it: apictl profile set \(profile.name) --openapi URL-OR-FILE")
    }

    /// Where frameworks serve their description by default: FastAPI and Litestar
    /// (`/openapi.json`, `/schema/openapi.json`), drf-spectacular (`/schema/`, often under `/api`).
    static let commonPlaces = ["/openapi.json", "/openapi.yaml", "/schema/openapi.json", "/schema/", "/api/schema/"]

    /// An answer that is a web page, not a description: by its Content-Type, or by its first
    /// byte whatever its Content-Type says (a catch-all route serves its page as anything).
    static func isHTML(_ response: HTTPResponse) -> Bool {
        if response.head.headers["Content-Type"]?.lowercased().hasPrefix("text/html") == true { return true }
        return response.body.first(where: { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }) == UInt8(ascii: "<")
    }

    /// GET with If-None-Match when this URL was synced before. `required`: a 404 is an error,
    /// not a candidate that is not there.
    static func get(_ url: String, client: APIClient, previous: (location: String, etag: String?)?,
                    required: Bool) throws(APICtlError) -> Fetched? {
        guard let target = URLParts.parse(url) else { throw .config("'\(url)' is not an http(s) URL") }
        if target.scheme == "http" && !target.isLoopback {
            throw .config("refusing to fetch the API description over plain http from \(target.host)", hint: "use an https:// URL")
        }
        var request = HTTPRequest(method: "GET", url: url)
        request.headers.add("Accept", "application/json, application/yaml;q=0.9, */*;q=0.5")
        if let previous, previous.location == url, let etag = previous.etag { request.headers.add("If-None-Match", etag) }
        let response = try client.fetch(request)
        if response.head.status == 304 { return Fetched(location: url, body: nil, etag: previous?.etag) }
        guard response.head.isSuccess else {
            if !required && [404, 405, 406, 410].contains(response.head.status) { return nil }
            // The client sent its credential to the API's origin: a 401 hint says so, not "no credential was sent".
            let sent = client.profile.map { URLParts.parse(url)?.origin == $0.base.origin } ?? false
            throw HTTPFailure.error(for: response, context: FailureContext(profile: client.profile, credential: sent ? client.credential : nil,
                                                                          now: client.now()))
        }
        if isHTML(response) {
            guard required else { return nil }
            throw .config("\(url) answered a web page (HTML), not an OpenAPI description",
                          hint: "point --openapi at the JSON or YAML itself; documentation pages name it (e.g. /openapi.json, /schema/)")
        }
        return Fetched(location: url, body: response.body, etag: response.head.headers["ETag"])
    }
}

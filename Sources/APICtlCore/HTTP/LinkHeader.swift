/// RFC 8288 `Link` header values: the targets of one relation, such as "next" for
/// pagination or "service-desc" (RFC 8631) for an API's description.
public enum LinkHeader {
    /// Targets as written (maybe relative), in order. "<>" (this very resource) is skipped:
    /// a next page that is the same page would never end.
    public static func targets(_ header: String, relation: String) -> [String] {
        var found: [String] = []
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingSpaces() }
            guard let target = pieces.first, target.hasPrefix("<"), target.hasSuffix(">"), target.count > 2 else { continue }
            let relations = pieces.dropFirst().filter { $0.lowercased().hasPrefix("rel=") }
                .flatMap { $0.dropFirst(4).trimming { $0 == "\"" }.split(separator: " ") }
            if relations.contains(where: { $0.lowercased() == relation }) { found.append(String(target.dropFirst().dropLast())) }
        }
        return found
    }
}

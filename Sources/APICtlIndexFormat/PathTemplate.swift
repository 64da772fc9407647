/// A path as an API's description writes it, `{name}` segments standing for any one
/// segment: how a request's path finds its operation, and how completion offers one.
public enum PathTemplate {
    /// The path's segments, without the query or fragment and without empty ones.
    public static func segments<S: StringProtocol>(_ path: S) -> [Substring] {
        let bare = Substring(path).prefix { $0 != "?" && $0 != "#" }
        return bare.split(separator: "/", omittingEmptySubsequences: true)
    }

    /// `{name}`: a segment that stands for any value.
    public static func isTemplate<S: StringProtocol>(_ segment: S) -> Bool {
        segment.hasPrefix("{") && segment.hasSuffix("}")
    }

    /// Whether `path` (already split) is one the template's segments describe.
    public static func matches(_ template: [Substring], _ path: [Substring]) -> Bool {
        template.count == path.count && zip(template, path).allSatisfy { $0 == $1 || isTemplate($0) }
    }

    /// Of two paths that match one request, whether `path` is the one meant: fewer templates;
    /// then the one whose first template comes later (`/notes/{id}` over `/{x}/abc`); then the
    /// first in byte order. A total order, so the check before sending and completion always
    /// agree, whatever order a description lists its paths in.
    public static func isMoreSpecific(_ path: String, than other: String) -> Bool {
        let (mine, theirs) = (segments(path), segments(other))
        let (count, otherCount) = (mine.filter(isTemplate).count, theirs.filter(isTemplate).count)
        if count != otherCount { return count < otherCount }
        for (segment, otherSegment) in zip(mine, theirs) where isTemplate(segment) != isTemplate(otherSegment) {
            return !isTemplate(segment)
        }
        return Array(path.utf8).lexicographicallyPrecedes(Array(other.utf8))
    }
}

import APICtlIndexFormat
import Glibc

/// The check before a request finds its operation without reading the whole index: beside
/// the catalog, `routes/` holds one small file per group of operations that a request's
/// path picks out at once (its method, its number of segments, its first segment), each
/// line `path\toffset\tlength` into operations.jsonl. A request reads its group, and the
/// group of paths that begin with a `{template}`, then one operation line.
public enum OperationRoutes {
    public enum Lookup {
        case found(OpenAPIIndex.Operation)
        /// The description has no such operation: the whole index says what it has instead.
        case notFound
        /// No synced description for the profile.
        case noIndex
        /// An index without routes (an older sync): the whole index is read.
        case unknown
    }

    /// The file a group's routes are in: what can be in a file name is kept, the rest hex-escaped
    /// (a description's own method names too). A name past 200 bytes (a file name holds 255) is
    /// known by its hash: a lookup checks each path in the file, so groups sharing one still work.
    static func fileName(method: String, segments: Int, first: Substring?) -> String {
        let lead = first.map { PathTemplate.isTemplate($0) ? "{}" : String($0) } ?? ""
        let name = escaped(method.uppercased()) + "." + String(segments) + "." + escaped(lead)
        return name.utf8.count <= 200 ? name : "#" + FNV1a.hex(name.utf8)
    }

    private static func escaped(_ text: String) -> String {
        var name = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if (scalar.properties.isAlphabetic && byte < 0x80) || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_" {
                name.unicodeScalars.append(scalar)
            } else {
                name += "%" + String(byte, radix: 16).leftPadded(to: 2)
            }
        }
        return name
    }

    /// Writes `routes/` into an index folder being made, one file per group.
    static func write(_ entries: [(method: String, path: String, offset: Int, length: Int)], into folder: String) throws(AtomicFile.WriteError) {
        var groups: [String: String] = [:]
        for entry in entries {
            let segments = PathTemplate.segments(entry.path)
            groups[fileName(method: entry.method, segments: segments.count, first: segments.first), default: ""]
                += "\(entry.path)\t\(entry.offset)\t\(entry.length)\n"
        }
        try AtomicFile.makeDirectory(folder + "/routes", mode: 0o700)
        for (name, lines) in groups { try AtomicFile.writeNew(Array(lines.utf8), to: folder + "/routes/" + name, mode: 0o600) }
        AtomicFile.syncFolder(folder + "/routes")
    }

    /// The operation `method path` (relative to the base URL) goes to: of the paths that
    /// match, the most specific (`PathTemplate.isMoreSpecific`, as completion chooses).
    public static func lookup(method: String, path: String, profile: String, cacheDirectory: String) -> Lookup {
        let folder = OpenAPIIndex.directory(profile: profile, cacheDirectory: cacheDirectory)
        guard FileBytes.exists(folder + "/routes") else { return FileBytes.exists(folder + "/catalog.tsv") ? .unknown : .noIndex }
        let wanted = PathTemplate.segments(path)
        var best: (path: String, offset: Int, length: Int)?
        let literal = fileName(method: method, segments: wanted.count, first: wanted.first)
        let templated = fileName(method: method, segments: wanted.count, first: wanted.isEmpty ? nil : "{}")
        for name in literal == templated ? [literal] : [literal, templated] {
            guard let bytes = FileBytes.regularFileContents(of: folder + "/routes/" + name, limit: 16 << 20) else { continue }
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
                let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
                guard fields.count == 3, let offset = Int(fields[1]), let length = Int(fields[2]),
                      PathTemplate.matches(PathTemplate.segments(fields[0]), wanted) else { continue }
                let path = String(fields[0])
                if best.map({ PathTemplate.isMoreSpecific(path, than: $0.path) }) ?? true { best = (path, offset, length) }
            }
        }
        guard let best, let operation = OpenAPIIndex.operation(in: folder, offset: best.offset, length: best.length, path: best.path) else {
            return .notFound
        }
        return .found(operation)
    }
}

/// RFC 8288 `Link` header values: the targets of one relation, such as "next" for
/// pagination or "service-desc" (RFC 8631) for an API's description.
public enum LinkHeader {
    /// Targets as written (maybe relative), in order. "<>" (this very resource) is skipped:
    /// a next page that is the same page would never end.
    ///
    /// Read as the grammar says, not split on `,` and `;`: a target may hold either
    /// (`</items?fields=id,name>`), and so may a quoted parameter (`title="a, b"`).
    public static func targets(_ header: String, relation: String) -> [String] {
        var scanner = Scanner(bytes: Array(header.utf8))
        var found: [String] = []
        while let (target, relations) = scanner.nextLink() {
            if !target.isEmpty, relations.contains(where: { $0.lowercased() == relation }) { found.append(target) }
        }
        return found
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skip(_ set: String) {
            while let byte = peek, set.utf8.contains(byte) { index += 1 }
        }

        /// The next `<target>; params` and the relations its `rel` names; nil at the end.
        /// A link-value that does not start with `<` is skipped to the next top-level comma.
        mutating func nextLink() -> (String, [Substring])? {
            while true {
                skip(" \t,")
                guard let byte = peek else { return nil }
                guard byte == UInt8(ascii: "<"), let close = bytes[index...].firstIndex(of: UInt8(ascii: ">")) else {
                    _ = parameters()   // not a link: passed over, quoted commas and all
                    continue
                }
                let target = String(decoding: bytes[(index + 1)..<close], as: UTF8.self)
                index = close + 1
                // Only the first `rel` counts (RFC 8288 §3.3: later ones MUST be ignored).
                let relations = parameters().first { $0.name.lowercased() == "rel" }?.value.split(separator: " ") ?? []
                return (target, relations)
            }
        }

        /// `; name=value` pairs up to the comma that ends this link-value (or the end).
        mutating func parameters() -> [(name: String, value: Substring)] {
            var found: [(name: String, value: Substring)] = []
            while let byte = peek, byte != UInt8(ascii: ",") {
                guard byte == UInt8(ascii: ";") else { index += 1; continue }
                index += 1
                skip(" \t")
                let nameStart = index
                while let byte = peek, !";,= \t".utf8.contains(byte) { index += 1 }
                let name = String(decoding: bytes[nameStart..<index], as: UTF8.self)
                skip(" \t")
                guard peek == UInt8(ascii: "=") else { continue }
                index += 1
                skip(" \t")
                found.append((name, Substring(value())))
            }
            return found
        }

        /// A token, or a quoted string with its `\` escapes undone.
        mutating func value() -> String {
            guard peek == UInt8(ascii: "\"") else {
                let start = index
                while let byte = peek, !";, \t".utf8.contains(byte) { index += 1 }
                return String(decoding: bytes[start..<index], as: UTF8.self)
            }
            index += 1
            var out: [UInt8] = []
            while let byte = peek {
                index += 1
                if byte == UInt8(ascii: "\"") { break }
                if byte == UInt8(ascii: "\\"), let escaped = peek { out.append(escaped); index += 1 } else { out.append(byte) }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}

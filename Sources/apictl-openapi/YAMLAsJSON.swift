import Yams

/// A YAML description as the JSON text OpenAPIKit decodes, written straight from Yams' node
/// tree: JSONSerialization over a tree of `Any` took 0.45 s for a 2.6 MB description, this
/// a few milliseconds. Scalars are typed as YAML 1.2's core schema reads them (quoted ones
/// are always text); a timestamp (unquoted 2024-01-01 in an example) stays the text it was.
enum YAMLAsJSON {
    /// Yams gives an alias (`*name`) the node its anchor named, so writing the tree out
    /// expands every alias: ten nested lists of ten aliases are 10^10 nodes ("billion
    /// laughs"). The JSON stops here instead, as apictl takes no larger description.
    static let limit = 64 << 20

    static func json(_ text: String) throws -> [UInt8] {
        let root: Node?
        // The basic resolver leaves every scalar untyped, as `append` types them itself: the
        // default one runs its regular expressions on every scalar, a third of the parse.
        do { root = try Yams.compose(yaml: text, .basic) } catch YamlError.duplicatedKeysInMapping(let keys, let context) {
            throw Failure("not YAML: a mapping gives \(keys.map { "'\($0)'" }.joined(separator: ", ")) twice, at line \(context.mark.line)")
        } catch {
            // Yams says where and what on two lines ("3:1: error: parser: while parsing a flow
            // sequence in line 2, column 7", "did not find expected ',' or ']':"), then quotes the line.
            let lines = String(describing: error).split(whereSeparator: \.isNewline).prefix(2)
                .map { String($0.hasSuffix(":") ? $0.dropLast() : $0[...]) }
            throw Failure("not YAML: " + String(lines.joined(separator: ": ").prefix(300)))
        }
        guard let root else { throw Failure("an empty document") }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        try append(root, to: &out)
        return out
    }

    private static func append(_ node: Node, to out: inout [UInt8]) throws {
        guard out.count <= limit else {
            throw Failure("its YAML expands to more than \(limit >> 20) MiB of JSON (aliases repeating aliases?)")
        }
        switch node {
        case .scalar(let scalar):
            if let literal = literal(scalar) { out += literal.utf8 } else { appendString(scalar.string, to: &out) }
        case .mapping(let mapping):
            out.append(UInt8(ascii: "{"))
            for (position, (key, value)) in mapping.enumerated() {
                guard let name = key.scalar?.string else { throw Failure("a mapping key that is not text, at line \(key.mark?.line ?? 0)") }
                if position > 0 { out.append(UInt8(ascii: ",")) }
                appendString(name, to: &out)
                out.append(UInt8(ascii: ":"))
                try append(value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .sequence(let sequence):
            out.append(UInt8(ascii: "["))
            for (position, item) in sequence.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                try append(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .alias(let alias):
            // Yams' parser hands over the anchored node instead; only a tree built in code has these.
            throw Failure("an unresolved YAML alias (*\(alias.anchor))")
        }
    }

    /// A plain scalar's JSON when it is null, a boolean or a number; nil for text.
    private static func literal(_ scalar: Node.Scalar) -> String? {
        let text = scalar.string
        guard scalar.style == .plain else { return nil }
        switch text {
        case "null", "Null", "NULL", "~", "": return "null"
        case "true", "True", "TRUE": return "true"
        case "false", "False", "FALSE": return "false"
        default:
            if let integer = Int(text) { return String(integer) }
            if let number = Double(text), number.isFinite, text.contains(where: \.isNumber) { return "\(number)" }
            return nil
        }
    }

    /// A JSON string literal: quote, backslash and control characters escaped, the rest as UTF-8.
    private static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out += [UInt8(ascii: "\\"), byte]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xf)]]
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

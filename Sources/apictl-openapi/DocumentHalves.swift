import Foundation
import OpenAPIKit

/// A JSON description cut in two that decode at once on two cores: the document with only
/// the components its own decoding checks against (security schemes, path items), and the
/// components alone in a document of their own. Decoding is 70% of a sync, and for authentik's
/// description the components are half of that. Each half keeps the places OpenAPIKit names
/// in its errors (`.components.schemas.Node`, `.paths['/a']`), so skipping a broken part reads
/// as it did from the whole.
///
/// A description this cannot read plainly (a key with an escape in it, a key twice, no
/// components, JSON that breaks) is not cut: it is decoded whole, as before.
struct DocumentHalves {
    /// The description with `components` cut down to what the document's own checks read.
    let document: Data
    /// `{"openapi": …, "info": …, "paths": {}, "components": …}`: the components as a document.
    let components: Data

    /// The parts of `components` that paths and security requirements are checked against.
    static let keptInDocument: Set<String> = ["securitySchemes", "pathItems"]

    init?(_ json: Data) {
        let bytes = [UInt8](json)
        var reader = JSONMembers(bytes)
        guard let top = reader.members(), let members = Self.byName(top, in: bytes),
              let version = members["openapi"], let components = members["components"] else { return nil }
        var inner = JSONMembers(bytes, at: components.lowerBound)
        guard let parts = inner.members(), let named = Self.byName(parts, in: bytes) else { return nil }
        let kept = named.filter { Self.keptInDocument.contains($0.key) }.sorted { $0.key < $1.key }
            .map { Array("\"\($0.key)\":".utf8) + bytes[$0.value] }
        var document = Array(bytes[..<components.lowerBound])
        document += Array("{".utf8) + Array(kept.joined(separator: Array(",".utf8))) + Array("}".utf8)
        document += bytes[components.upperBound...]
        self.document = Data(document)
        var alone = Array("{\"openapi\":".utf8) + bytes[version]
        alone += Array(",\"info\":{\"title\":\"\",\"version\":\"\"},\"paths\":{},\"components\":".utf8)
        alone += bytes[components] + Array("}".utf8)
        self.components = Data(alone)
    }

    /// The document's fields OpenAPIKit decodes before its components, in 3.0 and 3.1.
    static let decodedBeforeComponents: Set<String> = ["openapi", "$self", "info", "servers"]

    /// `json` decoded as `Version`'s document and made OpenAPIKit's (`upgrade`): its two halves
    /// at once when it can be cut. When both fail, the error is the one decoding it whole meets
    /// first, so parts are skipped in the same order: the document's own when nothing smaller
    /// can go or it lies before the components, else the components'.
    static func decode<Version: Decodable & SendableMetatype>(_ type: Version.Type, _ json: Data, decoder: @escaping @Sendable () -> JSONDecoder,
                                           upgrade: @escaping @Sendable (Version) throws -> OpenAPIKit.OpenAPI.Document) throws -> OpenAPIKit.OpenAPI.Document {
        let decodeOnce: @Sendable (Data) throws -> OpenAPIKit.OpenAPI.Document = { try upgrade(try decoder().decode(Version.self, from: $0)) }
        guard let halves = DocumentHalves(json) else { return try decodeOnce(json) }
        let components = SecondThread { try decodeOnce(halves.components) }
        let rest = Result { try decodeOnce(halves.document) }
        switch (rest, components.result()) {
        case (.success(var document), .success(let alone)):
            document.components = alone.components
            return document
        case (.failure(let failure), _) where Self.isMetFirst(failure):
            throw failure
        case (_, .failure(let failure)), (.failure(let failure), _):
            throw failure
        }
    }

    private static func isMetFirst(_ failure: Error) -> Bool {
        let path = OpenAPIKit.OpenAPI.Error(from: failure).codingPath
        return path.count < 2 || path.first.map { decodedBeforeComponents.contains($0.stringValue) } ?? true
    }

    /// Members by plain name; nil when a name has an escape in it or comes twice, as then which
    /// value a decoder takes is its own affair.
    private static func byName(_ members: [(name: Range<Int>, value: Range<Int>)], in bytes: [UInt8]) -> [String: Range<Int>]? {
        var named: [String: Range<Int>] = [:]
        for member in members {
            guard !bytes[member.name].contains(UInt8(ascii: "\\")) else { return nil }
            let name = String(decoding: bytes[member.name], as: UTF8.self)
            guard named.updateValue(member.value, forKey: name) == nil else { return nil }
        }
        return named
    }
}

/// An object's members as byte ranges (a name without its quotes, a value whole), read without
/// decoding the values. Only as strict as finding their ends needs: the decoder that reads the
/// halves afterwards says what is wrong with JSON that breaks.
private struct JSONMembers {
    private let bytes: [UInt8]
    private var index: Int

    init(_ bytes: [UInt8], at index: Int = 0) {
        self.bytes = bytes
        self.index = index
    }

    /// The members of the object at the reading point; nil if there is none, or it breaks.
    mutating func members() -> [(name: Range<Int>, value: Range<Int>)]? {
        space()
        guard take(UInt8(ascii: "{")) else { return nil }
        var members: [(name: Range<Int>, value: Range<Int>)] = []
        space()
        if take(UInt8(ascii: "}")) { return members }
        repeat {
            space()
            guard let name = string() else { return nil }
            space()
            guard take(UInt8(ascii: ":")) else { return nil }
            space()
            guard let value = value() else { return nil }
            members.append((name.lowerBound + 1 ..< name.upperBound - 1, value))
            space()
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}")) ? members : nil
    }

    /// A value's bytes: a string, an object or array to its matching close, or a literal.
    private mutating func value() -> Range<Int>? {
        let start = index
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            return string()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard string() != nil else { return nil }
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                default: break
                }
                index += 1
                if depth == 0 { return start..<index }
            }
            return nil
        default:
            while index < bytes.count, !",}] \t\r\n".utf8.contains(bytes[index]) { index += 1 }
            return index > start ? start..<index : nil
        }
    }

    /// A string, quotes included; an escape's next byte is never its end.
    private mutating func string() -> Range<Int>? {
        let start = index
        guard take(UInt8(ascii: "\"")) else { return nil }
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                return start..<index
            case UInt8(ascii: "\\"):
                index += 2
            default:
                index += 1
            }
        }
        return nil
    }

    private mutating func space() {
        while index < bytes.count, " \t\r\n".utf8.contains(bytes[index]) { index += 1 }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }
}

/// Work on a thread of its own with the main thread's stack: decoding recurses as deep as a description nests.
private final class SecondThread<Value: Sendable>: @unchecked Sendable {
    private var outcome: Result<Value, Error>?
    private let finished = DispatchSemaphore(value: 0)

    init(_ work: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in
            outcome = Result(catching: work)
            finished.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    func result() -> Result<Value, Error> {
        finished.wait()
        return outcome ?? .failure(Failure("the components' decoding ended without an answer"))
    }
}

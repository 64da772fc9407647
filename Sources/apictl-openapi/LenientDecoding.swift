import Foundation
import OpenAPIKit

/// Decodes a description that breaks the specification in places, as generated ones do
/// (an OAuth flow without `scopes`, a value of the wrong type): each time OpenAPIKit refuses
/// a part, that part is taken out and decoding starts again, with one warning naming where
/// it was. Only a description whose top-level fields break, or that keeps breaking, is
/// refused: the rest of it is still worth completing and checking against.
enum LenientDecoding {
    /// Parts skipped before the description is given up as too broken to use.
    static let mostSkipped = 50

    static func decode<Document>(from json: Data, warnings: inout [String], decodeOnce: (Data) throws -> Document) throws -> Document {
        var data = json
        var tree: Any?
        for _ in 0...mostSkipped {
            do { return try decodeOnce(data) } catch {
                let failure = OpenAPIKit.OpenAPI.Error(from: error)
                let path = failure.codingPath
                // The document itself, or one of its own fields (info, paths): nothing smaller to skip.
                guard path.count >= 2 else { throw failure }
                if tree == nil { tree = try JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed]) }
                // A missing key is named with the object that lacks it, or with itself: either way the object goes.
                guard let current = tree,
                      let pruned = removing(path[...], from: current) ?? removing(path.dropLast(), from: current) else { throw failure }
                tree = pruned
                warnings.append("skipped \(place(path)): \(oneLine(failure.localizedDescription))")
                data = try JSONSerialization.data(withJSONObject: pruned, options: [.fragmentsAllowed])
            }
        }
        throw Failure("more than \(mostSkipped) parts break the specification; the last: \(warnings.last ?? "")")
    }

    /// `tree` without the value at `path`; nil when there is no such value.
    static func removing(_ path: ArraySlice<CodingKey>, from tree: Any) -> Any? {
        guard let key = path.first else { return nil }
        let rest = path.dropFirst()
        if var object = tree as? [String: Any] {
            guard let child = object[key.stringValue] else { return nil }
            if rest.isEmpty {
                object[key.stringValue] = nil
            } else {
                guard let pruned = removing(rest, from: child) else { return nil }
                object[key.stringValue] = pruned
            }
            return object
        }
        if var array = tree as? [Any], let index = key.intValue ?? Int(key.stringValue), array.indices.contains(index) {
            if rest.isEmpty {
                array.remove(at: index)
            } else {
                guard let pruned = removing(rest, from: array[index]) else { return nil }
                array[index] = pruned
            }
            return array
        }
        return nil
    }

    /// `.paths['/a'].post.requestBody`: where a part sits, as OpenAPIKit names places.
    static func place(_ path: [CodingKey]) -> String {
        path.map { key in
            if let index = key.intValue { return "[\(index)]" }
            let name = key.stringValue
            return (name.first.map { $0.isLetter || $0 == "_" } ?? false) && name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) ? "." + name : "['\(name)']"
        }.joined()
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}

import Foundation
import OpenAPIKit
import OpenAPIKit30
import OpenAPIKitCompat

/// A description as OpenAPIKit reads it, with the version its `openapi` field gave.
struct DescriptionDocument {
    let document: OpenAPIKit.OpenAPI.Document
    let version: String
    /// Parts of the description that broke the specification and were skipped, one line each.
    private(set) var warnings: [String] = []

    /// A document decoded some other way, as the index reads it (the tests compare decodings by their index).
    init(document: OpenAPIKit.OpenAPI.Document, version: String) {
        self.document = document
        self.version = version
    }

    /// Reads DESCRIPTION (JSON or YAML; OpenAPI 3.0, 3.1 or 3.2). `times` hears how long each step took.
    init(path: String, times: StepTimes) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure("cannot read \(path)") }
        let json = try Self.jsonBytes(data)
        times.note("yaml to json")
        let header: VersionHeader
        do { header = try JSONDecoder().decode(VersionHeader.self, from: json) } catch DecodingError.typeMismatch {
            throw Failure("not an object at the top: this is not an OpenAPI description")
        } catch {
            throw Failure("not JSON or YAML: \(Self.whereJSONBreaks(json) ?? describe(error))")
        }
        if let swagger = header.swagger { throw Failure("a Swagger \(swagger) description; apictl reads OpenAPI 3.0, 3.1 and 3.2") }
        if let number = header.openapiNumber {
            // YAML reads `openapi: 3.0` as a number.
            throw Failure("'openapi' is the number \(number), not a version: write it as text with its patch number (openapi: \"3.0.3\")")
        }
        guard let version = header.openapi else { throw Failure("no 'openapi' field: this is not an OpenAPI description") }
        if version.split(separator: ".").count < 3, version.hasPrefix("3.") {
            throw Failure("'openapi' is \(version), which names no release: write it with its patch number (\(version).0 or the one the description follows)")
        }
        var warnings: [String] = []
        do {
            if version.hasPrefix("3.0") {
                document = try LenientDecoding.decode(from: json, warnings: &warnings) {
                    try DocumentHalves.decode(OpenAPIKit30.OpenAPI.Document.self, $0, decoder: Self.decoder) { $0.convert(to: .v3_1_1) }
                }
            } else if version.hasPrefix("3.1") || version.hasPrefix("3.2") {
                document = try LenientDecoding.decode(from: json, warnings: &warnings) {
                    try DocumentHalves.decode(OpenAPIKit.OpenAPI.Document.self, $0, decoder: Self.decoder) { $0 }
                }
            } else {
                throw Failure("OpenAPI \(version); apictl reads 3.0, 3.1 and 3.2")
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure("OpenAPI \(version): \(describe(error))")
        }
        self.version = version
        self.warnings = warnings
        times.note("decode")
    }

    /// Vendor extensions (x-...) are nothing apictl indexes, and OpenAPIKit finds them by
    /// decoding each object's whole subtree once more: with them off, decoding is 3-7x faster.
    @Sendable private static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.userInfo[OpenAPIKit.VendorExtensionsConfiguration.enabledKey] = false
        decoder.userInfo[OpenAPIKit30.VendorExtensionsConfiguration.enabledKey] = false
        return decoder
    }

    /// "line 3, column 14: ..." for JSON that does not parse: where it breaks, from the offset
    /// JSONSerialization names.
    private static func whereJSONBreaks(_ json: Data) -> String? {
        do { _ = try JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed]); return nil } catch {
            let said = (error as NSError).userInfo["NSDebugDescription"] as? String ?? "\(error)"
            guard let range = said.range(of: "around character "),
                  let offset = Int(said[range.upperBound...].prefix { $0.isNumber }) else { return said }
            let before = json.prefix(offset)
            let line = before.filter { $0 == UInt8(ascii: "\n") }.count + 1
            let column = offset - (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1
            return "line \(line), column \(column): " + said.replacingOccurrences(of: " around character \(offset)", with: "")
        }
    }

    /// The two fields that say which specification a description follows.
    private struct VersionHeader: Decodable {
        var openapi: String?
        var openapiNumber: Double?
        var swagger: String?

        init(from decoder: Decoder) throws {
            let fields = try decoder.container(keyedBy: Key.self)
            openapi = try? fields.decodeIfPresent(String.self, forKey: .openapi)
            openapiNumber = openapi == nil ? (try? fields.decodeIfPresent(Double.self, forKey: .openapi)) ?? nil : nil
            swagger = (try? fields.decodeIfPresent(String.self, forKey: .swagger)) ?? nil
        }

        private enum Key: String, CodingKey { case openapi, swagger }
    }

    /// The description as JSON bytes: JSON as it is, YAML converted.
    private static func jsonBytes(_ file: Data) throws -> Data {
        // A byte order mark is no part of either (editors on Windows write one).
        let data = file.starts(with: [0xEF, 0xBB, 0xBF]) ? file.dropFirst(3) : file
        guard String(data: data, encoding: .utf8) != nil else { throw Failure("not UTF-8 text") }
        let isJSON = data.first { !" \t\r\n".utf8.contains($0) } == UInt8(ascii: "{")
        if isJSON { return data }
        return Data(try YAMLAsJSON.json([UInt8](data)))
    }
}

/// What is wrong with a description, as the one line apictl shows.
struct Failure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// OpenAPIKit's errors say where ("at path: .paths['/x'].get.responses"); one line of it.
func describe(_ error: Error) -> String {
    // An error already made OpenAPIKit's (LenientDecoding's) is said as it is: made one again,
    // it says only "The operation could not be completed".
    let failure = error as? OpenAPIKit.OpenAPI.Error ?? OpenAPIKit.OpenAPI.Error(from: error)
    return failure.localizedDescription.split(whereSeparator: \.isNewline).joined(separator: " ")
}

@testable import apictl_openapi
import APICtlIndexFormat
import Foundation
import XCTest

/// `apictl-openapi`: a description read as OpenAPIKit reads it, written as the index apictl
/// reads (IndexFormat's keys, one description always the same bytes).
final class DescriptionIndexTests: XCTestCase {
    func description(_ text: String, name: String = "openapi.json") throws -> DescriptionDocument {
        let path = NSTemporaryDirectory() + UUID().uuidString + "-" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try DescriptionDocument(path: path, times: StepTimes())
    }

    func lines(_ index: DescriptionIndex) throws -> [[String: Any]] {
        let text = String(decoding: try index.lines(), as: UTF8.self)
        return try text.split(separator: "\n").map { line in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    static let shop = """
    {"openapi": "3.1.0", "info": {"title": "shop", "version": "1"}, "servers": [{"url": "https://api.shop.test/v1"}],
     "paths": {
       "/orders/{id}": {"get": {"summary": "One order", "parameters": [{"name": "id", "in": "path", "required": true,
                                                                       "schema": {"type": "string"}}],
                                "responses": {"200": {"description": "ok"}}}},
       "/orders": {"post": {"summary": "Place an order", "security": [{"oauth": ["orders:write"]}],
                            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}}},
                            "responses": {"201": {"description": "made"}, "422": {"description": "no"}}},
                   "get": {"summary": "List orders", "parameters": [{"name": "status", "in": "query", "schema": {"enum": ["open", "shipped"]}}],
                           "responses": {"200": {"description": "ok"}}}}},
     "components": {"schemas": {"Order": {"type": "object", "required": ["sku"], "properties": {"sku": {"type": "string"}}}},
                    "securitySchemes": {"oauth": {"type": "oauth2", "flows": {"clientCredentials": {
                        "tokenUrl": "https://auth.shop.test/token", "scopes": {"orders:write": "place orders"}}}}}}}
    """

    func testTheHeaderAndEachOperationUseTheSharedKeysInPathAndMethodOrder() throws {
        let index = DescriptionIndex(try description(Self.shop))
        let lines = try lines(index)
        let header = try XCTUnwrap(lines.first)
        XCTAssertEqual(Set(header.keys), Set(IndexFormat.HeaderKey.allCases.map(\.rawValue)))
        XCTAssertEqual(header["format"] as? Int, IndexFormat.version)
        XCTAssertEqual(header["title"] as? String, "shop")
        XCTAssertEqual(header["servers"] as? [String], ["https://api.shop.test/v1"])
        XCTAssertEqual(header["catalog"] as? [[String]], [["GET", "/orders", "List orders"], ["POST", "/orders", "Place an order"],
                                                         ["GET", "/orders/{id}", "One order"]])
        let known = Set(IndexFormat.OperationKey.allCases.map(\.rawValue))
        for operation in lines.dropFirst() { XCTAssertTrue(Set(operation.keys).isSubset(of: known), "\(operation.keys)") }
        let post = lines[2]
        XCTAssertEqual(post["body_required"] as? Bool, true)
        XCTAssertEqual((post["body"] as? [String: Any])?["required"] as? [String], ["sku"], "the $ref is followed")
        XCTAssertEqual(post["responses"] as? [String], ["201", "422"])
        let security = try XCTUnwrap(post["security"] as? [[[String: Any]]])
        XCTAssertEqual(security.first?.first?["scheme"] as? String, "oauth")
        XCTAssertEqual(security.first?.first?["scopes"] as? [String], ["orders:write"])
        let parameter = try XCTUnwrap((lines[1]["parameters"] as? [[String: Any]])?.first)
        XCTAssertEqual(parameter["name"] as? String, "status")
        XCTAssertEqual(parameter["in"] as? String, "query")
    }

    func testOneDescriptionAlwaysGivesTheSameBytes() throws {
        let first = try DescriptionIndex(description(Self.shop)).lines()
        let second = try DescriptionIndex(description(Self.shop)).lines()
        XCTAssertEqual(first, second)
    }

    func testAReferenceThatDoesNotResolveIsAWarningNamingItsPlace() throws {
        let broken = Self.shop.replacingOccurrences(of: "#/components/schemas/Order", with: "#/components/schemas/Missing")
        let index = DescriptionIndex(try description(broken))
        XCTAssertEqual(index.operations.count, 3, "the rest is indexed")
        XCTAssertTrue(index.warnings.contains { $0.contains("#/components/schemas/Missing") && $0.contains(".paths['/orders'].post.requestBody") },
                      "\(index.warnings)")
    }

    func testAYAMLDescriptionOfOpenAPI30IsRead() throws {
        let yaml = """
        openapi: 3.0.3
        info: {title: tiny, version: "1"}
        paths:
          /ping:
            get:
              summary: Ping
              responses: {"200": {description: ok}}
        """
        let index = DescriptionIndex(try description(yaml, name: "openapi.yaml"))
        XCTAssertEqual(index.header.catalog, [["GET", "/ping", "Ping"]])
        XCTAssertEqual(index.header.openapi, "3.0.3")
    }

    func testWhatIsNotOpenAPIIsSaidAsSuch() throws {
        XCTAssertThrowsError(try description(#"{"swagger": "2.0", "info": {}, "paths": {}}"#)) { error in
            XCTAssertTrue((error as? Failure)?.message.contains("Swagger 2.0") ?? false, "\(error)")
        }
        XCTAssertThrowsError(try description(#"{"hello": 1}"#)) { error in
            XCTAssertTrue((error as? Failure)?.message.contains("no 'openapi' field") ?? false, "\(error)")
        }
    }

    func testARefusalOfTheWholeDocumentSaysWhatIsMissing() {
        // It said only "The operation could not be completed" once LenientDecoding had met it.
        XCTAssertThrowsError(try description(#"{"openapi": "3.1.0"}"#)) { error in
            XCTAssertTrue((error as? Failure)?.message.contains("Expected to find `info` key") ?? false, "\(error)")
        }
    }

    func testAByteOrderMarkIsNoPartOfTheJSON() throws {
        let index = DescriptionIndex(try description("\u{FEFF}" + #"{"openapi": "3.1.0", "info": {"title": "\ud83d\ude00", "version": "1"}, "paths": {}}"#))
        XCTAssertEqual(index.header.title, "😀")
    }
}

@testable import apictl_openapi
import Foundation
import OpenAPIKit
import OpenAPIKit30
import XCTest

/// A description decoded in two halves at once must be the description decoded whole: the
/// same document, the same parts skipped with the same warnings, the same refusals.
final class DocumentHalvesTests: XCTestCase {
    static let desk = """
    {"openapi": "3.0.3", "info": {"title": "desk", "version": "2"}, "servers": [{"url": "https://desk.test/v1"}],
     "security": [{"key": []}],
     "paths": {
       "/tickets": {"post": {"security": [{"oauth": ["tickets:write"]}],
                             "parameters": [{"$ref": "#/components/parameters/Trace"}],
                             "requestBody": {"$ref": "#/components/requestBodies/NewTicket"},
                             "responses": {"201": {"$ref": "#/components/responses/Made"}}}},
       "/tickets/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                                 "responses": {"200": {"description": "one", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ticket"}}}}}}}
     },
     "components": {
       "schemas": {"Ticket": {"type": "object", "required": ["title"], "properties": {
         "title": {"type": "string"}, "status": {"type": "string", "enum": ["open", "closed"], "nullable": true},
         "replies": {"type": "array", "items": {"$ref": "#/components/schemas/Ticket"}}}}},
       "parameters": {"Trace": {"name": "X-Trace", "in": "header", "schema": {"type": "string"}}},
       "requestBodies": {"NewTicket": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ticket"}}}}},
       "responses": {"Made": {"description": "made"}},
       "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"},
                           "oauth": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://desk.test/token", "scopes": {"tickets:write": "write"}}}}}
     }}
    """

    /// What a user sees of a document: its index (OpenAPIKit's documents compare unequal when
    /// a schema's properties come out of decoding in another order).
    func index(_ document: OpenAPIKit.OpenAPI.Document) throws -> String {
        String(decoding: try DescriptionIndex(DescriptionDocument(document: document, version: "3.0.3")).lines(), as: UTF8.self)
    }

    func whole(_ json: String) throws -> OpenAPIKit.OpenAPI.Document {
        try JSONDecoder().decode(OpenAPIKit30.OpenAPI.Document.self, from: Data(json.utf8)).convert(to: .v3_1_1)
    }

    func halves(_ json: String) throws -> OpenAPIKit.OpenAPI.Document {
        try DocumentHalves.decode(OpenAPIKit30.OpenAPI.Document.self, Data(json.utf8), decoder: { JSONDecoder() }) { $0.convert(to: .v3_1_1) }
    }

    func testTheHalvesMakeTheDocumentTheWholeMakes() throws {
        XCTAssertNotNil(DocumentHalves(Data(Self.desk.utf8)), "this description is cut")
        let document = try halves(Self.desk)
        XCTAssertEqual(try index(document), try index(whole(Self.desk)))
        XCTAssertTrue(try index(document).contains(#""X-Trace""#), "a parameter from the components half is in the index")
        XCTAssertEqual(document.components.schemas.count, 1)
        XCTAssertEqual(document.components.securitySchemes.count, 2)
    }

    func testTheDocumentHalfKeepsOnlyTheComponentsItsChecksRead() throws {
        let cut = try XCTUnwrap(DocumentHalves(Data(Self.desk.utf8)))
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: cut.document) as? [String: Any])
        XCTAssertEqual((document["components"] as? [String: Any]).map { Array($0.keys) }, ["securitySchemes"])
        XCTAssertEqual((document["paths"] as? [String: Any])?.count, 2)
        let alone = try XCTUnwrap(JSONSerialization.jsonObject(with: cut.components) as? [String: Any])
        XCTAssertEqual((alone["components"] as? [String: Any])?.count, 5)
        XCTAssertEqual((alone["paths"] as? [String: Any])?.isEmpty, true)
    }

    func testAnOperationNamingASchemeTheComponentsLackIsRefusedAsFromTheWhole() throws {
        let unknown = Self.desk.replacingOccurrences(of: #"{"oauth": ["tickets:write"]}"#, with: #"{"nobody": []}"#)
        XCTAssertThrowsError(try whole(unknown))
        XCTAssertThrowsError(try halves(unknown)) { error in
            XCTAssertTrue(OpenAPIKit.OpenAPI.Error(from: error).codingPath.map(\.stringValue).contains("security"), "\(error)")
        }
    }

    func testBrokenPartsAreSkippedWithTheWarningsTheWholeGives() throws {
        let broken = Self.desk
            .replacingOccurrences(of: #""Made": {"description": "made"}"#, with: #""Made": {"description": 7}"#)
            .replacingOccurrences(of: #""in": "path""#, with: #""in": "nowhere""#)
        var wholeWarnings: [String] = []
        var halvesWarnings: [String] = []
        let json = Data(broken.utf8)
        let fromWhole = try LenientDecoding.decode(from: json, warnings: &wholeWarnings) {
            try JSONDecoder().decode(OpenAPIKit30.OpenAPI.Document.self, from: $0).convert(to: .v3_1_1)
        }
        let fromHalves = try LenientDecoding.decode(from: json, warnings: &halvesWarnings) {
            try DocumentHalves.decode(OpenAPIKit30.OpenAPI.Document.self, $0, decoder: { JSONDecoder() }) { $0.convert(to: .v3_1_1) }
        }
        XCTAssertEqual(halvesWarnings, wholeWarnings)
        XCTAssertEqual(halvesWarnings.count, 3, "the description twice over, then the response that lacks one, then the parameter: \(halvesWarnings)")
        XCTAssertTrue(halvesWarnings.last?.contains(".paths['/tickets/{id}'].get.parameters[0]") ?? false, "\(halvesWarnings)")
        XCTAssertEqual(try index(fromHalves), try index(fromWhole))
        XCTAssertNil(fromHalves.components.responses["Made"], "the broken response was skipped")
    }

    func testWhatCannotBeReadPlainlyIsDecodedWhole() {
        let uncut = [
            #"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}"#,
            #"{"openapi": "3.0.3", "paths": {}, "components": {}, "compon\u0065nts": {"schemas": {}}}"#,
            #"{"openapi": "3.0.3", "paths": {}, "components": {}, "components": {"schemas": {}}}"#,
            #"{"openapi": "3.0.3", "components": {"schemas": {}, "schem\u0061s": {}}}"#,
            #"{"openapi": "3.0.3", "components": ["schemas"]}"#,
            #"{"openapi": "3.0.3", "components": {"schemas": {"a": "\"}}}"#,
            #"{"openapi": "3.0.3", "components": {"schemas": {"#,
        ]
        for json in uncut {
            XCTAssertNil(DocumentHalves(Data(json.utf8)), json)
        }
    }

    func testAStringHoldingBracesAndQuotesDoesNotMoveTheCut() throws {
        let tricky = Self.desk.replacingOccurrences(of: #""in": "header","#, with: #""in": "header", "description": "a \"}]{[ \\\" \u007d","#)
        let cut = try index(halves(tricky))
        XCTAssertEqual(cut, try index(whole(tricky)))
        XCTAssertTrue(cut.contains(#""description":"a \"}]{[ \\\" }""#), cut)
    }

    func testPartsBeforeTheComponentsAreSkippedFirstAsFromTheWhole() throws {
        let broken = Self.desk
            .replacingOccurrences(of: #"{"url": "https://desk.test/v1"}"#, with: #"{"url": 5}"#)
            .replacingOccurrences(of: #""Made": {"description": "made"}"#, with: #""Made": {"description": 7}"#)
        var wholeWarnings: [String] = []
        var halvesWarnings: [String] = []
        _ = try LenientDecoding.decode(from: Data(broken.utf8), warnings: &wholeWarnings) {
            try JSONDecoder().decode(OpenAPIKit30.OpenAPI.Document.self, from: $0).convert(to: .v3_1_1)
        }
        _ = try LenientDecoding.decode(from: Data(broken.utf8), warnings: &halvesWarnings) {
            try DocumentHalves.decode(OpenAPIKit30.OpenAPI.Document.self, $0, decoder: { JSONDecoder() }) { $0.convert(to: .v3_1_1) }
        }
        XCTAssertEqual(halvesWarnings, wholeWarnings)
        XCTAssertTrue(halvesWarnings.first?.hasPrefix("skipped .servers[0]") ?? false, "\(halvesWarnings)")
    }
}

import Foundation
import OpenAPIKit
import OpenAPIKitCore

/// apictl's compact index of a description, as `apictl api sync` reads it: a header line
/// (title, version, servers and the catalog: method, path and summary of each operation),
/// then one line of JSON per operation in catalog order, which apictl stores as they are
/// (OpenAPIIndex in APICtlCore reads them). Operations are sorted by path and method, so
/// one description always gives one index.
///
/// References are followed here, one at a time, rather than by OpenAPIKit's whole-document
/// dereferencing: that refuses a recursive schema (a tree node whose children are nodes),
/// which real APIs have, and works through response bodies the index never reads.
struct DescriptionIndex {
    struct Header: Encodable {
        /// The layout of these lines; apictl refuses another.
        let format = 2
        let title: String
        let openapi: String
        let servers: [String]
        let catalog: [[String]]
    }

    let header: Header
    let operations: [IndexedOperation]

    init(_ description: DescriptionDocument) throws {
        let document = description.document
        var operations: [IndexedOperation] = []
        for (path, item) in document.paths {
            let pathItem = try resolving { try document.components.lookup(item) }
            for endpoint in pathItem.endpoints {
                operations.append(try IndexedOperation(endpoint, path: path.rawValue, in: pathItem, of: document))
            }
        }
        self.operations = operations.sorted { ($0.path, $0.method) < ($1.path, $1.method) }
        header = Header(title: document.info.title, openapi: description.version,
                        servers: document.servers.map { $0.urlTemplate.absoluteString },
                        catalog: self.operations.map { [$0.method, $0.path, $0.summary ?? ""] })
    }

    /// The header and operation lines, each ending in a newline (JSON escapes any inside).
    func lines() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = try encoder.encode(header)
        out.append(UInt8(ascii: "\n"))
        for operation in operations {
            out.append(try encoder.encode(operation))
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }
}

/// Runs a lookup of OpenAPIKit's; a reference that does not resolve (missing, in another
/// file, or a $ref to a $ref to itself) says which.
func resolving<Value>(_ lookup: () throws -> Value) throws -> Value {
    do { return try lookup() } catch { throw Failure("its references do not resolve: \(describe(error))") }
}

struct IndexedOperation: Encodable {
    struct Parameter: Encodable {
        let name: String
        let `in`: String
        let required: Bool
        let schema: IndexedSchema?
        let description: String?
    }

    struct SecurityScheme: Encodable {
        let scheme: String
        let scopes: [String]
    }

    let method: String
    let path: String
    let summary: String?
    let parameters: [Parameter]?
    let body_required: Bool?
    let body: IndexedSchema?
    let security: [[SecurityScheme]]?
    let responses: [String]

    init(_ endpoint: OpenAPI.PathItem.Endpoint, path: String, in pathItem: OpenAPI.PathItem, of document: OpenAPI.Document) throws {
        let operation = endpoint.operation
        let components = document.components
        method = endpoint.method.rawValue.uppercased()
        self.path = path
        summary = (operation.summary ?? pathItem.summary ?? operation.operationId).map { String($0.prefix(200)) }
        // The path's parameters, less those the operation redefines, then the operation's own.
        let own = try resolving { try operation.parameters.map(components.lookup) }
        let shared = try resolving { try pathItem.parameters.map(components.lookup) }
            .filter { parameter in !own.contains { $0.name == parameter.name && $0.location == parameter.location } }
        let parameters = try (shared + own).map { parameter in
            var schema: IndexedSchema?
            if case .a(let context) = parameter.schemaOrContent {
                schema = try IndexedSchema(resolving { try components.lookup(context.schema) }, in: components)
            }
            return Parameter(name: parameter.name, in: parameter.location.rawValue, required: parameter.required,
                             schema: schema, description: parameter.description.map { String($0.prefix(200)) })
        }
        self.parameters = parameters.isEmpty ? nil : parameters
        let request = try operation.requestBody.map { body in try resolving { try components.lookup(body) } }
        body_required = request?.required
        body = try request.flatMap { try Self.bodySchema($0, in: components) }.map { try IndexedSchema($0, in: components) }
        let security = (operation.security ?? document.security).map { requirement in
            requirement.map { reference, scopes in SecurityScheme(scheme: reference.name ?? reference.absoluteString, scopes: scopes) }
                .sorted { $0.scheme < $1.scheme }
        }
        self.security = security.isEmpty ? nil : security
        for response in operation.responses.values { _ = try resolving { try components.lookup(response) } }
        responses = operation.responses.keys.map(\.rawValue).sorted()
    }

    /// The first JSON body a request takes (application/json or any +json), else the first body.
    private static func bodySchema(_ request: OpenAPI.Request, in components: OpenAPI.Components) throws -> JSONSchema? {
        guard let content = request.content.first(where: { $0.key.rawValue.contains("json") }) ?? request.content.first else { return nil }
        return try resolving { try components.lookup(content.value) }.schema
    }
}

import Foundation
import OpenAPIKit
import OpenAPIKitCore

/// apictl's compact index of a description, as `apictl api sync` reads it: a header line
/// (title, version, servers and the catalog: method, path and summary of each operation),
/// then one line of JSON per operation in catalog order, which apictl stores as they are
/// (OpenAPIIndex in APICtlCore reads them). Operations are sorted by path and method, so
/// one description always gives one index.
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
        let resolved: OpenAPIKit.ResolvedDocument
        do { resolved = try Self.withoutResponseBodies(description.document).locallyDereferenced().resolved() } catch {
            throw Failure("its references do not resolve: \(describe(error))")
        }
        operations = resolved.endpoints.map(IndexedOperation.init).sorted { ($0.path, $0.method) < ($1.path, $1.method) }
        header = Header(title: description.document.info.title, openapi: description.version,
                        servers: description.document.servers.map { $0.urlTemplate.absoluteString },
                        catalog: operations.map { [$0.method, $0.path, $0.summary ?? ""] })
    }

    /// The document with each response reduced to its description: the index keeps only
    /// status codes, and dereferencing response bodies was half the time of indexing.
    private static func withoutResponseBodies(_ document: OpenAPIKit.OpenAPI.Document) -> OpenAPIKit.OpenAPI.Document {
        func bare(_ response: Either<OpenAPIKit.OpenAPI.Reference<OpenAPIKit.OpenAPI.Response>, OpenAPIKit.OpenAPI.Response>)
            -> Either<OpenAPIKit.OpenAPI.Reference<OpenAPIKit.OpenAPI.Response>, OpenAPIKit.OpenAPI.Response> {
            guard case .b(var body) = response else { return response }   // a $ref: its component is made bare below
            body.content = [:]
            body.headers = nil
            body.links = [:]
            return .b(body)
        }
        var bareDocument = document
        bareDocument.components.responses = document.components.responses.mapValues(bare)
        bareDocument.paths = document.paths.mapValues { item in
            guard case .b(var pathItem) = item else { return item }
            for endpoint in pathItem.endpoints {
                var operation = endpoint.operation
                operation.responses = operation.responses.mapValues(bare)
                pathItem[endpoint.method] = operation
            }
            return .b(pathItem)
        }
        return bareDocument
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

    init(_ endpoint: OpenAPIKit.ResolvedEndpoint) {
        method = endpoint.method.rawValue.uppercased()
        path = endpoint.path.rawValue
        summary = (endpoint.endpointSummary ?? endpoint.routeSummary ?? endpoint.operationId).map { String($0.prefix(200)) }
        let parameters = endpoint.parameters.map { parameter in
            var schema: IndexedSchema?
            if case .a(let context) = parameter.schemaOrContent { schema = IndexedSchema(context.schema) }
            return Parameter(name: parameter.name, in: parameter.context.location.rawValue, required: parameter.required,
                             schema: schema, description: parameter.description.map { String($0.prefix(200)) })
        }
        self.parameters = parameters.isEmpty ? nil : parameters
        body_required = endpoint.requestBody?.required
        body = endpoint.requestBody.flatMap(Self.bodySchema).map { IndexedSchema($0) }
        let security = endpoint.security.map { requirement in
            requirement.schemes.map { name, scoped in SecurityScheme(scheme: name, scopes: scoped.requiredScopes) }
                .sorted { $0.scheme < $1.scheme }
        }
        self.security = security.isEmpty ? nil : security
        responses = endpoint.responses.keys.map(\.rawValue).sorted()
    }

    /// The first JSON body a request takes (application/json or any +json), else the first body.
    private static func bodySchema(_ request: OpenAPIKit.DereferencedRequest) -> OpenAPIKit.DereferencedJSONSchema? {
        let json = request.content.first { $0.key.rawValue.contains("json") }
        return (json ?? request.content.first)?.value.schema
    }
}

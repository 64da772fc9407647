import APICtlIndexFormat
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
    /// Its keys are IndexFormat's, which apictl reads by.
    struct Header: Encodable {
        let title: String
        let openapi: String
        let servers: [String]
        let catalog: [[String]]

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: IndexFormat.HeaderKey.self)
            try container.encode(IndexFormat.version, forKey: .format)
            try container.encode(title, forKey: .title)
            try container.encode(openapi, forKey: .openapi)
            try container.encode(servers, forKey: .servers)
            try container.encode(catalog, forKey: .catalog)
        }
    }

    let header: Header
    let operations: [IndexedOperation]
    /// References that did not resolve, each with the place that uses it: those parts are unchecked.
    let warnings: [String]

    init(_ description: DescriptionDocument) {
        let document = description.document
        let warnings = IndexWarnings()
        var operations: [IndexedOperation] = []
        for (path, item) in document.paths {
            let place = ".paths" + IndexWarnings.key(path.rawValue)
            guard let pathItem = warnings.resolved(place, reference: IndexWarnings.name(item), { try document.components.lookup(item) }) else { continue }
            for endpoint in pathItem.endpoints {
                operations.append(IndexedOperation(endpoint, path: path.rawValue, in: pathItem, of: document, warnings: warnings))
            }
        }
        self.warnings = warnings.lines
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

/// What the index could not follow: a reference that does not resolve (missing, or a $ref to a
/// $ref to itself) leaves its part unchecked, named with the place that uses it, rather than
/// the whole description unusable.
final class IndexWarnings {
    private(set) var lines: [String] = []
    private var schemaPartsLeft = SchemaBudget.perIndex

    func note(_ line: String) { lines.append(line) }

    /// Takes `count` schema parts from the whole index's budget; false once it is spent.
    func spendSchemaParts(_ count: Int) -> Bool {
        schemaPartsLeft -= count
        return schemaPartsLeft >= 0
    }

    /// The lookup's value, or nil with a warning naming the reference (`#/components/schemas/Missing`)
    /// and `place`, where it is used (`.paths['/a'].post.requestBody`).
    func resolved<Value>(_ place: String, reference: String? = nil, _ lookup: () throws -> Value) -> Value? {
        do { return try lookup() } catch {
            lines.append("\(reference ?? self.reference(in: error) ?? "a reference") at \(place) does not resolve; that part is not checked")
            return nil
        }
    }

    /// The `$ref` an OpenAPIKit value stands for, when it is one.
    static func name<Target>(_ value: Either<OpenAPI.Reference<Target>, Target>) -> String? {
        if case .a(let reference) = value { return reference.absoluteString }
        return nil
    }

    /// `['/a']` or `.name`, as OpenAPIKit writes a step of a place.
    static func key(_ name: String) -> String {
        (name.first.map { $0.isLetter || $0 == "_" } ?? false) && name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) ? "." + name : "['\(name)']"
    }

    /// The `#/components/...` a lookup error names, when it names one.
    private func reference(in error: Swift.Error) -> String? {
        let text = describe(error)
        guard let start = text.range(of: "#/") else { return nil }
        let rest = text[start.lowerBound...]
        return String(rest.prefix { !" '\"`,".contains($0) })
    }
}

/// One operation line; its keys are IndexFormat's, which apictl reads by.
struct IndexedOperation: Encodable {
    struct Parameter: Encodable {
        let name: String
        let location: String
        let required: Bool
        let schema: IndexedSchema?
        let description: String?

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: IndexFormat.ParameterKey.self)
            try container.encode(name, forKey: .name)
            try container.encode(location, forKey: .location)
            try container.encode(required, forKey: .required)
            try container.encodeIfPresent(schema, forKey: .schema)
            try container.encodeIfPresent(description, forKey: .description)
        }
    }

    struct SecurityScheme: Encodable {
        let scheme: String
        let scopes: [String]

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: IndexFormat.SecurityKey.self)
            try container.encode(scheme, forKey: .scheme)
            try container.encode(scopes, forKey: .scopes)
        }
    }

    let method: String
    let path: String
    let summary: String?
    let parameters: [Parameter]?
    let bodyRequired: Bool?
    let body: IndexedSchema?
    let security: [[SecurityScheme]]?
    let responses: [String]

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: IndexFormat.OperationKey.self)
        try container.encode(method, forKey: .method)
        try container.encode(path, forKey: .path)
        try container.encodeIfPresent(summary, forKey: .summary)
        try container.encodeIfPresent(parameters, forKey: .parameters)
        try container.encodeIfPresent(bodyRequired, forKey: .bodyRequired)
        try container.encodeIfPresent(body, forKey: .body)
        try container.encodeIfPresent(security, forKey: .security)
        try container.encode(responses, forKey: .responses)
    }

    init(_ endpoint: OpenAPI.PathItem.Endpoint, path: String, in pathItem: OpenAPI.PathItem, of document: OpenAPI.Document,
         warnings: IndexWarnings) {
        let operation = endpoint.operation
        let components = document.components
        method = endpoint.method.rawValue.uppercased()
        self.path = path
        let place = ".paths" + IndexWarnings.key(path) + "." + endpoint.method.rawValue.lowercased()
        summary = (operation.summary ?? pathItem.summary ?? operation.operationId).map { String($0.prefix(200)) }
        // The path's parameters, less those the operation redefines, then the operation's own.
        let own = operation.parameters.enumerated().compactMap { index, parameter in
            warnings.resolved(place + ".parameters[\(index)]", reference: IndexWarnings.name(parameter)) { try components.lookup(parameter) }.map { (place + ".parameters[\(index)]", $0) }
        }
        let shared = pathItem.parameters.enumerated().compactMap { index, parameter in
            warnings.resolved(".paths" + IndexWarnings.key(path) + ".parameters[\(index)]", reference: IndexWarnings.name(parameter)) {
                try components.lookup(parameter)
            }
                .map { (".paths" + IndexWarnings.key(path) + ".parameters[\(index)]", $0) }
        }.filter { _, parameter in !own.contains { $0.1.name == parameter.name && $0.1.location == parameter.location } }
        let parameters = (shared + own).map { parameterPlace, parameter in
            var schema: IndexedSchema?
            if case .a(let context) = parameter.schemaOrContent,
               let given = warnings.resolved(parameterPlace + ".schema", { try components.lookup(context.schema) }) {
                schema = IndexedSchema(given, in: components, place: parameterPlace + ".schema", warnings: warnings)
            }
            return Parameter(name: parameter.name, location: parameter.location.rawValue, required: parameter.required,
                             schema: schema, description: parameter.description.map { String($0.prefix(200)) })
        }
        self.parameters = parameters.isEmpty ? nil : parameters
        let request = operation.requestBody.flatMap { body in warnings.resolved(place + ".requestBody", reference: IndexWarnings.name(body)) {
            try components.lookup(body)
        } }
        bodyRequired = request?.required
        body = request.flatMap { Self.bodySchema($0, in: components, place: place + ".requestBody", warnings: warnings) }
        let security = (operation.security ?? document.security).map { requirement in
            requirement.map { reference, scopes in SecurityScheme(scheme: reference.name ?? reference.absoluteString, scopes: scopes) }
                .sorted { $0.scheme < $1.scheme }
        }
        self.security = security.isEmpty ? nil : security
        for (code, response) in operation.responses {
            _ = warnings.resolved(place + ".responses" + IndexWarnings.key(code.rawValue), reference: IndexWarnings.name(response)) {
                try components.lookup(response)
            }
        }
        responses = operation.responses.keys.map(\.rawValue).sorted()
    }

    /// The first JSON body a request takes (application/json or any +json), else the first body, indexed.
    private static func bodySchema(_ request: OpenAPI.Request, in components: OpenAPI.Components, place: String,
                                   warnings: IndexWarnings) -> IndexedSchema? {
        guard let content = request.content.first(where: { $0.key.rawValue.contains("json") }) ?? request.content.first,
              let schema = warnings.resolved(place + ".content" + IndexWarnings.key(content.key.rawValue), { try components.lookup(content.value) })?.schema
        else { return nil }
        return IndexedSchema(schema, in: components, place: place + ".content" + IndexWarnings.key(content.key.rawValue) + ".schema",
                             warnings: warnings)
    }
}

import OpenAPIKit
import OpenAPIKitCore

/// A schema as apictl checks it: the JSON Schema keywords docs/openapi.md lists, and a
/// description to show, nested to a limited depth (a recursive schema stops there).
final class IndexedSchema: Encodable {
    private let description: String?
    private let allowed: [AnyCodable]?
    private let type: String?
    private let nullable: Bool
    private let properties: [String: IndexedSchema]
    private let required: [String]
    private let closed: Bool
    private let items: IndexedSchema?

    init(_ given: DereferencedJSONSchema, depth: Int = 0) {
        // Each keyword from the schema's own context: DereferencedJSONSchema's `description`,
        // `nullable` and the like rebuild the whole subtree as a JSONSchema on every call.
        let core = given.ownContext
        description = core.description.map { String($0.prefix(200)) }
        allowed = core.allowedValues
        var type: String?
        var nullable = core.nullable
        var properties: [String: IndexedSchema] = [:]
        var required: [String] = []
        var closed = false
        var items: IndexedSchema?
        switch depth < 8 ? given : .fragment(.init()) {
        case .null: type = "null"
        case .boolean: type = "boolean"
        case .number: type = "number"
        case .integer: type = "integer"
        case .string: type = "string"
        case .object(_, let context):
            type = "object"
            for (name, property) in context.properties {
                properties[name] = IndexedSchema(property, depth: depth + 1)
                if property.ownContext.required { required.append(name) }
            }
            if case .a(false)? = context.additionalProperties { closed = true }
        case .array(_, let context):
            type = "array"
            items = context.items.map { IndexedSchema($0, depth: depth + 1) }
        case .all(of: let parts, core: _):
            // allOf: the union of its parts' properties and required names, as most APIs use it.
            for part in parts.map({ IndexedSchema($0, depth: depth + 1) }) {
                properties.merge(part.properties) { $1 }
                required += part.required
                if let partType = part.type { type = partType; nullable = part.nullable }
            }
            required = Array(Set(required))
        case .one, .any, .not, .fragment:
            break   // not checked: any value passes (and the nesting stops at depth 8)
        }
        self.type = type
        self.nullable = nullable
        self.properties = properties
        self.required = required.sorted()
        self.closed = closed
        self.items = items
    }

    private enum Key: String, CodingKey {
        case description, `enum`, type, properties, required, additionalProperties, items
    }

    func encode(to encoder: Encoder) throws {
        var fields = encoder.container(keyedBy: Key.self)
        try fields.encodeIfPresent(description, forKey: .description)
        try fields.encodeIfPresent(allowed, forKey: .enum)
        if let type { try nullable && type != "null" ? fields.encode([type, "null"], forKey: .type) : fields.encode(type, forKey: .type) }
        if !properties.isEmpty { try fields.encode(properties, forKey: .properties) }
        if !required.isEmpty { try fields.encode(required, forKey: .required) }
        if closed { try fields.encode(false, forKey: .additionalProperties) }
        try fields.encodeIfPresent(items, forKey: .items)
    }
}

extension DereferencedJSONSchema {
    /// The keywords every kind of schema has, read from the case itself.
    var ownContext: any JSONSchemaContext {
        switch self {
        case .null(let core): core
        case .boolean(let core): core
        case .number(let core, _): core
        case .integer(let core, _): core
        case .string(let core, _): core
        case .object(let core, _): core
        case .array(let core, _): core
        case .all(of: _, core: let core): core
        case .one(of: _, core: let core): core
        case .any(of: _, core: let core): core
        case .not(_, core: let core): core
        case .fragment(let core): core
        }
    }
}

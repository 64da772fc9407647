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

    /// `given`'s keywords, with every `$ref` in it looked up in `components` as it is met.
    /// A `$ref` to a schema that encloses it (a tree node's children) is not expanded again,
    /// nor one to another file (apictl reads one): each stands for any value, so a recursive
    /// schema is indexed once, not 8 levels deep. A `$ref` that does not resolve stands for any
    /// value too, and `warnings` hears it named with `place`, where it is used.
    ///
    /// A `$ref` used by several properties is expanded at each use, so six properties each
    /// naming the next schema, eight deep, would be 1.6 million parts from a 3 KB file: each
    /// schema gets `SchemaBudget.perSchema` parts and the whole index `SchemaBudget.perIndex`;
    /// past either, the rest stands for any value, with one warning.
    init(_ given: JSONSchema, in components: OpenAPI.Components, depth: Int = 0, enclosing: Set<String> = [],
         place: String, warnings: IndexWarnings, budget: SchemaBudget = SchemaBudget()) {
        var enclosing = enclosing
        var unchecked = !budget.spend(place: place, warnings: warnings)
        var name: String?
        if case .reference(let reference, _) = given.value {
            name = reference.absoluteString
            unchecked = unchecked || reference.isExternal || !enclosing.insert(reference.absoluteString).inserted
        }
        let schema = unchecked ? JSONSchema.fragment
            : warnings.resolved(place, reference: name, { try components.lookup(given) }) ?? JSONSchema.fragment
        let core = schema.coreContext
        description = core.description.map { String($0.prefix(200)) }
        allowed = core.allowedValues.flatMap { Self.affordable($0, budget: budget, place: place, warnings: warnings) }
        var (type, nullable, closed): (String?, Bool, Bool) = (nil, core.nullable, false)
        var (properties, required, items): ([String: IndexedSchema], [String], IndexedSchema?) = ([:], [], nil)
        switch depth < 8 ? schema.value : .fragment(.init()) {
        case .null: type = "null"
        case .boolean: type = "boolean"
        case .number: type = "number"
        case .integer: type = "integer"
        case .string: type = "string"
        case .object(_, let context):
            type = "object"
            // The index describes what a request sends: a readOnly property (an `id` the server
            // assigns) is not sent, and "required" holds for it only in responses (OpenAPI 3.x).
            // In name order, so a budget that runs out runs out at the same place on every sync.
            for (name, property) in context.properties.sorted(by: { $0.key < $1.key }) where !Self.isReadOnly(property, in: components) {
                properties[name] = IndexedSchema(property, in: components, depth: depth + 1, enclosing: enclosing,
                                                 place: place + ".properties" + IndexWarnings.key(name), warnings: warnings, budget: budget)
                if property.required { required.append(name) }   // kept on the property, a $ref's too
            }
            if case .a(false)? = context.additionalProperties { closed = true }
        case .array(_, let context):
            type = "array"
            items = context.items.map { IndexedSchema($0, in: components, depth: depth + 1, enclosing: enclosing,
                                                      place: place + ".items", warnings: warnings, budget: budget) }
        case .all(of: let parts, core: _):
            // allOf: the union of its parts' properties and required names, as most APIs use it.
            for (index, given) in parts.enumerated() {
                let part = IndexedSchema(given, in: components, depth: depth + 1, enclosing: enclosing,
                                         place: place + ".allOf[\(index)]", warnings: warnings, budget: budget)
                properties.merge(part.properties) { $1 }
                required += part.required
                if let partType = part.type { type = partType; nullable = part.nullable }
            }
            required = Array(Set(required))
        case .one, .any, .not, .reference, .fragment:
            break   // not checked: any value passes (and the nesting stops at depth 8)
        }
        self.type = type
        self.nullable = nullable
        self.properties = properties
        self.required = required.sorted()
        self.closed = closed
        self.items = items
    }

    /// An enum's values, when the budget affords them: each value is a part, and so is each 256
    /// bytes of them (a 1,000-value enum at every use of a schema would be gigabytes).
    private static func affordable(_ values: [AnyCodable], budget: SchemaBudget, place: String, warnings: IndexWarnings) -> [AnyCodable]? {
        let bytes = values.reduce(0) { $0 + String(describing: $1).utf8.count }
        return budget.spend(values.count + bytes / 256, place: place, warnings: warnings) ? values : nil
    }

    private static func isReadOnly(_ property: JSONSchema, in components: OpenAPI.Components) -> Bool {
        property.readOnly || ((try? components.lookup(property))?.readOnly ?? false)
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

/// How many parts one schema may still expand into; the index's own count is kept by `IndexWarnings`.
final class SchemaBudget {
    static let perSchema = 10_000
    static let perIndex = 1_000_000
    private var left = SchemaBudget.perSchema
    private var warned = false

    /// Takes `count` parts; false (after one warning naming `place`) once this schema or the index has not that many left.
    func spend(_ count: Int = 1, place: String, warnings: IndexWarnings) -> Bool {
        left -= count
        guard left < 0 || !warnings.spendSchemaParts(count) else { return true }
        if !warned {
            warned = true
            warnings.note("the schema at \(place) expands past what apictl indexes (a $ref used at many places); the rest is not checked")
        }
        return false
    }
}

/// The index of an API's description: `apictl-openapi` writes it, apictl stores and reads
/// it (OpenAPIIndex). Its layout is defined here once, for both: one header line, then one
/// JSON line per operation in catalog order. No Foundation, so apictl's start-up pays
/// nothing for sharing it.
public enum IndexFormat {
    /// The layout of the lines; an index in another counts as none, and is synced again.
    public static let version = 2

    /// The header line: `{"format", "title", "openapi", "servers", "catalog"}`, the catalog
    /// one `[method, path, summary]` per operation.
    public enum HeaderKey: String, CodingKey, CaseIterable {
        case format, title, openapi, servers, catalog
    }

    /// An operation line. `body` is its request body's schema; `security` the alternatives,
    /// each a list of schemes that must all hold; `responses` the status codes it lists.
    public enum OperationKey: String, CodingKey, CaseIterable {
        case method, path, summary, parameters, body, security, responses
        case bodyRequired = "body_required"
    }

    /// One parameter of an operation; `in` is query, path, header or cookie.
    public enum ParameterKey: String, CodingKey, CaseIterable {
        case name, location = "in", required, schema, description
    }

    /// One security scheme of an alternative, with the scopes it needs.
    public enum SecurityKey: String, CodingKey, CaseIterable {
        case scheme, scopes
    }
}

import APICtlCore
import APICtlIndexFormat

/// Tab candidates from a synced API description: `request <Tab>` its methods, `request GET
/// /<Tab>` its paths one segment at a time (`{id}` templates shown, or filled from the
/// profile's vars of the same name), and the body fields (required first, enum values
/// after `=`) and query parameters of the operation typed so far.
struct APICompletion {
    let index: OpenAPIIndex?
    let vars: [String: String]

    /// What a description offers, without a name that begins with `-`: typed at that place it
    /// would be read as one of apictl's options (`-o./file=` would save the answer there).
    func candidates(_ completion: ValueCompletion, prefix: String, typed: [String]) -> [(String, String)] {
        offered(completion, prefix: prefix, typed: typed).filter { !$0.0.hasPrefix("-") }
    }

    private func offered(_ completion: ValueCompletion, prefix: String, typed: [String]) -> [(String, String)] {
        // The operation of `request METHOD PATH`, for the items and options after them: found as the
        // check before sending finds it, with the profile's vars in the path's {templates}.
        let operation = typed.count >= 2 ? index?.operation(method: typed[0], path: filled(typed[1])) : nil
        switch completion {
        case .apiMethods:
            let used = index.map { Set($0.operations.map(\.method)) } ?? []
            let methods = RequestBuilder.methods.filter { used.isEmpty || used.contains($0) }
            return methods.filter { $0.hasPrefix(prefix.uppercased()) }.map { ($0, "") }
        case .apiPaths:
            return paths(prefix: prefix, method: typed.first)
        case .apiItems:
            guard let operation else { return [] }
            return items(prefix: prefix, operation: operation)
        case .apiFields, .apiStringFields:
            guard let operation else { return [] }
            // -f and -F of a GET are its query parameters (RequestBuilder puts them there).
            if ["GET", "HEAD"].contains(operation.method) { return queryCandidates(prefix: prefix, operation: operation, separator: "=") }
            return fieldCandidates(prefix: prefix, operation: operation, separator: "=", asItem: false,
                                   onlyStrings: completion == .apiStringFields)
        case .apiQuery:
            guard let operation else { return [] }
            return queryCandidates(prefix: prefix, operation: operation, separator: "=")
        default:
            return []
        }
    }

    /// `path` with its `{vars}` filled as `request` fills them (`Template.expand`); as typed when
    /// one has no value yet, which the request would refuse anyway.
    func filled(_ path: String) -> String {
        (try? Template.expand(path, vars: vars, profile: "")) ?? path
    }

    /// A name a description gives that, typed in its place, would be read as something else: one
    /// holding `=` ends early, and as an item one holding `:` is a header (a field named
    /// `Authorization:Bearer x` would send the author's Authorization instead of the user's key).
    static func misreads(_ name: String, asItem: Bool) -> Bool {
        name.contains("=") || (asItem && name.contains(":"))
    }

    /// The next segment of every path that matches what is typed; a segment typed where the
    /// path has a `{template}` matches it.
    func paths(prefix: String, method: String?) -> [(String, String)] {
        guard let index else { return [] }
        let typedSegments = prefix.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        guard prefix.hasPrefix("/") || prefix.isEmpty else { return [] }
        let done = Array(typedSegments.dropLast())
        let partial = typedSegments.last ?? ""
        var seen: Set<String> = []
        var out: [(String, String)] = []
        for operation in index.operations where method.map({ $0.uppercased() == operation.method }) ?? true {
            let segments = operation.path.split(separator: "/").map(String.init)
            guard segments.count > done.count,
                  zip(done, segments).allSatisfy({ $0 == $1 || PathTemplate.isTemplate($1) }) else { continue }
            let next = segments[done.count]
            let shown = PathTemplate.isTemplate(next) ? (vars[String(next.dropFirst().dropLast())] ?? next) : next
            guard shown.hasPrefix(partial) || (PathTemplate.isTemplate(next) && partial.isEmpty) else { continue }
            let last = segments.count == done.count + 1
            // A path the description writes with a final '/' (Django's) is offered with it: without, it is a 404.
            let candidate = "/" + (done + [shown]).joined(separator: "/") + (last && !operation.path.hasSuffix("/") ? "" : "/")
            guard seen.insert(candidate).inserted else { continue }
            out.append((candidate, last ? TerminalText.summary(operation.summary ?? "", limit: 80) : ""))
        }
        return out.sorted { $0.0 < $1.0 }
    }

    /// `name=` body fields and `name==` query parameters, as httpie-style items: once the word
    /// has its separator (as `RequestItem` reads it for `request`), the values of that one.
    func items(prefix: String, operation: OpenAPIIndex.Operation) -> [(String, String)] {
        switch RequestItem(prefix)?.kind {
        case .query: return queryCandidates(prefix: prefix, operation: operation, separator: "==")
        case .typedField: return fieldCandidates(prefix: prefix, operation: operation, separator: ":=", asItem: true)
        case .stringField: return fieldCandidates(prefix: prefix, operation: operation, separator: "=", asItem: true)
        case .header, nil:
            // Still the name (`priority:` is on its way to `priority:=`).
            return fieldCandidates(prefix: prefix, operation: operation, separator: "=", asItem: true)
                + queryCandidates(prefix: prefix, operation: operation, separator: "==")
        }
    }

    /// Field names (required first), or, after `name=`, the field's enum values. As an item,
    /// a field that is not a string is offered as `name:=` (JSON); as `-f`/`-F`'s value, `name=`.
    func fieldCandidates(prefix: String, operation: OpenAPIIndex.Operation, separator: String, asItem: Bool,
                         onlyStrings: Bool = false) -> [(String, String)] {
        guard let body = operation.body else { return [] }
        let properties = body["properties"]?.objectValue ?? [:]
        let required = Set((body["required"]?.arrayValue ?? []).compactMap(\.stringValue))
        if let range = prefix.firstRange(of: separator) {
            let name = String(prefix[..<range.lowerBound])
            return Self.enumValues(properties[name], name: name, separator: separator, prefix: prefix)
        }
        let ordered = properties.keys.sorted { (required.contains($0) ? 0 : 1, $0) < (required.contains($1) ? 0 : 1, $1) }
        return ordered.filter { $0.hasPrefix(prefix) && !Self.misreads($0, asItem: asItem) }.compactMap { name in
            let schema = properties[name]
            let type = schema.flatMap(RequestCheck.typeText) ?? "any"
            let isText = type == "string" || type == "any"
            if onlyStrings && !isText { return nil }
            let typedSeparator = asItem && !isText && separator == "=" ? ":=" : separator
            return (name + typedSeparator, TerminalText.summary((required.contains(name) ? "required " : "") + type
                    + (schema?["description"]?.stringValue.map { ": " + $0 } ?? ""), limit: 80))
        }
    }

    func queryCandidates(prefix: String, operation: OpenAPIIndex.Operation, separator: String) -> [(String, String)] {
        let parameters = operation.queryParameters
        if let range = prefix.firstRange(of: separator) {
            let name = String(prefix[..<range.lowerBound])
            return Self.enumValues(parameters.first { $0.name == name }?.schema, name: name, separator: separator, prefix: prefix)
        }
        return parameters.filter { $0.name.hasPrefix(prefix) && !Self.misreads($0.name, asItem: separator == "==") }
            .map { ($0.name + separator, ($0.required ? "required query " : "query ") + ($0.schema.flatMap(RequestCheck.typeText) ?? "")) }
    }

    /// A value that begins with `@` is never offered: after `-F name=` or `name:=` it names a
    /// file to send, so a description could have Tab put a local file of its choosing in the body.
    static func enumValues(_ schema: JSONValue?, name: String, separator: String, prefix: String) -> [(String, String)] {
        let values = (schema?["enum"]?.arrayValue ?? []).map { $0.stringValue ?? $0.rendered() }.filter { !$0.hasPrefix("@") }
        return values.map { (name + separator + $0, "") }.filter { $0.0.hasPrefix(prefix) }
    }
}

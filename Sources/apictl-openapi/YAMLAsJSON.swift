import CLibYAML

/// A YAML description as the JSON text OpenAPIKit decodes, written from libyaml's events as
/// they come. Building a node tree first (Yams' compose) took 0.3 s of authentik's 2.6 MB
/// description, three times libyaml's own parse. Scalars are typed as YAML 1.2's core schema
/// reads them (quoted or `!!str` ones are always text); a timestamp (unquoted 2024-01-01 in
/// an example) stays the text it was.
enum YAMLAsJSON {
    /// Each alias (`*name`) is written out as the node its anchor named: ten nested lists of
    /// ten aliases are 10^10 nodes ("billion laughs"). The JSON stops here instead, as apictl
    /// takes no larger description.
    static let limit = 64 << 20
    /// Deeper nesting is refused, as JSONDecoder and apictl's own JSON lexer refuse it.
    static let deepest = 512

    static func json(_ yaml: [UInt8]) throws -> [UInt8] {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw Failure("out of memory reading YAML") }
        defer { yaml_parser_delete(&parser) }
        return try yaml.withUnsafeBufferPointer { input in
            yaml_parser_set_input_string(&parser, input.baseAddress, input.count)
            var writer = Writer(capacity: input.count)
            var documents = 0
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { throw Failure("not YAML: " + problem(parser, in: input)) }
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    guard documents > 0 else { throw Failure("an empty document") }
                    return writer.out
                case YAML_DOCUMENT_START_EVENT:
                    documents += 1
                    guard documents == 1 else { throw Failure("not YAML: a second document at line \(event.start_mark.line + 1); a description is one") }
                default:
                    try writer.take(event)
                }
            }
        }
    }

    /// "line 2, column 7: did not find expected ',' or ']' (while parsing a flow sequence from line 2, column 7)".
    /// A character the reader refuses (a control character, broken UTF-8) is placed by its offset.
    private static func problem(_ parser: yaml_parser_t, in input: UnsafeBufferPointer<UInt8>) -> String {
        let said = parser.problem.map { String(cString: $0) } ?? "unreadable"
        var mark = (line: Int(parser.problem_mark.line), column: Int(parser.problem_mark.column))
        if parser.error == YAML_READER_ERROR {
            let before = input.prefix(min(Int(parser.problem_offset), input.count))
            let lineStart = before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
            mark = (before.count { $0 == UInt8(ascii: "\n") }, String(decoding: before[lineStart...], as: UTF8.self).count)
        }
        var text = "line \(mark.line + 1), column \(mark.column + 1): \(said)"
        let index = Int(parser.problem_mark.index)
        if parser.error != YAML_READER_ERROR, index < input.count, input[index] == 0x09 { text += " (a tab: YAML indents with spaces)" }
        if let context = parser.context {
            text += " (\(String(cString: context)) from line \(parser.context_mark.line + 1), column \(parser.context_mark.column + 1))"
        }
        return String(text.prefix(300))
    }

    /// A mapping key compared byte for byte: Swift's String equality would take "café" composed
    /// and decomposed, two keys to YAML and to JSON, for one.
    private struct KeyBytes: Hashable {
        let text: String

        static func == (one: KeyBytes, other: KeyBytes) -> Bool { one.text.utf8.elementsEqual(other.text.utf8) }

        func hash(into hasher: inout Hasher) {
            var text = text
            text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        }
    }

    /// The JSON so far and the mappings and sequences still open around the next event.
    private struct Writer {
        private(set) var out: [UInt8] = []
        private var open: [Container] = []
        /// Each anchor's node as written, for its aliases: its JSON, a scalar's text (for an alias
        /// used as a key), and how many levels it nests.
        private var anchors: [String: (json: [UInt8], text: String?, depth: Int)] = [:]
        /// The bytes all anchors keep, held to `limit` too: anchors nested in anchors each keep a copy.
        private var kept = 0

        /// What aliases may write out in all: a description's shared parts are small, and a
        /// description under `limit` that aliases made of a few lines still took OpenAPIKit
        /// minutes to decode (60 MB of zeros from 847 bytes).
        private let aliasBudget: Int
        private var aliased = 0

        init(capacity: Int) {
            out.reserveCapacity(capacity + capacity / 4)
            aliasBudget = (4 << 20) + 2 * capacity
        }

        private struct Container {
            let isMapping: Bool
            let anchor: String?
            let start: Int
            var count = 0
            /// Levels below it so far, aliases' included.
            var depthInside = 0
            /// In a mapping: keys seen, with the line each was on (for the duplicate's message).
            var keys: [KeyBytes: Int] = [:]
            var awaitingKey = true
        }

        mutating func take(_ event: yaml_event_t) throws {
            let line = Int(event.start_mark.line) + 1
            switch event.type {
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
                let typed = YAMLAsJSON.typed(text, tag: scalar.tag.map { String(cString: $0) }, isPlain: scalar.style == YAML_PLAIN_SCALAR_STYLE)
                if let anchor = scalar.anchor {
                    var json: [UInt8] = []
                    YAMLAsJSON.appendScalar(text, typed: typed, to: &json)
                    try keep(json, text: text, depth: 0, as: String(cString: anchor))
                }
                if try key(text, line: line) { return }
                _ = try valueStarts(line: line)
                YAMLAsJSON.appendScalar(text, typed: typed, to: &out)
                try valueWritten()
            case YAML_ALIAS_EVENT:
                let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
                guard let node = anchors[name] else { throw Failure("not YAML: *\(name) names no anchor, at line \(line)") }
                // Counted as a key too: a key of a million characters, used sixty times, is as large.
                aliased += node.json.count
                guard aliased <= aliasBudget else {
                    throw Failure("its aliases write out more than \(aliasBudget >> 20) MiB (aliases repeating aliases?)")
                }
                if let text = node.text, try key(text, line: line) { return }
                _ = try valueStarts(line: line)
                guard open.count + node.depth <= YAMLAsJSON.deepest else { throw Failure(YAMLAsJSON.tooDeep(line)) }
                if let index = open.indices.last { open[index].depthInside = max(open[index].depthInside, node.depth) }
                out += node.json
                try valueWritten()
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                let start = try valueStarts(line: line)
                guard open.count < YAMLAsJSON.deepest else { throw Failure(YAMLAsJSON.tooDeep(line)) }
                let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
                open.append(Container(isMapping: isMapping, anchor: anchor.map { String(cString: $0) }, start: start))
                out.append(UInt8(ascii: isMapping ? "{" : "["))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let closed = open.popLast() else { return }
                out.append(UInt8(ascii: closed.isMapping ? "}" : "]"))
                if let index = open.indices.last { open[index].depthInside = max(open[index].depthInside, closed.depthInside + 1) }
                if let anchor = closed.anchor { try keep(Array(out[closed.start...]), text: nil, depth: closed.depthInside + 1, as: anchor) }
                try valueWritten()
            default:
                return
            }
        }

        private mutating func keep(_ json: [UInt8], text: String?, depth: Int, as anchor: String) throws {
            kept += json.count
            guard kept <= YAMLAsJSON.limit else { throw Failure(YAMLAsJSON.tooLarge) }
            anchors[anchor] = (json, text, depth)
        }

        /// Writes `text` as the open mapping's next key when a key is due; false when a value is.
        private mutating func key(_ text: String, line: Int) throws -> Bool {
            guard let index = open.indices.last, open[index].isMapping, open[index].awaitingKey else { return false }
            if let first = open[index].keys.updateValue(line, forKey: KeyBytes(text: text)) {
                throw Failure("not YAML: a mapping gives '\(text)' twice, at line \(first) and line \(line)")
            }
            if open[index].count > 0 { out.append(UInt8(ascii: ",")) }
            YAMLAsJSON.appendString(text, to: &out)
            out.append(UInt8(ascii: ":"))
            open[index].awaitingKey = false
            return true
        }

        /// Before a value: the comma a sequence's next item needs. Where the value's JSON begins.
        private mutating func valueStarts(line: Int) throws -> Int {
            if let parent = open.last {
                if parent.isMapping && parent.awaitingKey { throw Failure("a mapping key that is not text, at line \(line)") }
                if !parent.isMapping && parent.count > 0 { out.append(UInt8(ascii: ",")) }
            }
            return out.count
        }

        /// After a whole value: the size check, and the mapping's next key due.
        private mutating func valueWritten() throws {
            guard out.count <= YAMLAsJSON.limit else { throw Failure(YAMLAsJSON.tooLarge) }
            guard let index = open.indices.last else { return }
            open[index].count += 1
            open[index].awaitingKey = true
        }
    }

    static let tooLarge = "its YAML expands to more than \(limit >> 20) MiB of JSON (aliases repeating aliases?)"

    static func tooDeep(_ line: Int) -> String { "not YAML: more than \(deepest) nesting levels, at line \(line)" }

    /// A JSON string literal: quote, backslash and control characters escaped, the rest as UTF-8.
    static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out += [UInt8(ascii: "\\"), byte]
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xf)]]
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

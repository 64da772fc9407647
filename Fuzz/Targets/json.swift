@testable import APICtlCore

/// The JSON parser and printers: what parses must print, re-parse to the same
/// value, and pretty-print to JSON that means the same.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withInput(data, size) { bytes in
        let pretty = JSONPrettyPrinter(color: false).format(bytes)
        _ = JSONPrettyPrinter(color: true).format(bytes)
        _ = RawJSON.elements(bytes, at: "/data")
        _ = RawJSON.scalar(bytes, at: "/data/0/id")
        guard let value = JSONValue(parsing: bytes) else { return }
        let rendered = value.rendered()
        expect(JSONValue(parsing: Array(rendered.utf8)) == value, "rendered JSON re-parses to the same value")
        if let pretty {
            expect(JSONValue(parsing: pretty) == value, "pretty-printed JSON means the same")
        }
        expect(JSONValue(parsing: RawJSON.minified(bytes[...])) == value, "minified JSON means the same")
    }
}

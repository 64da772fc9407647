// Compiled into every fuzz target (Fuzz/run.sh). A broken property is a
// crash, so libFuzzer keeps the input that showed it.

/// The input as the text an outside party would send: invalid UTF-8 is replaced, as our readers do.
func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// Crashes, with a message, when a property every caller relies on does not hold.
func expect(_ condition: @autoclosure () -> Bool, _ property: String) {
    if !condition() { fatalError("property broken: \(property)") }
}

func withInput(_ data: UnsafePointer<UInt8>?, _ size: Int, _ body: ([UInt8]) -> Void) -> Int32 {
    guard let data, size > 0 else { body([]); return 0 }
    body(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

/// What reaches stderr: one line, with no control character that could repaint a terminal.
func expectPrintable(_ line: String, _ what: String) {
    expect(!line.unicodeScalars.contains { $0.properties.generalCategory == .control },
           "\(what) is printed as one line without control characters, got \(line.debugDescription)")
}

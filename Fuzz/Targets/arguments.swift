@testable import APICtlCLI
import APICtlCore

/// The argument parser: NUL-separated words as argv, against the real command tree.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzArguments(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withInput(data, size) { bytes in
        let argv = bytes.split(separator: 0, omittingEmptySubsequences: false).map { text(Array($0)) }
        do throws(APICtlError) {
            let parsed = try App.parser.parse(argv)
            _ = parsed.path
        } catch {
            expect(error.exitCode == .usage, "a parse error is a usage error (exit 2), got \(error.exitCode)")
            expectPrintable(error.line, "a parse error")
        }
    }
}

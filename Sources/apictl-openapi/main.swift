// apictl-openapi DESCRIPTION [INDEX]: reads an OpenAPI 3.0, 3.1 or 3.2 description (JSON or YAML), resolves
// its $refs with OpenAPIKit, and writes apictl's compact index of it (DescriptionIndex) to INDEX (or stdout).
// `apictl api sync` runs it; every other command reads only the index, so apictl itself
// never loads OpenAPIKit, libyaml or Foundation. A description that is not OpenAPI, or is
// broken, is one line on stderr saying what is wrong and where, and exit 3.
import Foundation

/// With APICTL_OPENAPI_TIMES set, how long each step took, on stderr (for `make bench` work).
final class StepTimes {
    private let enabled = ProcessInfo.processInfo.environment["APICTL_OPENAPI_TIMES"] != nil
    private var last = Date()

    func note(_ step: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data(String(format: "%@ %.3f s\n", step, Date().timeIntervalSince(last)).utf8))
        last = Date()
    }
}

/// A message as one line a terminal shows and does not obey: a description's control
/// characters (a key holding ESC [ 2 J or a newline) written as \u{1B}.
func shown(_ message: String) -> String {
    message.unicodeScalars.map { scalar in
        scalar.properties.generalCategory == .control ? "\\u{\(String(scalar.value, radix: 16, uppercase: true))}" : String(scalar)
    }.joined()
}

// Ends with apictl: a sync killed (Ctrl-C, `timeout`, kill -9) must not leave a parse running
// on, adopted by init. (prctl's PR_SET_PDEATHSIG is variadic C, which Swift cannot call.)
let parent = getppid()
Thread.detachNewThread {
    while getppid() == parent { sleep(1) }
    exit(3)
}
// What it writes only the user may read, as every file of apictl's.
umask(0o077)

let arguments = CommandLine.arguments
guard arguments.count == 2 || arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: apictl-openapi DESCRIPTION [INDEX] (run by 'apictl api sync')\n".utf8))
    exit(2)
}
do {
    let times = StepTimes()
    let description = try DescriptionDocument(path: arguments[1], times: times)
    let index = DescriptionIndex(description)
    // What was skipped or left unchecked, one line each: `api sync` passes them on as warnings.
    // Sorted: OpenAPIKit meets broken parts in its dictionaries' order, which differs run to run,
    // and `api sync` shows the first 20.
    for warning in (description.warnings + index.warnings).sorted() {
        FileHandle.standardError.write(Data(("warning: " + shown(warning) + "\n").utf8))
    }
    times.note("index")
    let data = try index.lines()
    times.note("encode")
    if arguments.count == 3 {
        try data.write(to: URL(fileURLWithPath: arguments[2]))
    } else {
        FileHandle.standardOutput.write(data)
    }
} catch let failure as Failure {
    FileHandle.standardError.write(Data((shown(failure.message) + "\n").utf8))
    exit(3)
} catch {
    FileHandle.standardError.write(Data((shown(describe(error)) + "\n").utf8))
    exit(3)
}

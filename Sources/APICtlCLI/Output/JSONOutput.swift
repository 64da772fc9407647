import APICtlCore

/// `--json` output: stable key order so scripts and diffs stay calm.
enum JSONOutput {
    static func render(_ value: JSONValue) -> String {
        value.rendered() + "\n"
    }
}

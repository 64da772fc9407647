import APICtlCore

/// The result of parsing argv against the command tree: which command, and
/// the options and arguments given to it.
public struct ParsedCommand: Sendable {
    public var path: [String]
    public var spec: CommandSpec
    /// Option values by long name, in the order given.
    public var values: [String: [String]] = [:]
    /// Flags by long name, with how often they were given.
    public var flags: [String: Int] = [:]
    public var arguments: [String] = []
    public var helpRequested = false
    public var versionRequested = false

    public func value(_ long: String) -> String? { values[long]?.last }
    public func all(_ long: String) -> [String] { values[long] ?? [] }
    public func flag(_ long: String) -> Bool { (flags[long] ?? 0) > 0 }

    /// A number option, checked, so "--timeout abc" is a usage error and not a crash.
    public func number(_ long: String, min: Double = 0) throws(APICtlError) -> Double? {
        guard let text = value(long) else { return nil }
        guard let number = Double(text), number.isFinite, number >= min else {
            throw .usage("--\(long) takes a number of at least \(min == 0 ? "0" : String(min)), not '\(text)'")
        }
        return number
    }

    public var commandLine: String { (["apictl"] + path).joined(separator: " ") }
}

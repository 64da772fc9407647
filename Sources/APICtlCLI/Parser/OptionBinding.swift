import APICtlCore
import FoundationEssentials

/// A command's options and arguments as one struct. Its initialiser declares each one through
/// the binding and keeps what the declaration returns: one line is both the option (name,
/// help, completion) and the typed value the command reads, as in swift-argument-parser.
/// Reading an option the struct does not declare, or as another type, does not compile.
///
///     struct Options: CommandOptions {
///         let yes: Bool
///         let id: String?
///         init(_ declare: OptionBinding) {
///             yes = declare.flag("yes", "y", help: "Do not ask first")
///             id = declare.optionalArgument("ID", help: "The key's id at the API")
///         }
///     }
public protocol CommandOptions: Sendable {
    init(_ declare: OptionBinding)
}

/// For a command that takes no options or arguments of its own.
public struct NoOptions: CommandOptions {
    public init(_ declare: OptionBinding) {}
}

/// What a command's options struct is built with, twice a run: declaring, so the parser, help,
/// completion and the man page learn its options and arguments; then reading, when each
/// declaration returns what argv gave it, as its type. A value that does not read as its type
/// (`--retry many`) is kept as the failure, which the runner throws, exit 2.
public final class OptionBinding {
    private let parsed: ParsedCommand?
    public private(set) var options: [OptionSpec] = []
    public private(set) var arguments: [ArgumentSpec] = []
    private(set) var failure: APICtlError?
    private var nextArgument = 0

    private init(parsed: ParsedCommand?) { self.parsed = parsed }

    /// A binding that declares and gives every option its default: nothing was given.
    static var empty: OptionBinding { OptionBinding(parsed: nil) }

    /// The options and arguments `Options` declares.
    public static func declarations<Options: CommandOptions>(of type: Options.Type) -> (options: [OptionSpec], arguments: [ArgumentSpec]) {
        let binding = OptionBinding(parsed: nil)
        _ = Options(binding)
        return (binding.options, binding.arguments)
    }

    /// `Options` as argv gave it; the first value that does not read as its type is exit 2.
    public static func read<Options: CommandOptions>(_ type: Options.Type, from parsed: ParsedCommand) throws(APICtlError) -> Options {
        let binding = OptionBinding(parsed: parsed)
        let options = Options(binding)
        if let failure = binding.failure { throw failure }
        return options
    }

    // MARK: options

    /// An option without a value: true when given.
    public func flag(_ long: String, _ short: Character? = nil, help: String, env: String? = nil) -> Bool {
        options.append(.flag(long, short, help: help, env: env))
        return (parsed?.flags[long] ?? 0) > 0
    }

    /// An option with a text value; the last one given wins.
    public func value(_ long: String, _ short: Character? = nil, _ valueName: String, help: String,
                      completion: ValueCompletion = .none, env: String? = nil) -> String? {
        options.append(.value(long, short, valueName, help: help, completion: completion, env: env))
        return parsed?.values[long]?.last
    }

    /// An option that may be given many times, each value in the order given.
    public func list(_ long: String, _ short: Character? = nil, _ valueName: String, help: String,
                     completion: ValueCompletion = .none) -> [String] {
        options.append(.value(long, short, valueName, help: help, repeatable: true, completion: completion))
        return parsed?.values[long] ?? []
    }

    /// A whole number within `range`.
    public func number(_ long: String, _ valueName: String = "N", help: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = value(long, nil, valueName, help: help) else { return nil }
        guard let number = Int(text.trimmingSpaces()), range.contains(number) else {
            fail("--\(long) takes a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
            return nil
        }
        return number
    }

    /// A number of seconds (a fraction allowed); `positive`: more than 0.
    public func seconds(_ long: String, help: String, positive: Bool = false) -> Double? {
        guard let text = value(long, nil, "SECONDS", help: help) else { return nil }
        guard let seconds = Double(text.trimmingSpaces()), seconds.isFinite, positive ? seconds > 0 : seconds >= 0 else {
            fail("--\(long) takes a number of seconds\(positive ? " more than 0" : ""), not '\(text)'")
            return nil
        }
        return seconds
    }

    /// A pace such as `10/s`, `600/m` or `3600/h` (a bare number is per second), as requests per second.
    public func rate(_ long: String, help: String) -> Double? {
        guard let text = value(long, nil, "N/s", help: help) else { return nil }
        let parts = text.trimmingSpaces().split(separator: "/", maxSplits: 1).map { $0.trimmingSpaces() }
        let per: [String: Double] = ["s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600]
        guard let count = parts.first.flatMap({ $0.allSatisfy { "0123456789.".contains($0) } ? Double($0) : nil }), count.isFinite, count > 0, count <= 100_000,
              let seconds = parts.count == 1 ? 1 : per[parts[1].lowercased()], count / seconds >= 1.0 / 3600 else {
            fail("--\(long) takes a pace from 1/h to 100000/s such as 10/s, 600/m or 3600/h, not '\(text)'")
            return nil
        }
        return count / seconds
    }

    /// A duration from 1 s to ten years, such as `90d`, `12h`, `30m`, `45s` or a bare number of
    /// seconds; `orZero`: `0` too (a cache turned off).
    public func duration(_ long: String, help: String, orZero: Bool = false) -> DurationValue? {
        guard let text = value(long, nil, "DURATION", help: help) else { return nil }
        if orZero, text.trimmingSpaces() == "0" { return DurationValue(text: text, seconds: 0) }
        guard let seconds = DurationText.seconds(text) else {
            fail("--\(long) takes a duration from 1s to 3650d such as 90d, 12h, 30m or 3600\(orZero ? " (or 0)" : ""), not '\(text)'")
            return nil
        }
        return DurationValue(text: text, seconds: seconds)
    }

    /// A moment as a duration back from now (`7d`, `12h`) or as a date or time (`2026-12-01`,
    /// `2026-12-01T09:00:00Z`).
    public func moment(_ long: String, help: String) -> MomentValue? {
        guard let text = value(long, nil, "WHEN", help: help) else { return nil }
        let trimmed = text.trimmingSpaces()
        if let seconds = DurationText.seconds(trimmed) { return .ago(seconds) }
        if let time = Timestamp.rfc3339Existing(trimmed) ?? Timestamp.rfc3339Existing(trimmed + "T00:00:00Z") { return .at(time) }
        let shown = text.count > 40 ? text.prefix(40) + "…" : text
        if Timestamp.rfc3339(trimmed) ?? Timestamp.rfc3339(trimmed + "T00:00:00Z") != nil {
            fail("--\(long): '\(shown)' is not a date or time that exists (months run to 12, days to the month's last, hours to 23)")
            return nil
        }
        fail("--\(long) takes a duration back from now such as 7d or 12h, or a date such as 2026-12-01 or 2026-12-01T09:00:00Z, not '\(shown)'")
        return nil
    }

    // MARK: arguments

    /// A positional argument that must be given.
    public func argument(_ name: String, help: String, completion: ValueCompletion = .none) -> String {
        arguments.append(ArgumentSpec(name, help: help, completion: completion))
        return takeArgument() ?? ""
    }

    /// A positional argument that may be left out.
    public func optionalArgument(_ name: String, help: String, completion: ValueCompletion = .none) -> String? {
        arguments.append(ArgumentSpec(name, help: help, optional: true, completion: completion))
        return takeArgument()
    }

    /// Every positional argument left, none or many.
    public func remainingArguments(_ name: String, help: String, completion: ValueCompletion = .none) -> [String] {
        arguments.append(ArgumentSpec(name, help: help, optional: true, repeating: true, completion: completion))
        guard let given = parsed?.arguments, nextArgument < given.count else { return [] }
        defer { nextArgument = given.count }
        return Array(given[nextArgument...])
    }

    private func takeArgument() -> String? {
        guard let given = parsed?.arguments, nextArgument < given.count else { return nil }
        defer { nextArgument += 1 }
        return given[nextArgument]
    }

    private func fail(_ message: String) {
        if failure == nil { failure = .usage(message) }
    }
}

/// When `--since` starts: so long ago, or at a time.
public enum MomentValue: Sendable, Equatable {
    case ago(Double)
    case at(Date)

    public func date(now: Date) -> Date {
        switch self {
        case .ago(let seconds): return now.addingTimeInterval(-seconds)
        case .at(let date): return date
        }
    }
}

/// A duration as given (`90d`) and in seconds: the text for what is stored as written, the
/// seconds for what is computed.
public struct DurationValue: Sendable, Equatable {
    public let text: String
    public let seconds: Double
}

import APICtlCore
import FoundationEssentials
import Glibc

/// RFC 8628: show the user code and where to enter it, then poll at the
/// server's interval (5 s more after each `slow_down`). `--no-wait` prints the
/// pending authorization as JSON and exits; `--complete` reads it back on stdin
/// and finishes, so an agent or CI job can hand the approval to a person.
enum DeviceLogin {
    /// `login --device`'s options.
    struct Options: CommandOptions {
        let noWait: Bool
        let complete: Bool

        init(_ declare: OptionBinding) {
            noWait = declare.flag("no-wait", nil, help: "With --device: print the pending login as JSON and exit")
            complete = declare.flag("complete", nil, help: "With --device: finish a --no-wait login from its JSON on stdin")
        }

        /// True when the login is split in two (`--no-wait`, `--complete`), which only the device flow can do.
        var deferred: Bool { noWait || complete }
    }

    /// The provider's words as the terminal may show them: a code or URL cannot repaint the screen.
    static func shown(_ text: String) -> String { TerminalText.escapingControls(text) }

    /// The grant, or nil when `--no-wait` printed the pending authorization.
    static func run(_ options: Options, _ context: CommandContext, profile: String, client: OAuthClient, deviceURL: String,
                    tokenURL: String, scopes: [String], timeout: Double) throws(TokenEndpointError) -> TokenGrant? {
        let device: DeviceAuthorization
        if options.complete {
            device = try pending(from: context)
        } else {
            device = try client.startDevice(deviceURL, scopes: scopes)
            if options.noWait {
                let out: JSONValue = .object([
                    "device_code": .string(device.deviceCode), "user_code": .string(device.userCode),
                    "verification_uri": .string(device.verificationURI),
                    "verification_uri_complete": JSONValue(device.verificationURIComplete),
                    "interval": .number(String(Int(device.interval))), "expires_in": .number(String(Int(device.expiresIn))),
                    "expires_at": .string(Timestamp.iso8601(context.now().addingTimeInterval(device.expiresIn))),
                ])
                context.stdout.write(JSONOutput.render(out))
                context.stderr.write("Enter code \(shown(device.userCode)) at \(shown(device.verificationURI)), then run "
                                     + "'apictl login -p \(profile) --device --complete' with this JSON on stdin\n")
                return nil
            }
            context.stderr.write("First copy your one-time code: \(shown(device.userCode))\n")
            context.stderr.write("Then open \(shown(device.verificationURI)) in a browser and enter it. Waiting for approval...\n")
        }
        let deadline = context.now().addingTimeInterval(min(timeout, device.expiresIn))
        var interval = device.interval
        while true {
            do {
                return try client.pollDevice(device.deviceCode, tokenURL: tokenURL)
            } catch {
                switch error.code {
                case "authorization_pending": break
                case "slow_down": interval += 5
                case "expired_token":
                    throw .failed(.auth("the device code expired before it was approved", hint: "run the login again"))
                case "access_denied":
                    throw .failed(.auth("the login was denied at the provider"))
                default: throw error
                }
            }
            guard context.now().addingTimeInterval(interval) < deadline else {
                throw .failed(.auth("the device login was not approved in time", hint: "run it again, or raise --timeout"))
            }
            usleep(useconds_t(min(interval, 300) * 1_000_000))
        }
    }

    /// The JSON that `--no-wait` printed, read from stdin (the device code never travels in argv).
    private static func pending(from context: CommandContext) throws(TokenEndpointError) -> DeviceAuthorization {
        guard !context.stdinIsTerminal else {
            throw .failed(.usage("--complete reads the JSON that --no-wait printed from stdin", hint: "apictl login --device --complete < pending.json"))
        }
        guard let object = JSONValue(parsing: context.readStandardInput())?.objectValue,
              let deviceCode = object["device_code"]?.stringValue, !deviceCode.isEmpty else {
            throw .failed(.usage("stdin does not hold the JSON that 'login --device --no-wait' printed"))
        }
        let interval = object["interval"]?.doubleValue.flatMap { $0.isFinite && $0 >= 0 && $0 <= 300 ? $0 : nil } ?? 5
        let expiresIn = object["expires_in"]?.doubleValue.flatMap { $0.isFinite && $0 > 0 && $0 <= 86400 ? $0 : nil } ?? 900
        return DeviceAuthorization(deviceCode: deviceCode, userCode: object["user_code"]?.stringValue ?? "",
                                   verificationURI: object["verification_uri"]?.stringValue ?? "",
                                   verificationURIComplete: nil, interval: interval, expiresIn: expiresIn)
    }
}

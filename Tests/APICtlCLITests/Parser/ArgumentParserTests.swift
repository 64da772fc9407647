@testable import APICtlCLI
import APICtlCore
import XCTest

final class ArgumentParserTests: XCTestCase {
    let parser = App.parser

    func testGlobalsAnywhereAndClusters() throws {
        let parsed = try parser.parse(["-p", "dz", "request", "-ivH", "A: 1", "GET", "/x", "--header=B: 2", "-eprod"])
        XCTAssertEqual(parsed.path, ["request"])
        let globals = try OptionBinding.read(GlobalFlags.self, from: parsed)
        XCTAssertEqual(globals.profile, "dz")
        XCTAssertEqual(globals.environment, "prod")
        XCTAssertTrue(globals.verbose)
        let options = try OptionBinding.read(RequestCommand.Options.self, from: parsed)
        XCTAssertEqual(options.headers, ["A: 1", "B: 2"])
        XCTAssertTrue(options.include)
        XCTAssertEqual([options.method, options.target], ["GET", "/x"])
    }

    func testValuesReadAsTheirTypes() throws {
        let parsed = try parser.parse(["request", "GET", "/x", "--retry", "5", "--max-wait", "2.5", "--timeout", "9"])
        let options = try OptionBinding.read(RequestCommand.Options.self, from: parsed)
        XCTAssertEqual(options.retry.retries, 5)
        XCTAssertEqual(options.retry.maxWait, 2.5)
        XCTAssertEqual(options.timeout, 9)
        for bad in [["--retry", "many"], ["--retry", "101"], ["--max-wait", "-1"], ["--timeout", "0"], ["--timeout", "nan"]] {
            let wrong = try parser.parse(["request", "GET", "/x"] + bad)
            XCTAssertThrowsError(try OptionBinding.read(RequestCommand.Options.self, from: wrong), "\(bad)") { error in
                XCTAssertEqual((error as? APICtlError)?.exitCode, .usage)
                XCTAssertTrue((error as? APICtlError)?.message.hasPrefix(bad[0]) ?? false, "\(error)")
            }
        }
        let rotate = try OptionBinding.read(TokenRotateCommand.Options.self, from: try parser.parse(["token", "rotate", "--expires-in", "90d"]))
        XCTAssertEqual(rotate.expiresIn, DurationValue(text: "90d", seconds: 90 * 86400))
    }

    /// Completion reads the words typed so far with the parser's own rules.
    func testPartialParseFollowsTheParsersRules() {
        let cluster = parser.partialParse(["request", "GET", "/x", "-yp"])
        XCTAssertEqual(cluster.awaitingValue?.long, "profile")
        XCTAssertEqual(cluster.arguments, ["GET", "/x"])
        let negative = parser.partialParse(["request", "GET", "/x", "--retry"])
        XCTAssertEqual(negative.awaitingValue?.long, "retry")
        let dashes = parser.partialParse(["request", "GET", "--", "-v"])
        XCTAssertTrue(dashes.onlyArguments)
        XCTAssertEqual(dashes.arguments, ["GET", "-v"])
        XCTAssertNil(dashes.awaitingValue)
        let unknown = parser.partialParse(["request", "--nope", "GET"])
        XCTAssertEqual(unknown.path, ["request"])
        XCTAssertEqual(unknown.arguments, ["GET"])
    }

    /// Children are named up front so parsing builds only the path it takes; a name
    /// that differed from its spec would parse one command and run another.
    func testEveryChildIsNamedAsItsSpec() {
        func check(_ spec: CommandSpec, path: String) {
            for child in spec.children {
                XCTAssertEqual(child.name, child.spec.name, "under '\(path)'")
                check(child.spec, path: path + " " + child.name)
            }
        }
        check(App.commandTree, path: "apictl")
        XCTAssertEqual(App.commandTree.subcommandNames.count, 15)
    }

    func testDoubleDash() throws {
        let parsed = try parser.parse(["request", "GET", "--", "-v"])
        XCTAssertEqual(parsed.arguments, ["GET", "-v"])
        XCTAssertFalse(try OptionBinding.read(GlobalFlags.self, from: parsed).verbose)
    }

    func testErrorsAreUsage() {
        for argv in [["nope"], ["request", "GET", "/x", "--nope"], ["request", "GET", "/x", "-o"], ["profile", "use"],
                     ["request", "BREW", "/x"], ["--help=yes"]] {
            XCTAssertThrowsError(try parser.parse(argv), "\(argv)") { error in
                XCTAssertEqual((error as? APICtlError)?.exitCode, .usage, "\(argv)")
            }
        }
    }

    func testHelpNeverFailsEvenWithMissingArguments() throws {
        let parsed = try parser.parse(["request", "--help"])
        XCTAssertTrue(parsed.helpRequested)
        let help = HelpFormatter.render(parsed.spec, path: parsed.path, globals: GlobalOptions.specs)
        XCTAssertTrue(help.contains("--typed-field KEY=VALUE"))
    }

    func testSuggestion() {
        XCTAssertEqual(suggestion("whomai", among: ["whoami", "request"]), "whoami")
        XCTAssertNil(suggestion("zzzzzz", among: ["whoami", "request"]))
    }
}

@testable import APICtlCLI
import APICtlCore
import XCTest

final class ArgumentParserTests: XCTestCase {
    let parser = App.parser

    func testGlobalsAnywhereAndClusters() throws {
        let parsed = try parser.parse(["-p", "dz", "request", "-ivH", "A: 1", "GET", "/x", "--header=B: 2", "-eprod"])
        XCTAssertEqual(parsed.path, ["request"])
        XCTAssertEqual(parsed.value("profile"), "dz")
        XCTAssertEqual(parsed.value("env"), "prod")
        XCTAssertEqual(parsed.all("header"), ["A: 1", "B: 2"])
        XCTAssertTrue(parsed.flag("include") && parsed.flag("verbose"))
        XCTAssertEqual(parsed.arguments, ["GET", "/x"])
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
        XCTAssertEqual(App.commandTree.subcommandNames.count, 12)
    }

    func testDoubleDash() throws {
        let parsed = try parser.parse(["request", "GET", "--", "-v"])
        XCTAssertEqual(parsed.arguments, ["GET", "-v"])
        XCTAssertFalse(parsed.flag("verbose"))
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

@testable import apictl_openapi
import Foundation
import XCTest

/// YAML written out as JSON from libyaml's events: the JSON a YAML 1.2 reader would build.
final class YAMLAsJSONTests: XCTestCase {
    func json(_ yaml: String) throws -> String {
        String(decoding: try YAMLAsJSON.json(Array(yaml.utf8)), as: UTF8.self)
    }

    func failure(_ yaml: String) -> String {
        do { return "no error: " + (try json(yaml)) } catch { return (error as? Failure)?.message ?? "\(error)" }
    }

    func testBlockAndFlowNodesBecomeTheSameJSON() throws {
        let yaml = """
        a: [1, two, {b: null}]
        c:
          - x: 1
            y: [ ]
          - - nested
            - 'quoted: yes'
        d: {}
        """
        XCTAssertEqual(try json(yaml), #"{"a":[1,"two",{"b":null}],"c":[{"x":1,"y":[]},["nested","quoted: yes"]],"d":{}}"#)
    }

    func testAnAliasRepeatsItsAnchorsNodeAndMayBeAKey() throws {
        let yaml = """
        paging: &paging [{name: page}, {name: size}]
        name: &name limit
        get: {parameters: *paging}
        *name : 10
        &key max: 20
        default: *key
        """
        XCTAssertEqual(try json(yaml), #"{"paging":[{"name":"page"},{"name":"size"}],"name":"limit","get":{"parameters":[{"name":"page"},{"name":"size"}]},"limit":10,"max":20,"default":"max"}"#)
    }

    func testQuotedAndStrTaggedScalarsStayText() throws {
        XCTAssertEqual(try json("a: '1'\nb: !!str 2\nc: \"true\"\nd: 3\ne: ~\n"), #"{"a":"1","b":"2","c":"true","d":3,"e":null}"#)
    }

    func testScalarsAreTypedAsYAML12sCoreSchemaAndTheirTagsSay() throws {
        let yaml = "a: ! 5\nb: 0x1p3\nc: -0x10\nd: 0o17\ne: 0x1F\nf: !!int \"7\"\ng: !!bool \"true\"\nh: 12345678901234567890\n"
            + "i: +010\nj: .5\nk: 1.\nl: -2.5e3\nm: .inf\nn: 1e999\no: 2024-01-01\n"
        XCTAssertEqual(try json(yaml), #"{"a":"5","b":"0x1p3","c":"-0x10","d":15,"e":31,"f":7,"g":true,"h":12345678901234567890,"#
                       + #""i":10,"j":0.5,"k":1.0,"l":-2500.0,"m":".inf","n":"1e999","o":"2024-01-01"}"#)
    }

    func testKeysThatDifferOnlyInUnicodeNormalizationAreTwoKeys() throws {
        XCTAssertEqual(try json("/caf\u{E9}: 1\n/cafe\u{301}: 2\n"), "{\"/caf\u{E9}\":1,\"/cafe\u{301}\":2}")
    }

    func testWhatIsNotOneJSONDocumentIsRefusedSayingWhere() {
        XCTAssertEqual(failure("a: 1\na: 2\n"), "not YAML: a mapping gives 'a' twice, at line 1 and line 2")
        XCTAssertEqual(failure("a: *nowhere\n"), "not YAML: *nowhere names no anchor, at line 1")
        XCTAssertEqual(failure("a: 1\n---\nb: 2\n"), "not YAML: a second document at line 2; a description is one")
        XCTAssertEqual(failure("? [k]\n: v\n"), "a mapping key that is not text, at line 1")
        XCTAssertEqual(failure("# nothing\n"), "an empty document")
        XCTAssertTrue(failure("a: [1, 2\nb: 3\n").hasPrefix("not YAML: line 2, column 2: did not find expected ',' or ']'"), failure("a: [1, 2\nb: 3\n"))
    }

    func testNestingDeeperThanJSONDecodersIsRefused() throws {
        XCTAssertEqual(try json("a: " + String(repeating: "[", count: 510) + String(repeating: "]", count: 510)).count, 1026)
        XCTAssertEqual(failure("a: " + String(repeating: "[", count: 600) + String(repeating: "]", count: 600)),
                       "not YAML: more than 512 nesting levels, at line 1")
    }

    func testAnchorsKeptInsideAnchorsCountAgainstTheLimit() {
        // Each anchored level keeps a copy of all it holds: 400 levels of 10 MB had grown past 4 GB.
        var lines = ["x0: &l0 \"" + String(repeating: "x", count: 100) + "\""]
        lines += (1...5).map { level in "x\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ",") + "]" }
        lines.append("xn: " + (0..<400).map { "&n\($0) [" }.joined() + "*l5" + String(repeating: "]", count: 400))
        XCTAssertTrue(failure(lines.joined(separator: "\n")).hasSuffix("(aliases repeating aliases?)"), failure(lines.joined(separator: "\n")))
    }

    func testAnAliasCountsTheLevelsItsNodeNests() {
        let deep = String(repeating: "[", count: 400) + String(repeating: "]", count: 400)
        XCTAssertEqual(failure("d: &d \(deep)\ne: " + String(repeating: "[", count: 400) + "*d" + String(repeating: "]", count: 400)),
                       "not YAML: more than 512 nesting levels, at line 2")
    }

    func testACharacterYAMLRefusesIsPlacedWhereItIs() {
        XCTAssertEqual(failure("a: 1\nb: 2\nx: \"bad \u{1B}\"\n"), "not YAML: line 3, column 9: control characters are not allowed")
    }

    func testAnAliasUsedAsAKeyCountsAgainstTheBudget() {
        let key = String(repeating: "k", count: 1 << 20)
        let yaml = "big: &big \(key)\n" + (0..<8).map { "m\($0): {*big : 1}" }.joined(separator: "\n")
        XCTAssertTrue(failure(yaml).hasSuffix("(aliases repeating aliases?)"), String(failure(yaml).prefix(200)))
    }
}

@testable import APICtlCore
import Foundation
import XCTest

/// apictl's own JSON parser replaces JSONSerialization; these pin it against
/// Foundation's reading of the same text, and against what RFC 8259 refuses.
final class JSONValueTests: XCTestCase {
    func parse(_ text: String) -> JSONValue? { JSONValue(parsing: Array(text.utf8)) }

    func testValuesAndEscapes() {
        XCTAssertEqual(parse(#"{"a":[1,-2.5e3,true,false,null],"b":"x\"\\\/\n\u00e9\ud83d\ude00"}"#),
                       .object(["a": .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null]),
                                "b": .string("x\"\\/\né😀")]))
        XCTAssertEqual(parse(" \"top\" "), .string("top"))
        XCTAssertEqual(parse("12345678901234567890"), .number("12345678901234567890"), "numbers keep their digits")
    }

    func testRefusesWhatRFC8259Refuses() {
        for bad in ["", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", ".5", "1e", "tru", "nul", "\"\t\"", "\"\\x\"",
                    "\"\\ud83d\"", "{\"a\" 1}", "[1 2]", "{} {}", "<html>", "'a'", "\"\u{0}\""] {
            XCTAssertNil(parse(bad), bad)
        }
        XCTAssertNil(JSONValue(parsing: [0x22, 0xFF, 0x22]), "a string must be UTF-8")
    }

    /// Every reader refuses a string that is not UTF-8 (batch passed a truncated sequence on to
    /// the server and into its output line); every well-formed sequence passes.
    func testAStringThatIsNotUTF8IsNoJSONToAnyReader() {
        let refused: [[UInt8]] = [[0xC3], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE0, 0x80, 0xAF], [0xF4, 0x90, 0x80, 0x80],
                                  [0xF0, 0x9F, 0x98], [0x80], [0xFE], [0xE2, 0x82, 0x41]]
        let accepted: [[UInt8]] = [[0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xED, 0x9F, 0xBF], [0xF0, 0x9F, 0x98, 0x80], [0xF4, 0x8F, 0xBF, 0xBF]]
        func readers(_ inner: [UInt8]) -> [Bool] {
            let document = Array(#"{"t":"z"#.utf8) + inner + Array(#""}"#.utf8)
            return [JSONValue(parsing: document) != nil, JSONPrettyPrinter(color: false).format(document) != nil,
                    RawJSON.elements([0x5B] + document + [0x5D], at: nil)?.count == 1]
        }
        for bytes in refused { XCTAssertEqual(readers(bytes), [false, false, false], "\(bytes)") }
        for bytes in accepted { XCTAssertEqual(readers(bytes), [true, true, true], "\(bytes)") }
    }

    func testDeepNestingIsRefusedNotACrash() {
        XCTAssertNil(parse(String(repeating: "[", count: 100_000)))
        XCTAssertNotNil(parse(String(repeating: "[", count: 500) + String(repeating: "]", count: 500)))
    }

    func testAgreesWithFoundationOnNumbersItReads() throws {
        for text in ["0", "-0", "3.25", "1E+2", "-7e-3", "42"] {
            let ours = try XCTUnwrap(parse(text)?.doubleValue)
            let theirs = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) as? NSNumber)
            XCTAssertEqual(ours, theirs.doubleValue, text)
        }
    }

    func testRenderedIsSortedIndentedAndRoundTrips() {
        let value: JSONValue = .object(["b": .array([1, "x/y"]), "a": .object([:]), "c": .array([]), "d": .null])
        XCTAssertEqual(value.rendered(), """
        {
          "a": {},
          "b": [
            1,
            "x/y"
          ],
          "c": [],
          "d": null
        }
        """)
        XCTAssertEqual(parse(value.rendered()), value)
        XCTAssertEqual(JSONValue.quoted("a\"b\\c\u{1}\n"), #""a\"b\\c\u0001\n""#)
    }
}

final class TimestampTests: XCTestCase {
    func testISO8601() {
        XCTAssertEqual(Timestamp.iso8601(Date(timeIntervalSince1970: 0)), "1970-01-01T00:00:00Z")
        XCTAssertEqual(Timestamp.iso8601(Date(timeIntervalSince1970: 1_795_459_327)), "2026-11-23T18:42:07Z")
        XCTAssertEqual(Timestamp.iso8601(Date(timeIntervalSince1970: 951_782_400)), "2000-02-29T00:00:00Z")
        XCTAssertEqual(Timestamp.iso8601(Date(timeIntervalSince1970: -1)), "1969-12-31T23:59:59Z")
        XCTAssertEqual(Timestamp.iso8601(Date(timeIntervalSince1970: 1e300)), "9999-12-31T23:59:59Z", "absurd dates are clamped, not a trap")
    }

    func testAgreesWithFoundationForEveryDayOverCenturies() {
        let formatter = ISO8601DateFormatter()
        var seconds = -2_208_988_800.0  // 1900
        while seconds < 7_258_118_400 {  // 2200
            let date = Date(timeIntervalSince1970: seconds + 3_723)
            XCTAssertEqual(Timestamp.iso8601(date), formatter.string(from: date))
            seconds += 86_400 * 7 + 1
        }
    }

    func testHTTPDate() {
        XCTAssertEqual(Timestamp.httpDate("Sun, 06 Nov 1994 08:49:37 GMT"), Date(timeIntervalSince1970: 784_111_777))
        for bad in ["Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Sun, 06 Nov 1994 08:49:37 UTC",
                    "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:00:00 GMT", ""] {
            XCTAssertNil(Timestamp.httpDate(bad), bad)
        }
    }
}

final class TextTests: XCTestCase {
    func testTrimmingAndSearching() {
        XCTAssertEqual("  a b \t".trimmingSpaces(), "a b")
        XCTAssertEqual("\n key \r\n".trimmingWhitespace(), "key")
        XCTAssertEqual("   ".trimmingSpaces(), "")
        XCTAssertEqual("a--b--".replacingAll("--", with: "+"), "a+b+")
        XCTAssertEqual("héllo wörld".replacingAll("ö", with: "o"), "héllo world")
        let text = "k:=v"
        XCTAssertEqual(text.firstRange(ofText: ":=").map { text[$0] }, ":=")
        XCTAssertNil("abc".firstRange(ofText: "abcd"))
        XCTAssertEqual(12.25.oneDecimal, "12.3")
        XCTAssertEqual(0.04.oneDecimal, "0.0")
        XCTAssertEqual((-1.25).oneDecimal, "-1.3")
    }

    func testPaths() {
        XCTAssertEqual(PathText.directory(of: "/a/b/c.json"), "/a/b")
        XCTAssertEqual(PathText.directory(of: "c.json"), "")
        XCTAssertEqual(PathText.directory(of: "/c.json"), "/")
        XCTAssertEqual(PathText.directory(of: "a/b/"), "a")
        XCTAssertEqual(PathText.lastComponent(of: "a/b/"), "b")
        XCTAssertEqual(PathText.lastComponent(of: "out.bin"), "out.bin")
    }

    func testPercentDecoding() {
        XCTAssertEqual(PercentEncoding.decode("a%2Fb%20c"), "a/b c")
        XCTAssertNil(PercentEncoding.decode("bad%2"))
        XCTAssertNil(PercentEncoding.decode("%FF"))
    }
}

/// apictl's `joined(separator:)` for [String] shadows the standard library's
/// (start-up cost); it must give the same text.
final class JoinedTests: XCTestCase {
    func testMatchesTheStandardLibrary() {
        for parts in [[], [""], ["a"], ["a", "b"], ["", "", ""], ["é", "日本", "🙂"]] as [[String]] {
            for separator in ["", ", ", "\n"] {
                XCTAssertEqual(parts.joined(separator: separator), parts.lazy.map { $0 }.joined(separator: separator))
            }
        }
        XCTAssertEqual(["x", "y"].joined(), "xy")
    }
}

/// Parsing, pretty-printing and pagination share one lexer: a document one of
/// them takes as JSON, the others take too, and the same ones are refused.
final class OneLexerTests: XCTestCase {
    func verdicts(_ text: String) -> (parsed: Bool, printed: Bool, paged: Bool) {
        let bytes = Array(text.utf8)
        let wrapped = Array("[".utf8) + bytes + Array("]".utf8)
        return (JSONValue(parsing: bytes) != nil, JSONPrettyPrinter(color: false).format(bytes) != nil,
                RawJSON.elements(wrapped, at: nil)?.count == 1)
    }

    func testTheSameDocumentsAreJSONToEveryReader() {
        let accepted = [#"{"a":[1,2.5e-3,-0,true,false,null],"b":"\u00e9\n"}"#, #"[]"#, #"  "x"  "#, "0", #"{"":{}}"#]
        let refused = ["[1,]", #"{"a":1,}"#, #"["\x"]"#, "[01]", "[1.]", "[.5]", "[+1]", #"{"a" 1}"#, "[tru]", #"["a"#,
                       "[\"\u{1}\"]", "{1:2}", "[1 2]", String(repeating: "[", count: 600) + String(repeating: "]", count: 600)]
        for text in accepted {
            let v = verdicts(text)
            XCTAssertTrue(v.parsed && v.printed && v.paged, "\(text): \(v)")
        }
        for text in refused {
            let v = verdicts(text)
            XCTAssertFalse(v.parsed || v.printed || v.paged, "\(text): \(v)")
        }
    }

    func testPrettyPrintingKeepsNumbersAndKeyOrderAsSent() {
        let out = JSONPrettyPrinter(color: false).format(Array(#"{"z":1.50,"a":[1e3]}"#.utf8)).map { String(decoding: $0, as: UTF8.self) }
        XCTAssertEqual(out, "{\n  \"z\": 1.50,\n  \"a\": [\n    1e3\n  ]\n}\n")
    }
}

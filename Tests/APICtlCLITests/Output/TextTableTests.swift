@testable import APICtlCLI
import XCTest

/// Tables (`account list`, `token list`, `profile list`): aligned columns, one line a row.
final class TextTableTests: XCTestCase {
    func testColumnsAlignAndTrailingSpaceIsDropped() {
        XCTAssertEqual(TextTable.render([["NAME", "ENV"], ["dzdesk", "-"], ["x", "production"]]),
                       "NAME    ENV\ndzdesk  -\nx       production\n")
    }

    /// A cell from a keyring item or a server cannot split its row or send the terminal an escape sequence.
    func testControlCharactersInACellAreShownEscaped() {
        let rendered = TextTable.render([["ACCOUNT", "IDENTITY"], ["work\nEVIL", "\u{1B}]0;owned\u{7}ada"]])
        XCTAssertEqual(rendered.split(separator: "\n").count, 2, rendered)
        XCTAssertFalse(rendered.contains("\u{1B}"))
        XCTAssertTrue(rendered.contains("work\\nEVIL"), rendered)
        XCTAssertTrue(rendered.contains("\\u{1B}]0;owned\\u{7}ada"), rendered)
    }
}

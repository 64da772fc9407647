@testable import APICtlCLI
import Foundation
import XCTest

/// Options are declared by name in a spec and read back by name: a misspelled read
/// would silently be `false`. This pins that, in every file of the CLI module, each
/// option read is declared in that same file and each option declared there is
/// read there, and that every command in the tree declares only options some file reads.
final class OptionReadsTests: XCTestCase {
    static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/APICtlCLI")

    /// Read through `parsed.helpRequested` / `versionRequested`, not by name.
    static let readByParser: Set<String> = ["help", "version"]

    func names(_ pattern: String, in text: String) throws -> Set<String> {
        let regex = try NSRegularExpression(pattern: pattern)
        let range = NSRange(text.startIndex..., in: text)
        return Set(regex.matches(in: text, range: range).compactMap { Range($0.range(at: 1), in: text).map { String(text[$0]) } })
    }

    func files() throws -> [URL] {
        let walker = try XCTUnwrap(FileManager.default.enumerator(at: Self.sources, includingPropertiesForKeys: nil))
        return walker.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
    }

    func testEveryReadIsDeclaredInItsFileAndEveryDeclarationRead() throws {
        var checked = 0
        for file in try files() {
            let text = try String(contentsOf: file, encoding: .utf8)
            let declared = try names(#"(?<!parsed)\.(?:flag|value)\("([a-z0-9-]+)""#, in: text)
            let read = try names(#"parsed\.(?:value|flag|all|number)\("([a-z0-9-]+)""#, in: text)
            XCTAssertEqual(read.subtracting(declared), [], "\(file.lastPathComponent) reads options it does not declare")
            XCTAssertEqual(declared.subtracting(read).subtracting(Self.readByParser), [],
                           "\(file.lastPathComponent) declares options it never reads")
            checked += declared.count
        }
        XCTAssertGreaterThan(checked, 80, "the scan found the option declarations")
    }

    func testEveryCommandsOptionsAreReadSomewhere() throws {
        var read = Self.readByParser
        for file in try files() {
            read.formUnion(try names(#"parsed\.(?:value|flag|all|number)\("([a-z0-9-]+)""#,
                                     in: try String(contentsOf: file, encoding: .utf8)))
        }
        func walk(_ spec: CommandSpec, path: String) {
            for option in spec.options {
                XCTAssertTrue(read.contains(option.long), "'\(path) --\(option.long)' is declared but never read")
            }
            for child in spec.children { walk(child.spec, path: path + " " + child.name) }
        }
        walk(App.commandTree, path: "apictl")
        for option in GlobalOptions.specs { XCTAssertTrue(read.contains(option.long), "--\(option.long)") }
    }
}

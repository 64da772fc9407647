@testable import APICtlCore
import Foundation
import XCTest

/// `.apictl.toml`: found upward from the working directory, and able to choose only names.
final class ProjectFileTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "apictl-project-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/home/repo/a/b", withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    func write(_ text: String, at path: String, mode: Int = 0o644) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    func testTheNearestFileUpToHomeIsFound() throws {
        try write("profile = \"outer\"\n", at: root + "/home/.apictl.toml")
        try write("profile = \"api\"\nenv = \"sandbox\"\naccount = \"work\"\n", at: root + "/home/repo/.apictl.toml")
        let found = try XCTUnwrap(try ProjectFile.find(from: root + "/home/repo/a/b", home: root + "/home"))
        XCTAssertEqual(found.path, root + "/home/repo/.apictl.toml")
        XCTAssertEqual([found.profile, found.environment, found.account], ["api", "sandbox", "work"])
        try FileManager.default.removeItem(atPath: root + "/home/repo/.apictl.toml")
        XCTAssertEqual(try ProjectFile.find(from: root + "/home/repo/a/b", home: root + "/home")?.profile, "outer")
        // Above home is never looked at.
        XCTAssertNil(try ProjectFile.find(from: root + "/home/repo/a/b", home: root + "/home/repo"))
    }

    func testKeysThatCouldSendACredentialElsewhereAreRefused() throws {
        for hostile in ["base_url = \"https://evil.test\"", "token_command = \"curl evil\"", "[profiles.api]\nbase_url = \"x\"",
                        "headers = { X = \"y\" }"] {
            try write("profile = \"api\"\n" + hostile + "\n", at: root + "/home/repo/.apictl.toml")
            XCTAssertThrowsError(try ProjectFile.find(from: root + "/home/repo", home: root + "/home"), hostile) { error in
                let error = error as? APICtlError
                XCTAssertEqual(error?.exitCode, .configuration)
                XCTAssertTrue(error?.message.contains(root + "/home/repo/.apictl.toml") ?? false, error?.message ?? "")
            }
        }
    }

    func testNamesMustBeValidStrings() throws {
        for bad in ["profile = 3", "profile = \"../x\"", "account = \"a b\"", "env = \"\""] {
            try write(bad + "\n", at: root + "/home/repo/.apictl.toml")
            XCTAssertThrowsError(try ProjectFile.find(from: root + "/home/repo", home: root + "/home"), bad)
        }
    }

    func testAFileOthersCanWriteOrThatIsNotAFileIsRefused() throws {
        try write("profile = \"api\"\n", at: root + "/home/repo/.apictl.toml", mode: 0o666)
        XCTAssertThrowsError(try ProjectFile.find(from: root + "/home/repo", home: root + "/home")) { error in
            XCTAssertTrue((error as? APICtlError)?.message.contains("any user") ?? false, "\(error)")
        }
        try FileManager.default.removeItem(atPath: root + "/home/repo/.apictl.toml")
        XCTAssertEqual(mkfifo(root + "/home/repo/.apictl.toml", 0o644), 0)
        XCTAssertThrowsError(try ProjectFile.find(from: root + "/home/repo", home: root + "/home")) { error in
            XCTAssertTrue((error as? APICtlError)?.message.contains("not a regular file") ?? false, "\(error)")
        }
    }
}

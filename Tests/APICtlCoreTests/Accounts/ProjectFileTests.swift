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
        let found = try XCTUnwrap(try ProjectFile.find(from: root + "/home/repo/a/b", home: root + "/home").file)
        XCTAssertEqual(found.path, root + "/home/repo/.apictl.toml")
        XCTAssertEqual([found.profile, found.environment, found.account], ["api", "sandbox", "work"])
        try FileManager.default.removeItem(atPath: root + "/home/repo/.apictl.toml")
        XCTAssertEqual(try ProjectFile.find(from: root + "/home/repo/a/b", home: root + "/home").file?.profile, "outer")
        // Above home is never looked at, however HOME is spelt.
        for home in [root + "/home/repo", root + "/home/repo/", root + "//home/repo"] {
            XCTAssertNil(try ProjectFile.find(from: root + "/home/repo/a/b", home: home).file, home)
        }
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
        for bad in ["profile = 3", "profile = \"../x\"", "account = \"a b\"", "env = \"\"", "profile = \"dz\\u0000evil\"",
                    "\"account\\u0000x\" = \"work\""] {
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

    /// Group-writable is fine for the user's own group (umask 002), not for another.
    func testAFileAnotherGroupCanWriteIsRefused() throws {
        try XCTSkipIf(geteuid() != 0, "giving a file to another group needs root")
        let path = root + "/home/repo/.apictl.toml"
        try write("profile = \"api\"\n", at: path, mode: 0o664)
        XCTAssertNoThrow(try ProjectFile.find(from: root + "/home/repo", home: root + "/home"))
        XCTAssertEqual(chown(path, getuid(), 65534), 0)
        XCTAssertThrowsError(try ProjectFile.find(from: root + "/home/repo", home: root + "/home")) { error in
            XCTAssertTrue((error as? APICtlError)?.message.contains("group 65534") ?? false, "\(error)")
        }
    }

    /// In a folder anyone may write (as /tmp), a file is passed over, not obeyed and not refused.
    func testAFileInASharedFolderIsPassedOver() throws {
        try FileManager.default.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: root + "/home/repo")
        try write("profile = \"planted\"\n", at: root + "/home/repo/.apictl.toml")
        try write("profile = \"mine\"\n", at: root + "/home/.apictl.toml")
        let search = try ProjectFile.find(from: root + "/home/repo/a", home: root + "/home")
        XCTAssertEqual(search.file?.profile, "mine")
        XCTAssertEqual(search.ignored.count, 1)
        XCTAssertTrue(search.ignored[0].contains("its folder can be written by any user"), search.ignored[0])
    }

    /// A link planted by another user is refused, and what a link points at is checked before it is opened.
    func testLinksAreCheckedBeforeTheyAreFollowed() throws {
        try XCTSkipIf(geteuid() != 0, "giving a link to another user needs root")
        try write("profile = \"api\"\n", at: root + "/home/real.toml")
        let link = root + "/home/repo/.apictl.toml"
        XCTAssertEqual(symlink(root + "/home/real.toml", link), 0)
        XCTAssertEqual(try ProjectFile.find(from: root + "/home/repo", home: root + "/home").file?.profile, "api")
        XCTAssertEqual(lchown(link, 65534, 65534), 0)
        XCTAssertThrowsError(try ProjectFile.find(from: root + "/home/repo", home: root + "/home")) { error in
            XCTAssertTrue((error as? APICtlError)?.message.contains("is a link that belongs to another user") ?? false, "\(error)")
        }
        XCTAssertEqual(unlink(link), 0)
        // /dev/stdin is a regular file when stdin is one: a link into /dev, /proc or /sys is refused by where it leads.
        let up = String(repeating: "../", count: root.split(separator: "/").count + 2)
        for target in ["/dev/null", "/dev/stdin", "/proc/self/environ", up + "dev/stdin"] {
            XCTAssertEqual(symlink(target, link), 0)
            XCTAssertThrowsError(try ProjectFile.find(from: root + "/home/repo", home: root + "/home"), target) { error in
                let message = (error as? APICtlError)?.message ?? ""
                XCTAssertTrue(message.contains("is a link to /") || message.contains("not a regular file"), message)
            }
            XCTAssertEqual(unlink(link), 0)
        }
        // A folder another user owns is theirs to fill: its file is passed over.
        try write("profile = \"theirs\"\n", at: link)
        XCTAssertEqual(chown(root + "/home/repo", 65534, 65534), 0)
        let search = try ProjectFile.find(from: root + "/home/repo", home: root + "/home")
        XCTAssertNil(search.file)
        XCTAssertTrue(search.ignored.first?.contains("its folder belongs to another user") ?? false, "\(search.ignored)")
    }
}

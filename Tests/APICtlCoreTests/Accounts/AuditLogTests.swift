@testable import APICtlCore
import Foundation
import XCTest

/// The audit record's file: whole lines under concurrency, rotation keeping one old file.
final class AuditLogTests: XCTestCase {
    var directory = ""

    override func setUp() { directory = NSTemporaryDirectory() + "apictl-audit-" + UUID().uuidString + "/state" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: PathText.directory(of: directory)) }

    func entry(_ n: Int) -> AuditEntry {
        AuditEntry(time: Date(timeIntervalSince1970: 1_800_000_000 + Double(n)), profile: "dz", environment: nil, account: "default",
                   fingerprint: AuditEntry.fingerprint(of: "key"), tokenID: nil, source: "keyring", method: "GET",
                   origin: "https://api.dz.test", path: "/v1/items/\(n)", status: 200, chosenBy: "flag")
    }

    func testALineReadsBackAsTheEntry() throws {
        let log = AuditLog(stateDirectory: directory)
        try log.append(entry(1))
        XCTAssertEqual(log.entries(), [entry(1)])
        XCTAssertEqual(FileBytes.permissions(log.path).map { $0 & 0o777 }, 0o600)
        XCTAssertEqual(FileBytes.permissions(directory).map { $0 & 0o777 }, 0o700)
    }

    func testRotationKeepsOneOldFileAndLosesNothingBetweenTheTwo() throws {
        let log = AuditLog(stateDirectory: directory, rotationSize: 2_000)
        for n in 0..<30 { try log.append(entry(n)) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: log.oldPath))
        let sizes = [log.path, log.oldPath].map { (try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) ?? 0 }
        XCTAssertTrue(sizes.allSatisfy { $0 <= 2_000 }, "\(sizes)")
        let kept = log.entries()
        XCTAssertEqual(kept.last, entry(29))
        // Consecutive: what is kept is the newest lines, in order, none dropped between the files.
        XCTAssertEqual(kept.map(\.path), (30 - kept.count..<30).map { "/v1/items/\($0)" })
    }

    func testQueryValuesAreLeftOut() {
        let url = URLParts.parse("https://api.test/v1/search?q=secret+plans&token=abc&sk_live_bare#frag")
        XCTAssertEqual(url.map(AuditEntry.recordedPath), "/v1/search?q=&token=&(value)", "an item without '=' is all value")
    }

    /// What a server's link puts in a path reaches a terminal as printable ASCII, and not without end.
    func testRecordedTextIsPrintableAndBounded() {
        XCTAssertEqual(AuditEntry.printable("/a\u{202E}exe.txt\u{1B}[2J"), "/a%E2%80%AEexe.txt%1B[2J")
        let long = AuditEntry.printable("/" + String(repeating: "x", count: 60_000))
        XCTAssertEqual(long.count, AuditEntry.pathLimit + 1)
        XCTAssertTrue(long.hasSuffix("…"))
    }
}

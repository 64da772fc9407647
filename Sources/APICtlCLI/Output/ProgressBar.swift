import APICtlCore
import FoundationEssentials

/// A one-line download progress display on stderr (a terminal only): bytes so
/// far, the total when known, rate and ETA; redrawn at most ten times a second.
final class ProgressBar {
    private let out: OutputStream
    private var total: Int64?
    private var received: Int64 = 0
    private var started = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(out: OutputStream) { self.out = out }

    func start(total: Int64?) {
        self.total = total
        received = 0
        started = Date()
    }

    func advance(_ bytes: Int) {
        received += Int64(bytes)
        let now = Date()
        if now.timeIntervalSince(lastDraw) >= 0.1 {
            lastDraw = now
            draw(now)
        }
    }

    func finish() {
        guard drawn || received > 0 else { return }
        draw(Date())
        out.write("\n")
        drawn = false
    }

    private func draw(_ now: Date) {
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(received) / elapsed
        var line = "  \(Self.size(Double(received)))"
        if let total, total > 0 {
            let fraction = min(1, Double(received) / Double(total))
            let width = 24
            let filled = (fraction * Double(width)).saturatingInt
            line = "  [" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled) + "] "
                + String((fraction * 100).saturatingInt).leftPadded(to: 3, with: " ") + "% " + "\(Self.size(Double(received))) / \(Self.size(Double(total)))"
            if rate > 0, received < total { line += "  ETA \((Double(total - received) / rate).rounded(.up).saturatingInt)s" }
        }
        line += "  \(Self.size(rate))/s"
        out.write("\r\u{1B}[K" + line)
        drawn = true
    }

    static func size(_ bytes: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = bytes, unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(value.saturatingInt) B" : value.oneDecimal + " " + units[unit]
    }
}

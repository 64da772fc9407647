import APICtlCore

/// Columns aligned under a header. On a terminal narrower than the table, the widest
/// columns give way first, their cells cut with "…", so each row stays one line.
/// Control characters in a cell are shown escaped: a cell may come from a keyring item or
/// a server, and a line break or an escape sequence there would break the row or repaint the terminal.
enum TextTable {
    static func render(_ given: [[String]], width: Int? = nil) -> String {
        let rows = given.map { row in row.map { TerminalText.escapingControls($0) } }
        guard let first = rows.first else { return "" }
        let count = first.count
        var widths = (0..<count).map { column in rows.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        if let width {
            let gaps = 2 * (count - 1)
            while widths.reduce(0, +) + gaps > width, let widest = widths.indices.max(by: { widths[$0] < widths[$1] }),
                  widths[widest] > 8 {
                widths[widest] -= 1
            }
        }
        var out = ""
        for row in rows {
            let cells = (0..<count).map { column -> String in
                let cell = row.indices.contains(column) ? row[column] : ""
                let shown = cell.count > widths[column] ? String(cell.prefix(widths[column] - 1)) + "…" : cell
                return shown + String(repeating: " ", count: widths[column] - shown.count)
            }
            var line = cells.joined(separator: "  ")
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        return out
    }
}

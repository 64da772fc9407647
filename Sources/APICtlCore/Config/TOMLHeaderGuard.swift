/// toml++ (inside TOMLKit) asserts, and so aborts the whole process, when a table
/// header does not start with a key (`[ = 1`, or `[` alone on a line): its parser
/// assumes the caller checked, and in a release build the check is an optimizer
/// assumption, which is worse. `make fuzz` found it. This finds such a header
/// first, knowing just enough TOML (strings, comments, values spanning lines) to
/// tell a header from text that only looks like one.
enum TOMLHeaderGuard {
    /// The line of the first header toml++ would choke on, or nil.
    static func unsafeHeaderLine(_ text: String) -> Int? {
        let scalars = Array(text.unicodeScalars)
        var index = 0, line = 1
        var atStatement = true      // a `[` here opens a table header
        var inValue = false         // after the `=` of a key-value pair
        var depth = 0               // brackets and braces open in that value
        func skipBlanks(_ at: inout Int) -> Bool {
            let start = at
            while at < scalars.count, scalars[at] == " " || scalars[at] == "\t" { at += 1 }
            return at > start
        }
        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "\n":
                line += 1
                if depth == 0 { inValue = false; atStatement = true }
                index += 1
            case " ", "\t", "\r":
                index += 1
            case "#":
                while index < scalars.count, scalars[index] != "\n" { index += 1 }
            case "\"", "'":
                index = skipString(scalars, from: index, line: &line)
                atStatement = false
            case "[" where atStatement:
                var next = index + 1
                let blanks = skipBlanks(&next)
                if next < scalars.count, scalars[next] == "[", !blanks {
                    next += 1
                    _ = skipBlanks(&next)
                }
                if next < scalars.count, scalars[next] != "]", scalars[next] != "[", !startsKey(scalars[next]) { return line }
                atStatement = false
                index = next
            case "=":
                inValue = true
                atStatement = false
                index += 1
            case "[", "{":
                if inValue { depth += 1 }
                atStatement = false
                index += 1
            case "]", "}":
                if inValue, depth > 0 { depth -= 1 }
                index += 1
            default:
                atStatement = false
                index += 1
            }
        }
        return nil
    }

    /// A bare key's first character (A-Z a-z 0-9 - _) or a quoted key's delimiter.
    static func startsKey(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_"
                           || scalar == "\"" || scalar == "'")
    }

    /// The index just past the string that opens at `start` ("..", '..', """..""", '''..''').
    static func skipString(_ scalars: [Unicode.Scalar], from start: Int, line: inout Int) -> Int {
        let quote = scalars[start]
        let triple = start + 2 < scalars.count && scalars[start + 1] == quote && scalars[start + 2] == quote
        var index = start + (triple ? 3 : 1)
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\n" {
                line += 1
                if !triple { return index }   // a one-line string ends at the line: toml++ reports it
            }
            if scalar == "\\", quote == "\"" { index += 2; continue }
            if scalar == quote {
                if !triple { return index + 1 }
                if index + 2 < scalars.count, scalars[index + 1] == quote, scalars[index + 2] == quote {
                    var end = index + 3
                    while end < scalars.count, scalars[end] == quote, end - index < 5 { end += 1 }   // """" ends with a quote
                    return end
                }
            }
            index += 1
        }
        return index
    }
}

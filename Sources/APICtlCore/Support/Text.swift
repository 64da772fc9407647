extension StringProtocol {
    /// Without leading and trailing spaces and tabs: how header values and
    /// `key: value` arguments are read (RFC 9110 §5.5 optional whitespace).
    public func trimmingSpaces() -> String {
        trimming { $0 == " " || $0 == "\t" }
    }

    /// Without leading and trailing whitespace, newlines included: for a pasted key.
    public func trimmingWhitespace() -> String {
        trimming(\.isWhitespace)
    }

    /// Without leading and trailing characters that match.
    public func trimming(_ drop: (Character) -> Bool) -> String {
        guard let first = firstIndex(where: { !drop($0) }), let last = lastIndex(where: { !drop($0) }) else { return "" }
        return String(self[first...last])
    }
}

extension String {
    /// Padded on the left to `width` characters: "7" becomes "07", or "  7" with spaces.
    public func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

extension String {
    /// Where `target` first occurs, matched byte for byte as UTF-8 (no Unicode
    /// equivalence), as Foundation's literal `range(of:)` did.
    public func firstRange(ofText target: String) -> Range<String.Index>? {
        let needle = Array(target.utf8)
        guard let first = needle.first else { return nil }
        var start = utf8.startIndex
        while let candidate = utf8[start...].firstIndex(of: first) {
            var position = candidate
            var matched = true
            for byte in needle {
                guard position != utf8.endIndex, utf8[position] == byte else { matched = false; break }
                position = utf8.index(after: position)
            }
            if matched { return candidate..<position }
            start = utf8.index(after: candidate)
        }
        return nil
    }

    public func containsText(_ target: String) -> Bool {
        firstRange(ofText: target) != nil
    }

    /// The pieces between occurrences of `target`, matched byte for byte, left to right:
    /// one more piece than there are occurrences, empty ones kept.
    public func components(separatedByText target: String) -> [String] {
        var pieces: [String] = []
        var rest = self
        while let range = rest.firstRange(ofText: target) {
            pieces.append(String(rest[..<range.lowerBound]))
            rest = String(rest[range.upperBound...])
        }
        return pieces + [rest]
    }

    /// Every occurrence of `target` replaced, left to right.
    public func replacingAll(_ target: String, with replacement: String) -> String {
        components(separatedByText: target).joined(separator: replacement)
    }
}

/// The value of one hexadecimal digit, either case: for `%XX` and `\uXXXX` escapes.
func hexDigitValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    default: return nil
    }
}

extension Double {
    /// "12.3": one decimal place, rounded half away from zero, for waits and sizes
    /// (what `String(format: "%.1f")` gave, without linking Foundation's formatter).
    public var oneDecimal: String {
        let tenths = (self * 10).rounded().saturatingInt
        let sign = tenths < 0 ? "-" : ""
        let magnitude = tenths.magnitude
        return "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }
}

extension Array where Element == String {
    /// Shadows the standard library's `joined(separator:)` for arrays of strings
    /// with the same result. That one is generic and not specialized for us: its
    /// first call resolves associated types at run time, which scans every
    /// protocol conformance in the binary, a measurable part of start-up
    /// (the command tree's help texts join lists on every run).
    public func joined(separator: String = "") -> String {
        var result = ""
        for (index, element) in enumerated() {
            if index > 0 { result += separator }
            result += element
        }
        return result
    }
}

/// `KEY=VALUE` arguments (`--var`, `--env-url`, `-f`, `--query`): split at the first `=`.
public enum KeyValue {
    public static func split(_ raw: String, option: String, example: String) throws(APICtlError) -> (String, String) {
        guard let equals = raw.firstIndex(of: "="), equals != raw.startIndex else {
            throw .usage("\(option) '\(raw)' is not key=value", hint: "e.g. \(option) \(example)")
        }
        return (String(raw[..<equals]), String(raw[raw.index(after: equals)...]))
    }
}

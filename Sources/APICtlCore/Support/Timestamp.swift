import FoundationEssentials

/// UTC timestamps in the two forms apictl meets: ISO 8601 / RFC 3339 for
/// people, scripts and APIs (FoundationEssentials' ISO8601FormatStyle, which needs
/// no ICU), and HTTP's IMF-fixdate (RFC 9110 §5.6.7) in Retry-After, by hand:
/// this toolchain's FoundationEssentials has no HTTPFormatStyle.
public enum Timestamp {
    /// "2026-11-23T18:42:07Z", in whole seconds.
    public static func iso8601(_ date: Date) -> String {
        // Years 0000-9999: a date from outside the process (a header, a claim) may be absurd.
        let seconds = min(max(date.timeIntervalSince1970.rounded(.down), -62_167_219_200), 253_402_300_799)
        return Date(timeIntervalSince1970: seconds).formatted(Date.ISO8601FormatStyle())
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// "Sun, 06 Nov 1994 08:49:37 GMT"; nil for anything else, including the obsolete forms.
    public static func httpDate(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].count == 4, parts[0].hasSuffix(","), parts[5] == "GMT",
              let day = Int(parts[1]), parts[1].count == 2, (1...31).contains(day),
              let monthIndex = months.firstIndex(of: String(parts[2])),
              let year = Int(parts[3]), parts[3].count == 4 else { return nil }
        let clock = parts[4].split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3, clock.allSatisfy({ $0.count == 2 }),
              let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
              (0..<24).contains(hour), (0..<60).contains(minute), (0...60).contains(second) else { return nil }
        let days = days(fromCivil: year, monthIndex + 1, day)
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3600 + minute * 60 + second))
    }

    /// RFC 3339 ("2026-11-23T18:42:07Z", "...07.5+02:00"), or epoch seconds as a
    /// JSON number: how APIs write a key's created_at and expires_at.
    public static func parse(_ value: JSONValue) -> Date? {
        if let seconds = value.doubleValue, seconds.isFinite, (0...1e11).contains(seconds) {
            return Date(timeIntervalSince1970: seconds)
        }
        return value.stringValue.flatMap(rfc3339)
    }

    /// RFC 3339: "2026-11-23T18:42:07Z", "...07.5+02:00"; the lower-case and space
    /// separators RFC 3339 allows are accepted too. A field past its range in a date an API
    /// wrote is rolled over as ISO 8601 reads it ("T24:00:00" is the end of the day).
    public static func rfc3339(_ text: String) -> Date? {
        parse(rfc3339: text, existingOnly: false)
    }

    /// RFC 3339 as a person typed it: a date or time that does not exist ("2026-02-30",
    /// "T25:00") is refused rather than moved to one that does.
    public static func rfc3339Existing(_ text: String) -> Date? {
        parse(rfc3339: text, existingOnly: true)
    }

    private static func parse(rfc3339 text: String, existingOnly: Bool) -> Date? {
        var bytes = Array(text.utf8)
        // RFC 3339's shape, four-digit year and all: the format style alone would read "92030-01-01T…",
        // a year the formatter (and so a stored record) cannot give back, and would ignore what follows the zone.
        let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
        guard bytes.count >= 20, bytes.count <= 64, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              digits.allSatisfy({ JSONLexer.isDigit(bytes[$0]) }), hasZone(bytes, from: 19) else { return nil }
        if [UInt8(ascii: "t"), UInt8(ascii: " ")].contains(bytes[10]) { bytes[10] = UInt8(ascii: "T") }
        if bytes.last == UInt8(ascii: "z") { bytes[bytes.count - 1] = UInt8(ascii: "Z") }
        if existingOnly {
            let year = twoDigits(bytes, at: 0) * 100 + twoDigits(bytes, at: 2), month = twoDigits(bytes, at: 5), day = twoDigits(bytes, at: 8)
            guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
                  twoDigits(bytes, at: 11) < 24, twoDigits(bytes, at: 14) < 60, twoDigits(bytes, at: 17) <= 60 else { return nil }
        }
        return try? Date(String(decoding: bytes, as: UTF8.self), strategy: Date.ISO8601FormatStyle())
    }

    /// What follows the seconds: an optional fraction, then "Z" or an offset "+hh:mm" (hours
    /// 00-23, minutes 00-59), and nothing after it.
    private static func hasZone(_ bytes: [UInt8], from start: Int) -> Bool {
        var at = start
        if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
            at += 1
            let first = at
            while at < bytes.count, JSONLexer.isDigit(bytes[at]) { at += 1 }
            guard at > first else { return false }
        }
        guard at < bytes.count else { return false }
        if bytes[at] == UInt8(ascii: "Z") || bytes[at] == UInt8(ascii: "z") { return at + 1 == bytes.count }
        guard bytes.count == at + 6, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-"), bytes[at + 3] == UInt8(ascii: ":"),
              [1, 2, 4, 5].allSatisfy({ JSONLexer.isDigit(bytes[at + $0]) }) else { return false }
        return twoDigits(bytes, at: at + 1) < 24 && twoDigits(bytes, at: at + 4) < 60
    }

    /// The number two ASCII digits at `at` spell (checked to be digits before).
    private static func twoDigits(_ bytes: [UInt8], at: Int) -> Int {
        Int(bytes[at] - 48) * 10 + Int(bytes[at + 1] - 48)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days-from-civil algorithm: exact for the proleptic Gregorian calendar.
    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

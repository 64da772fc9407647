/// Durations as users write them: "90d", "12h", "30m", "45s", or bare seconds.
public enum DurationText {
    /// Ten years: a longer key lifetime or cache is a typo, not a wish.
    public static let longest: Double = 3650 * 86400

    /// Seconds, or nil when `text` is not a duration from 1 s to ten years.
    public static func seconds(_ text: String) -> Double? {
        var digits = Substring(text.trimmingSpaces())
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400]
        var unit = 1.0
        if let last = digits.last, let scale = units[last] {
            unit = scale
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.count <= 12,
              let count = Double(digits) else { return nil }
        let seconds = count * unit
        return seconds >= 1 && seconds <= longest ? seconds : nil
    }

    /// A cache's lifetime: the variable, else the config key, else `fallback`;
    /// "0" turns the cache off (0 seconds).
    public static func cacheLifetime(variable: String, key: String, configured: String?, environment: [String: String],
                                     fallback: String = "15m") throws(APICtlError) -> Double {
        let (text, origin) = environment[variable].flatMap { $0.isEmpty ? nil : ($0, variable) }
            ?? configured.map { ($0, key) } ?? (fallback, key)
        if text.trimmingSpaces() == "0" { return 0 }
        guard let seconds = seconds(text) else {
            throw .config("\(origin)=\(text) is not a duration such as 15m, 1h or 900 (or 0 for off)")
        }
        return seconds
    }
}

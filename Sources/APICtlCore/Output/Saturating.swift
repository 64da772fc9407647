extension Double {
    /// An Int for display or limits that never traps: `Int(x)` does on NaN,
    /// infinity and out-of-range values, and such values arrive from headers,
    /// JWT claims and argv.
    public var saturatingInt: Int {
        guard isFinite else { return isNaN ? 0 : (self > 0 ? Int.max : Int.min) }
        if self >= 9.2e18 { return Int.max }
        if self <= -9.2e18 { return Int.min }
        return Int(self)
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

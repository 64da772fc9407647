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

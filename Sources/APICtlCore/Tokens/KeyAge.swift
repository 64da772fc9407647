import FoundationEssentials

/// When a key is due for rotation (older than `tokens.rotate_after`, 90 days by
/// default, as seed 000 asks), about to expire (within 7 days), or expired.
public enum KeyAge {
    public static let defaultRotateAfter: Double = 90 * 86400
    public static let expiringWithin: Double = 7 * 86400

    public static func rotateAfter(_ profile: ResolvedProfile) -> Double {
        profile.tokens?.rotateAfter.flatMap(DurationText.seconds) ?? defaultRotateAfter
    }

    public static func flags(createdAt: Date?, expiresAt: Date?, profile: ResolvedProfile, now: Date) -> [String] {
        var flags: [String] = []
        if let createdAt, now.timeIntervalSince(createdAt) > rotateAfter(profile) { flags.append("rotate") }
        if let expiresAt {
            let left = expiresAt.timeIntervalSince(now)
            if left <= 0 { flags.append("expired") } else if left < expiringWithin { flags.append("expiring") }
        }
        return flags
    }
}

/// httpie's request items: `name=value` (a string field), `name:=json` (a typed field),
/// `Name:value` (a header), `name==value` (a query parameter). Read in one place, for
/// `request` and for its completion alike.
public struct RequestItem: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case query = "=="
        case typedField = ":="
        case stringField = "="
        case header = ":"
    }

    public let kind: Kind
    public let name: String
    public let value: String

    /// The earliest separator wins, the longest at that spot; nil for a word with none, or
    /// with nothing before it.
    public init?(_ word: String) {
        var best: (index: String.Index, kind: Kind)?
        for kind in Kind.allCases {
            guard let range = word.firstRange(ofText: kind.rawValue) else { continue }
            if let current = best, current.index <= range.lowerBound { continue }
            best = (range.lowerBound, kind)
        }
        guard let (index, kind) = best, index != word.startIndex else { return nil }
        self.kind = kind
        name = String(word[..<index])
        value = String(word[word.index(index, offsetBy: kind.rawValue.count)...])
    }
}

/// RFC 6901 JSON Pointers ("/data/key"), as the `[tokens]` table names fields.
public enum JSONPointer {
    /// The reference tokens, or nil when `pointer` is not valid pointer syntax.
    public static func tokens(_ pointer: String) -> [String]? {
        if pointer.isEmpty { return [] }
        guard pointer.hasPrefix("/") else { return nil }
        var tokens: [String] = []
        for raw in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            var token = ""
            var escape = false
            for character in raw {
                if escape {
                    switch character {
                    case "0": token.append("~")
                    case "1": token.append("/")
                    default: return nil
                    }
                    escape = false
                } else if character == "~" {
                    escape = true
                } else {
                    token.append(character)
                }
            }
            if escape { return nil }
            tokens.append(token)
        }
        return tokens
    }
}

extension JSONValue {
    /// The value `pointer` names; nil when it is absent or the pointer is malformed.
    public func at(pointer: String) -> JSONValue? {
        guard let tokens = JSONPointer.tokens(pointer) else { return nil }
        var current = self
        for token in tokens {
            switch current {
            case .object(let members):
                guard let next = members[token] else { return nil }
                current = next
            case .array(let items):
                guard let index = Int(token), index >= 0, index < items.count, String(index) == token else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }
}

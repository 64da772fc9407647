@testable import APICtlCore

/// The Link header parser (RFC 8288) and the query helpers pagination uses on its target.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLinkHeader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    withInput(data, size) { bytes in
        let header = text(bytes)
        guard let next = Paginator.nextLink(header) else { return }
        expect(header.contains(next), "the next link is taken from the header")
        _ = Paginator.queryValue(next, "page")
        let moved = Paginator.settingQuery(next, "cursor", "c&d")
        expect(Paginator.queryValue(moved, "cursor") != nil, "a query value that was set can be read back")
        _ = URLParts.parse(next)
    }
}

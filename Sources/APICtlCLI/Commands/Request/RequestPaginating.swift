import APICtlCore
import FoundationEssentials

extension RequestCommand {
    /// `--paginate`: one merged JSON array (streamed when piped), or one item per line with
    /// --ndjson as each page arrives; a --jq filter runs on the merged array, or on each item.
    static func paginate(_ request: HTTPRequest, _ plan: Plan, ndjson: Bool, _ session: CredentialSession,
                         _ context: CommandContext) throws(APICtlError) -> Int32 {
        let pretty = context.stdout.isTerminal && !plan.raw && !ndjson
        // With --jq the merged array is held and filtered once (each item is, with --ndjson).
        let hold = pretty || plan.filter != nil
        let paginator = Paginator(client: session.client, config: session.profile?.pagination, failureContext: session.failureContext)
        // Held in memory apictl asks for itself: too large is one line (exit 8), never an abort.
        let collected = HeldBody()
        var count = 0
        var holdFailure: APICtlError?
        func emit(_ bytes: [UInt8]) {
            guard hold else { context.stdout.write(bytes); return }
            guard holdFailure == nil else { return }
            bytes.withUnsafeBytes { chunk in
                do throws(APICtlError) { try collected.append(chunk) } catch { holdFailure = error }
            }
        }
        var filterFailure: APICtlError?
        let walked: Paginator.Walked
        do {
            walked = try paginator.run(request) { body, items in
                for range in items {
                    if ndjson, let filter = plan.filter {
                        guard filterFailure == nil else { return false }
                        do throws(APICtlError) { try filtered(Array(body[range]), through: filter, session, context) } catch {
                            filterFailure = error
                        }
                    } else if ndjson {
                        let line = RawJSON.minified(body[range]) + [0x0A]
                        context.stdout.write(context.stdout.isTerminal ? ResponsePrinter.shownOnTerminal(line) : line)
                    } else {
                        emit(Array((count == 0 ? "[\n" : ",\n").utf8) + body[range])
                    }
                    count += 1
                }
                // Quitting the pager or closing the pipe ends the walk: nobody reads the next page.
                return !context.stdout.hasNoReader
            }
        } catch {
            if !ndjson && count > 0 && !hold { context.stdout.write("\n]\n") }
            throw error
        }
        if let filterFailure { throw filterFailure }
        warnIfLeftUnfollowed(walked, context)
        guard !ndjson else { return 0 }
        emit(Array((count == 0 ? "[]\n" : "\n]\n").utf8))
        if let holdFailure { throw holdFailure }
        if let filter = plan.filter {
            try collected.withBytes { (bytes) throws(APICtlError) in
                try ResponsePrinter.filtered(bytes, through: filter, terminal: context.stdout.isTerminal, color: context.globals.color,
                                             deadline: session.client.settings.deadline?.timeIntervalSince(context.now()), to: context.stdout)
            }
        } else if pretty {
            let merged = collected.bytes
            context.stdout.write(ResponsePrinter.shownOnTerminal(JSONPrettyPrinter(color: context.globals.color).format(merged) ?? merged))
        }
        return 0
    }

    /// The answer counts more items than the walk found a way to: offset and limit are not followed.
    private static func warnIfLeftUnfollowed(_ walked: Paginator.Walked, _ context: CommandContext) {
        guard walked.leftUnfollowed, let total = walked.statedTotal else { return }
        context.warn("--paginate: the answer says \(total) items in all, and apictl found no next page after \(walked.items) "
                     + "(no Link header, next URL, cursor or pagination.page_param); offset and limit are not followed: "
                     + "page with --query offset=N (docs/requests.md)")
    }

    /// One document through the filter, within what --timeout leaves.
    private static func filtered(_ document: [UInt8], through filter: JQFilter, _ session: CredentialSession,
                                 _ context: CommandContext) throws(APICtlError) {
        try ResponsePrinter.filtered(document, through: filter, terminal: context.stdout.isTerminal, color: context.globals.color,
                                     deadline: session.client.settings.deadline?.timeIntervalSince(context.now()), to: context.stdout)
    }
}

import APICtlCore
import FoundationEssentials

extension RequestCommand {
    /// One request, its body streamed where it goes: stdout untouched when piped, pretty on a
    /// terminal (or as received past the buffer), or a file that takes its name only when whole.
    static func send(_ request: HTTPRequest, _ plan: Plan, include: Bool, _ session: CredentialSession,
                     _ context: CommandContext) throws(APICtlError) -> Int32 {
        let pretty = context.stdout.isTerminal && !plan.raw
        let sink = ResponseSink(destination: plan.output.map { .file($0) } ?? .stdout(pretty: pretty), stdout: context.stdout,
                                includeHead: include, color: context.globals.color)
        if plan.output != nil, context.stderr.isTerminal { sink.progress = ProgressBar(out: context.stderr) }
        defer { InterruptCleanup.cancel() }
        let head: HTTPResponseHead
        do {
            head = try session.client.send(request, to: sink)
            if head.isSuccess { try sink.finish() } else { sink.abandon() }
            if head.isSuccess, let output = plan.output, context.stderr.isTerminal {
                context.stderr.write("saved \(sink.writtenBytes) bytes to \(output)\n")
            }
        } catch {
            sink.abandon()
            throw error
        }
        if include && !sink.headPrinted {
            context.stdout.write(ResponsePrinter.statusAndHeaders(head, color: context.globals.color))
        }
        if sink.overflowed {
            if pretty { context.warn("the body is larger than \(ResponseSink.bufferLimit >> 20) MiB; printed as received, not pretty-printed") }
        } else if plan.output == nil && (!head.isSuccess || pretty) {
            ResponsePrinter.body(sink.buffered, head: head, pretty: pretty, color: context.globals.color,
                                 to: context.stdout, warn: context.warn)
        }
        guard head.isSuccess || (300..<400).contains(head.status) else {
            throw HTTPFailure.error(for: HTTPResponse(head: head, body: sink.buffered), context: session.failureContext(for: request))
        }
        return 0
    }

    /// `--jq` on one response: the whole body is held, then filtered; an error body is
    /// printed as received, with its one line on stderr, as without --jq.
    static func filtered(_ request: HTTPRequest, through filter: JQFilter, include: Bool, _ session: CredentialSession,
                         _ context: CommandContext) throws(APICtlError) -> Int32 {
        let held = HeldBody()
        let head = try session.client.send(request, to: held)
        if include { context.stdout.write(ResponsePrinter.statusAndHeaders(head, color: context.globals.color)) }
        guard head.isSuccess else {
            let response = HTTPResponse(head: head, body: held.bytes)
            ResponsePrinter.body(response.body, head: head, pretty: false, color: false, to: context.stdout, warn: context.warn)
            throw HTTPFailure.error(for: response, context: session.failureContext(for: request))
        }
        let left = session.client.settings.deadline.map { $0.timeIntervalSince(context.now()) }
        try held.withBytes { (bytes) throws(APICtlError) in
            try ResponsePrinter.filtered(bytes, through: filter, terminal: context.stdout.isTerminal, color: context.globals.color,
                                         deadline: left, to: context.stdout)
        }
        return 0
    }
}

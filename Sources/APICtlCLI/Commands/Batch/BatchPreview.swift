import APICtlCore

/// `batch --dry-run`: each line's request as `request --dry-run` prints it (the credential a
/// placeholder, nothing found, run or refreshed), one after another; nothing is sent.
enum BatchPreview {
    static func run(_ input: LineReader, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let (_, profile) = try context.selectProfile()
        let client = context.makeClient(transport: try context.openTransport(), profile: profile,
                                        credential: profile.map(RequestPreview.placeholderCredential))
        if let profile { context.stderr.write("# credential: \(RequestPreview.expectedSource(profile, environment: context.environment))\n") }
        var number = 0
        var failed = 0
        var shown = 0
        while let line = input.next() {
            number += 1
            guard let parsed = BatchItem.parse(line, number: number) else { continue }
            do throws(APICtlError) {
                let item: BatchItem
                switch parsed {
                case .success(let read): item = read
                case .failure(let problem): throw APICtlError.usage(problem.message)
                }
                let request = try client.prepared(try item.request(profile: profile))
                context.stdout.write((shown > 0 ? "\n" : "") + "# line \(number)\n"
                                     + RequestPreview.dryRun(request, redactor: client.redactor, bodySource: nil))
                shown += 1
            } catch {
                failed += 1
                context.stderr.write(error.line + "\n")
            }
        }
        guard failed == 0 else {
            context.stderr.write("batch: \(shown) request\(shown == 1 ? "" : "s") shown, \(failed) line\(failed == 1 ? "" : "s") not valid; nothing was sent\n")
            return ExitCode.httpError.rawValue
        }
        return 0
    }
}

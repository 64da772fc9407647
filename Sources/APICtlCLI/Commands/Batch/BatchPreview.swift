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
            do throws(APICtlError) {
                guard case .text(let bytes) = line else {
                    throw APICtlError.usage("line \(number) is longer than the \(LineReader.longestLine >> 20) MiB a line may hold")
                }
                if bytes.allSatisfy({ [0x20, 0x09, 0x0D].contains($0) }) { continue }
                let item: BatchItem
                switch BatchItem.parse(bytes) {
                case .success(let parsed): item = parsed
                case .failure(let problem): throw APICtlError.usage("line \(number): \(problem.message)")
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

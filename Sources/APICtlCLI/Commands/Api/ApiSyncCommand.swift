import APICtlCore
import FoundationEssentials
import Glibc

/// `apictl api sync`: fetches the description (conditionally, with its ETag), has the
/// `apictl-openapi` helper parse it, and keeps the index under $XDG_CACHE_HOME/apictl.
enum ApiSyncCommand {
    static let spec = CommandSpec(
        name: "sync",
        summary: "Fetch and index the API's OpenAPI description",
        options: Options.self,
        examples: ["apictl api sync", "apictl api sync -p dzdesk --force"],
        run: run
    )

    struct Options: CommandOptions {
        let force: Bool
        let timeout: Double
        init(_ declare: OptionBinding) {
            force = declare.flag("force", nil, help: "Fetch again even when the copy is younger than openapi_max_age")
            // A server that trickles a byte a second never trips the stall timeout: the fetch has an end.
            timeout = declare.seconds("timeout", help: "Give up fetching the description after SECONDS in all (default 120)",
                                      positive: true) ?? 120
        }
    }

    static func run(_ options: Options, _ context: CommandContext) throws(APICtlError) -> Int32 {
        let deadline = context.now().addingTimeInterval(options.timeout)
        let (session, profile) = try context.openProfileSession(settings: context.clientSettings(deadline: deadline))
        let cache = context.configLocation.cacheDirectory
        // A record of the profile as it was before `profile set --openapi` or `--base-url` counts as none.
        let record = SyncRecord.load(profile: profile.name, cacheDirectory: cache).flatMap { $0.describes(profile) ? $0 : nil }
        // An index this version cannot read (an older layout) counts as none: fetched again, unconditionally.
        let usable = OpenAPIIndex.load(profile: profile.name, cacheDirectory: cache) != nil
        if !options.force, usable, let record, context.now().timeIntervalSince(record.syncedAt) < profile.openapiMaxAge {
            context.stderr.write("the description synced \(humanDuration(context.now().timeIntervalSince(record.syncedAt))) ago is current "
                                 + "(openapi_max_age); --force fetches it again\n")
            return 0
        }
        let fetched = try DescriptionSource.fetch(profile: profile, client: session.client,
                                                  previous: usable ? record.map { ($0.location, $0.etag) } : nil)
        let noted = SyncRecord(location: fetched.location, etag: fetched.etag, syncedAt: context.now(),
                               openapiSetting: profile.openapi ?? "", basePath: profile.base.path)
        guard let body = fetched.body else {
            try noted.save(profile: profile.name, cacheDirectory: cache)
            context.stderr.write("\(TerminalText.escapingControls(fetched.location)) is unchanged (304); the index is current\n")
            return 0
        }
        let lines = try parse(body, cache: cache, context)
        let header = try OpenAPIIndex.save(lines, basePath: profile.base.path, profile: profile.name, cacheDirectory: cache)
        try noted.save(profile: profile.name, cacheDirectory: cache)
        // The title is the description's words: shown with its control characters escaped, as api list shows them.
        let title = TerminalText.escapingControls(header["title"]?.stringValue ?? "").trimmingSpaces()
        let count = header["catalog"]?.arrayValue?.count ?? 0
        context.stderr.write("synced \(count) operation\(count == 1 ? "" : "s") of "
                             + (title.isEmpty ? "an untitled description " : "'\(title)' ")
                             + "(OpenAPI \(header["openapi"]?.stringValue ?? "?")) from \(TerminalText.escapingControls(fetched.location)) for \(profile.name)\n")
        return 0
    }

    /// Runs the helper on the description (kept in a private temporary file); its index's lines.
    static func parse(_ body: [UInt8], cache: String, _ context: CommandContext) throws(APICtlError) -> [UInt8] {
        guard let helper = helperPath(context) else {
            throw .config("apictl-openapi, which parses API descriptions, is not installed beside apictl",
                          hint: "install apictl with 'make install' or its .deb, which put it in place")
        }
        // The PID names whose it is; the random part keeps two syncs in two PID namespaces apart.
        let temporary = cache + "/openapi/description-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        do {
            try OpenAPIIndex.prepareFolder(cache)
            removeStaleTemporaries(in: cache + "/openapi")
            try AtomicFile.write(body, to: temporary, mode: 0o600)
        } catch {
            throw .init(.outputFailed, "cannot write \(temporary): \(error.message)")
        }
        let output = temporary + ".index"
        defer { unlink(temporary); unlink(output) }
        let outcome: ProcessRunner.Outcome
        do { outcome = try context.runner.run([helper, temporary, output], environment: context.childEnvironment, timeout: 120) } catch {
            throw .config("cannot run \(helper): \(error)")
        }
        let said = String(decoding: outcome.stderr, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
        let warnings = said.filter { $0.hasPrefix("warning: ") }
        if outcome.timedOut {
            throw .config("the API description is not usable: parsing it took more than 120 s (is it very large, or made by aliases?)")
        }
        guard outcome.status == 0, let written = FileBytes.contents(of: output, limit: 512 << 20) else {
            let why = said.filter { !$0.hasPrefix("warning: ") }.joined(separator: " ").trimmingWhitespace()
            throw .config("the API description is not usable: \(TerminalText.escapingControls(why.isEmpty ? "the parser failed" : why))")
        }
        // What the description breaks, part by part: the rest is indexed and used.
        for warning in warnings.prefix(20) { context.warn("description: " + TerminalText.escapingControls(String(warning.dropFirst(9)))) }
        if warnings.count > 20 { context.warn("description: \(warnings.count - 20) more parts skipped or unchecked") }
        return written
    }

    /// A sync killed mid-parse leaves `description-PID-N.tmp`, its `.index`, or the temp file
    /// of its write (`...tmp.tmp-PID-N`): removed once abandoned (a sync running now keeps its own).
    static func removeStaleTemporaries(in folder: String) {
        for name in FileBytes.names(inDirectory: folder) where name.hasPrefix("description-") {
            let pid = name.dropFirst("description-".count).prefix { $0.isNumber }
            guard let pid = Int32(pid), FileBytes.isAbandoned(folder + "/" + name, pid: pid) else { continue }
            unlink(folder + "/" + name)
        }
    }

    /// The helper: beside the apictl binary (a build), or in ../lib/apictl (make install, the .deb).
    static func helperPath(_ context: CommandContext) -> String? {
        guard let binary = PathText.linkText("/proc/self/exe") else { return nil }
        let directory = PathText.directory(of: binary)
        return [directory + "/apictl-openapi", PathText.directory(of: directory) + "/lib/apictl/apictl-openapi"]
            .first { access($0, X_OK) == 0 }
    }
}

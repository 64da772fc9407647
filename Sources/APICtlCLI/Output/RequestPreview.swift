import APICtlCore

/// `--dry-run` and `--curl`: a request shown instead of sent. The credential never
/// appears: a dry run shows it as [REDACTED], and the curl line reads it from an
/// environment variable, so the line can be pasted into a script or a bug report.
enum RequestPreview {
    /// Stands in for the credential when none was resolved: letters only, so no
    /// percent-encoding changes it and it can be found again in the prepared request.
    static let placeholder = "APICTLPLACEHOLDERCREDENTIAL"

    static func placeholderCredential(_ profile: ResolvedProfile) -> ResolvedCredential {
        ResolvedCredential(credential: Credential(token: placeholder), source: .environment(variable: variable(for: profile)))
    }

    /// The variable a curl line reads the key from: the profile's token_env, else APICTL_TOKEN.
    static func variable(for profile: ResolvedProfile?) -> String { profile?.tokenEnv ?? "APICTL_TOKEN" }

    /// Where a request would find the credential, found without running or reading anything secret.
    static func expectedSource(_ profile: ResolvedProfile, environment: [String: String]) -> String {
        switch PlannedCredential.plan(profile: profile, environment: environment) {
        case .environment(let credential): return "from \(credential.source)"
        case .command(let source): return "from \(source) (not run; --resolve runs it)"
        case .ci(let source): return "from \(source) (not exchanged; --resolve does)"
        case .store: return "from the credential store (not read; --resolve reads it)"
        }
    }

    /// HTTPie's `--offline` view: request line, headers, blank line, body (or what it is).
    static func dryRun(_ request: HTTPRequest, redactor: Redactor, bodySource: String?) -> String {
        var out = "\(request.method) \(hide(redactor.url(request.url)))\n"
        for header in request.headers { out += "\(header.name): \(hide(redactor.header(header.name, header.value)))\n" }
        for raw in request.rawHeaders { out += "\(String(decoding: raw, as: UTF8.self)) (as bytes)\n" }
        if let stream = request.bodyStream {
            out += "\n[body streamed from \(bodySource ?? "a file")" + (stream.length.map { ", \($0) bytes" } ?? ", length unknown") + "]\n"
        } else if let body = request.body, !body.isEmpty {
            if let text = String(validating: body, as: UTF8.self), !text.unicodeScalars.contains(where: isUnprintable) {
                out += "\n" + hide(redactor.text(text)) + (text.hasSuffix("\n") ? "" : "\n")
            } else {
                out += "\n[binary body, \(body.count) bytes]\n"
            }
        }
        return out
    }

    /// An equivalent curl command line, for bash and zsh alike. Fails (exit 2) for what a
    /// command line cannot carry: a binary body given inline, header bytes that are not text.
    /// Nothing secret is on it: the profile's key is read from its variable, any other
    /// credential header and a password in the URL show as [REDACTED].
    static func curl(_ request: HTTPRequest, profile: ResolvedProfile?, redactor: Redactor, data: String?) throws(APICtlError) -> String {
        let variable = variable(for: profile)
        var words = ["curl"]
        if request.method != "GET" || request.body != nil || request.bodyStream != nil {
            words += request.method == "HEAD" ? ["--head"] : ["-X", request.method]
        }
        let url = redactor.url(request.url, keeping: placeholder)
        // curl reads [] and {} in a URL as globs: -g takes them literally, as apictl sent them.
        if url.contains(where: { "[]{}".contains($0) }) { words.append("-g") }
        words.append(quoted(url, variable: variable))
        words += connectionWords(request, profile: profile, variable: variable)
        for header in request.headers {
            if case .basic? = profile?.auth, header.name.lowercased() == "authorization", header.value.hasPrefix("Basic ") {
                words += ["-u", "\"${\(variable)}\""]   // curl encodes user:password itself
                continue
            }
            // Masked as -v and --dry-run mask it, except the placeholder line that reads the key.
            let value = header.value.containsText(placeholder) ? header.value : redactor.header(header.name, header.value)
            words += ["-H", quoted("\(header.name): \(value)", variable: variable)]
        }
        guard request.rawHeaders.isEmpty else { throw .usage("--curl cannot show a header that is not text") }
        if let data, data.hasPrefix("@") {
            words += ["--data-binary", quoted(data, variable: variable)]
        } else if let body = request.body, !body.isEmpty {
            guard let text = String(validating: body, as: UTF8.self), !text.contains("\0") else {
                throw .usage("--curl cannot put a binary body on a command line", hint: "give it as -d @FILE")
            }
            words += ["--data-binary", quoted(text, variable: variable)]
        } else if request.bodyStream != nil {
            words += ["--data-binary", "@-"]
        }
        return words.joined(separator: " ") + "\n"
    }

    /// The CA, proxy and client certificate the request takes. A key kept in the credential store
    /// has no file to name: that line presents the certificate and curl asks for its key.
    private static func connectionWords(_ request: HTTPRequest, profile: ResolvedProfile?, variable: String) -> [String] {
        var words: [String] = []
        if let ca = request.caCertPath { words += ["--cacert", quoted(ca, variable: variable)] }
        if let proxy = request.proxy, !proxy.isEmpty { words += ["-x", quoted(APIClient.withoutUserInfo(proxy), variable: variable)] }
        if profile?.connection.proxy == "" { words += ["--noproxy", quoted("*", variable: variable)] }   // direct, whatever https_proxy says
        if let certificate = request.clientCertificate {
            words += ["--cert", quoted(certificate.origin, variable: variable)]
            if let key = profile?.connection.clientKey { words += ["--key", quoted(key, variable: variable)] }
        }
        return words
    }

    /// Single quotes, unless the credential placeholder is inside: then double quotes with
    /// `$`, backquote, backslash and `"` escaped, and the placeholder as `${VARIABLE}`. A `!`
    /// steps out of the double quotes as `'!'`: bash keeps the backslash of `\!` in double
    /// quotes and zsh does not, so no escaped form reads the same in both.
    static func quoted(_ text: String, variable: String) -> String {
        guard text.contains(placeholder) else {
            if !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_./:@=,".contains($0)) }) { return text }
            return "'" + text.replacingAll("'", with: "'\\''") + "'"
        }
        var escaped = ""
        for character in text {
            if character == "!" {
                escaped += "\"'!'\""
                continue
            }
            if "$`\\\"".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return "\"" + escaped.replacingAll(placeholder, with: "${\(variable)}") + "\""
    }

    private static func hide(_ text: String) -> String { text.replacingAll(placeholder, with: Redactor.mask) }

    private static func isUnprintable(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control && scalar != "\n" && scalar != "\r" && scalar != "\t"
    }
}

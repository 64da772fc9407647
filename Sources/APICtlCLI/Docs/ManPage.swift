import APICtlCore
import FoundationEssentials

/// apictl(1) in roff, from the command tree: `apictl __man > docs/apictl.1`.
enum ManPage {
    static func render() -> String {
        header() + commands() + ".SH GLOBAL OPTIONS\n" + GlobalOptions.specs.map(option).joined() + fixedSections() + trailer()
    }

    private static func header() -> String {
        """
        .TH APICTL 1 "" "apictl \(APICtlVersion.current)" "User Commands"
        .SH NAME
        apictl \\- \(escape(App.commandTree.summary))
        .SH SYNOPSIS
        .B apictl
        \\fICOMMAND\\fR [\\fIOPTIONS\\fR]
        .SH DESCRIPTION
        \(escape(App.commandTree.discussion ?? ""))

        """
    }

    /// Each command that runs (a leaf of the tree): usage, summary, discussion, arguments, options.
    private static func commands() -> String {
        var out = ".SH COMMANDS\n"
        for (path, spec) in leaves(App.commandTree, path: []) {
            out += ".SS \"\(escape(HelpFormatter.usageLine(spec, path: path)))\"\n\(escape(spec.summary)).\n"
            // Kept line by line: discussions hold aligned lines (completion's shells) that roff would run together.
            if let discussion = spec.discussion { out += ".PP\n.nf\n\(escape(discussion))\n.fi\n" }
            for argument in spec.arguments { out += ".TP\n\\fI\(escape(argument.name))\\fR\n\(escape(argument.help))\n" }
            for each in spec.options { out += option(each) }
        }
        return out
    }

    /// ENVIRONMENT, CONFIGURATION and FILES: the same for every build.
    private static func fixedSections() -> String {
        """
        .SH ENVIRONMENT
        .TP
        .B APICTL_TOKEN
        Token for the request; overrides the profile's token_env and the store. Never stored.
        .TP
        .B APICTL_PROFILE, APICTL_ENV, APICTL_ACCOUNT, APICTL_CONFIG
        As \\-\\-profile, \\-\\-env, \\-\\-account and \\-\\-config.
        .TP
        .B APICTL_CREDENTIAL_STORE
        auto, keyring or file; overrides credential_store in the config.
        .TP
        .B APICTL_PASSPHRASE, APICTL_PASSPHRASE_FILE
        Passphrase of the encrypted credential file.
        .TP
        .B APICTL_PASSPHRASE_CACHE, APICTL_KEYRING_CACHE
        How long the file's derived key, and copies of keyring items, stay in the kernel
        keyring (15m by default; 0 turns each off); override passphrase_cache and keyring_cache.
        .TP
        .B NO_COLOR
        Turns colour off.
        .TP
        .B APICTL_PAGER, PAGER
        The pager for request output on a terminal (default less \\-FRX); cat or empty turns it off.
        .TP
        .B http_proxy, https_proxy, HTTPS_PROXY, all_proxy, ALL_PROXY, no_proxy, NO_PROXY
        Proxies, read as curl reads them, when the profile has no proxy of its own; a credential never goes
        over plain http through a proxy. A proxy that answers 407 gets the login stored by login \\-\\-proxy.
        .TP
        .B BROWSER
        The browser login \\-\\-web opens (else xdg\\-open with a display).

        """ + configurationAndFiles()
    }

    private static func configurationAndFiles() -> String {
        """
        .SH CONFIGURATION
        The config file holds no secret. Per profile (\\fB[profiles.NAME]\\fR): auth (token, bearer, basic,
        oauth2, header:NAME, query:NAME), base_url (with {var} placeholders), vars, token_env, whoami,
        whoami_key_id, whoami_identity, default_env, headers, ca_cert, client_cert, client_key, client_key_passphrase_env
        (a client certificate for mutual TLS, checked before sending; credentials import\\-key keeps the key in the store), proxy,
        token_command, token_command_timeout, token_command_cache, idempotency_header, openapi, openapi_max_age;
        tables environments.ENV (base_url, token_env, key_prefix, confirm, client_cert, client_key, client_key_passphrase_env, proxy), pagination,
        oauth (OAuth 2.0; client_auth tls_client_auth or self_signed_tls_client_auth authenticates by the certificate,
        RFC 8705, and a token bound to it is sent with no other), tokens (key management), pair (access and refresh token pairs), ci (CI identity).
        Top level: default_profile, credential_store, passphrase_cache, keyring_cache, audit (false turns the audit record off).
        See configuration.md in the documentation for every key.
        .SH FILES
        .TP
        .I $XDG_CONFIG_HOME/apictl/config.toml
        Profiles. Holds no secrets.
        .TP
        .I $XDG_DATA_HOME/apictl/credentials.enc
        The encrypted credential file (AES\\-256\\-GCM, scrypt), mode 0600, in a 0700 folder.
        .TP
        .I $XDG_DATA_HOME/apictl/locks/, $XDG_DATA_HOME/apictl/rotations/
        Refresh and rotation locks, and rotation journals (no secret in them).
        .TP
        .I $XDG_CACHE_HOME/apictl/openapi/PROFILE/
        The index of a profile's OpenAPI description that api sync writes (catalog.tsv,
        operations.jsonl), read by completion, api list, api show and the checks before a request.
        .TP
        .I .apictl.toml
        In the working directory or a parent (up to $HOME, or / outside it): profile, env and account chosen for
        the project when no flag or variable chooses; any other key is refused (exit 3).
        .TP
        .I $XDG_STATE_HOME/apictl/audit.jsonl
        One line per request sent with a stored or commanded credential (the key named by a short
        hash, never itself), mode 0600; rotated at 8 MiB to audit.jsonl.1. apictl audit reads it.
        .TP
        .I $XDG_STATE_HOME/apictl/accounts.json
        Each profile's active account (account use), and the labels and identities of its logins.
        .TP
        .I PREFIX/lib/apictl/apictl\\-openapi
        The description parser api sync runs (beside apictl in a build).
        .SH EXIT STATUS

        """
    }

    /// EXIT STATUS from ExitCode, the examples of every command, SEE ALSO.
    private static func trailer() -> String {
        var out = ""
        for code in ExitCode.allCases {
            out += ".TP\n.B \(code.rawValue)\n\(exitMeaning(code))\n"
        }
        out += ".SH EXAMPLES\n"
        for (_, spec) in leaves(App.commandTree, path: []) {
            for example in spec.examples { out += ".nf\n\(escape(example))\n.fi\n" }
        }
        out += ".SH SEE ALSO\ncurl(1), secret\\-tool(1)\n"
        return out
    }

    static func leaves(_ spec: CommandSpec, path: [String]) -> [([String], CommandSpec)] {
        if !spec.hasSubcommands { return [(path, spec)] }
        return spec.subcommands.flatMap { leaves($0, path: path + [$0.name]) }
    }

    static func option(_ option: OptionSpec) -> String {
        var head = option.short.map { "\\fB\\-\($0)\\fR, " } ?? ""
        head += "\\fB\\-\\-\(escape(option.long))\\fR"
        if let value = option.valueName { head += " \\fI\(escape(value))\\fR" }
        return ".TP\n\(head)\n\(escape(HelpFormatter.optionRow(option).1))\n"
    }

    static func exitMeaning(_ code: ExitCode) -> String {
        switch code {
        case .success: return "Success."
        case .httpError: return "Another HTTP error (4xx not listed below)."
        case .usage: return "Usage error, or no at a confirmation (nothing was done)."
        case .configuration: return "Configuration error (unknown profile, bad config)."
        case .authentication: return "Authentication: no credential, 401, expired token."
        case .permission: return "Permission: 403 or a missing scope."
        case .rateLimited: return "Rate limited (429) after retries."
        case .serverError: return "Server error (5xx) after retries."
        case .network: return "Network, TLS or timeout."
        case .credentialStore: return "Credential store: locked, unavailable, wrong passphrase, corrupt."
        case .outputFailed: return "The output could not be written (stdout or \\-o FILE: disk full, closed pipe, no permission)."
        case .filterFailed: return "A \\-\\-jq filter failed at run time, or the body it was given is not JSON."
        case .interrupted: return "Interrupted."
        }
    }

    static func escape(_ text: String) -> String {
        text.replacingAll("\\", with: "\\e").replacingAll("-", with: "\\-")
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") || $0.hasPrefix("'") ? "\\&" + $0 : String($0) }.joined(separator: "\n")
    }
}

import APICtlCore
import FoundationEssentials
import Glibc

/// Reads secrets from the controlling terminal with echo off, as ssh and gpg
/// do, so a prompt works even when stdin is a pipe. No terminal: an error, at once.
enum TerminalInput {
    static func readSecret(prompt: String) -> String? {
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { return nil }
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        silent.c_lflag |= tcflag_t(ECHONL)
        // Echo goes off before the prompt shows: a secret typed (or pasted) the moment the
        // prompt appears is never echoed, nor thrown away by the switch.
        tcsetattr(fd, TCSAFLUSH, &silent)
        defer { tcsetattr(fd, TCSAFLUSH, &saved) }
        _ = prompt.withCString { Glibc.write(fd, $0, strlen($0)) }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while Glibc.read(fd, &byte, 1) == 1 {
            if byte == 0x0A || byte == 0x0D { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A yes/no question on the terminal; nil when there is no terminal to ask on.
    static func confirm(_ question: String) -> Bool? {
        guard let answer = readLine(prompt: question + " [y/N] ")?.trimmingWhitespace().lowercased() else { return nil }
        return answer == "y" || answer == "yes"
    }

    /// Every confirmation ends the same way: "no" is exit 2 with what was not done, as is
    /// a confirmation with no terminal to ask on (`withoutTerminal` says which flag skips it).
    static func requireConfirmation(_ question: String, declined: String, withoutTerminal: APICtlError,
                                    stdinIsTerminal: Bool) throws(APICtlError) {
        guard stdinIsTerminal, let yes = confirm(question) else { throw withoutTerminal }
        guard yes else { throw .usage("not confirmed; \(declined)") }
    }

    /// One line typed on the terminal, echoed (a user name); nil when there is no terminal.
    static func readLine(prompt: String) -> String? {
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        _ = prompt.withCString { Glibc.write(fd, $0, strlen($0)) }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while Glibc.read(fd, &byte, 1) == 1, byte != 0x0A, byte != 0x0D { bytes.append(byte) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The passphrase of the encrypted credential file: `APICTL_PASSPHRASE`,
    /// `APICTL_PASSPHRASE_FILE`, or a no-echo prompt on the terminal.
    /// A new file's passphrase is typed twice; a wrong one may be typed again (the file store
    /// asks up to three times). One from the environment is given once: it cannot change.
    static func passphrase(environment: [String: String]) -> PassphraseSource {
        return { (use: PassphraseUse) throws(APICtlError) -> [UInt8]? in
            if let value = environment["APICTL_PASSPHRASE"], !value.isEmpty { return use == .retry ? nil : Array(value.utf8) }
            if let file = environment["APICTL_PASSPHRASE_FILE"], !file.isEmpty {
                guard use != .retry else { return nil }
                guard var data = FileBytes.contents(of: file) else {
                    throw .store("cannot read APICTL_PASSPHRASE_FILE \(file)")
                }
                while let last = data.last, last == 0x0A || last == 0x0D { data.removeLast() }
                return data
            }
            let noTerminal = APICtlError.store("the encrypted credential file needs a passphrase and there is no terminal to ask on",
                                               hint: "set APICTL_PASSPHRASE or APICTL_PASSPHRASE_FILE")
            switch use {
            case .open, .retry:
                let prompt = use == .retry ? "Wrong passphrase; try again: " : "Passphrase for apictl's encrypted credential file: "
                guard let typed = readSecret(prompt: prompt) else { throw noTerminal }
                return Array(typed.utf8)
            case .create:
                return try newPassphrase(noTerminal: noTerminal)
            }
        }
    }

    /// Whether the encrypted file can be opened without a prompt: a passphrase in the
    /// environment or a file, or its derived key cached in the kernel keyring.
    static func passphraseAtHand(environment: [String: String], file: EncryptedFileStore) -> Bool {
        !(environment["APICTL_PASSPHRASE"] ?? "").isEmpty || !(environment["APICTL_PASSPHRASE_FILE"] ?? "").isEmpty
            || file.cache?.isHeld == true
    }

    /// A new passphrase, typed twice until both agree (three tries).
    static func newPassphrase(noTerminal: APICtlError) throws(APICtlError) -> [UInt8] {
        for _ in 0..<3 {
            guard let first = readSecret(prompt: "New passphrase for apictl's encrypted credential file: "),
                  let second = readSecret(prompt: "The same passphrase again: ") else { throw noTerminal }
            if first.isEmpty { writeToTerminal("The passphrase may not be empty.\n"); continue }
            if first == second { return Array(first.utf8) }
            writeToTerminal("The two passphrases differ; once more.\n")
        }
        throw .store("no new passphrase was confirmed; nothing was stored", hint: "type the same passphrase twice")
    }

    private static func writeToTerminal(_ text: String) {
        let fd = open("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = text.withCString { Glibc.write(fd, $0, strlen($0)) }
        close(fd)
    }
}

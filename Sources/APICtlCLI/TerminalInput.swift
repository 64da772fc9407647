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
        _ = prompt.withCString { Glibc.write(fd, $0, strlen($0)) }
        tcsetattr(fd, TCSAFLUSH, &silent)
        defer { tcsetattr(fd, TCSAFLUSH, &saved) }
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
    static func passphrase(environment: [String: String]) -> @Sendable () throws(APICtlError) -> [UInt8] {
        return { () throws(APICtlError) -> [UInt8] in
            if let value = environment["APICTL_PASSPHRASE"], !value.isEmpty { return Array(value.utf8) }
            if let file = environment["APICTL_PASSPHRASE_FILE"], !file.isEmpty {
                guard var data = FileBytes.contents(of: file) else {
                    throw .store("cannot read APICTL_PASSPHRASE_FILE \(file)")
                }
                while let last = data.last, last == 0x0A || last == 0x0D { data.removeLast() }
                return data
            }
            guard let typed = readSecret(prompt: "Passphrase for apictl's encrypted credential file: ") else {
                throw .store("the encrypted credential file needs a passphrase and there is no terminal to ask on",
                             hint: "set APICTL_PASSPHRASE or APICTL_PASSPHRASE_FILE")
            }
            return Array(typed.utf8)
        }
    }
}

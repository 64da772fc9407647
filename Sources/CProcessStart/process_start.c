/*
 * The Swift runtime asks `_swift_stdlib_getUnsafeArgvArgc` for argv when
 * `CommandLine.arguments` is first used. On Linux its own definition sits in an
 * object with a static constructor that opens /proc/self/maps and parses every
 * line of it, in every process, to find the stack and walk back from `environ`.
 * With libcurl's dozens of libraries mapped, that is one of the larger single
 * costs of apictl's start-up.
 *
 * glibc already hands argc and argv to every `.init_array` function, so we keep
 * them from there and define the hook ourselves. The static linker then has no
 * reason to pull the runtime's object in, and its constructor never runs. If it
 * were pulled in anyway the link would fail on the duplicate symbol, not
 * misbehave.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>

static int captured_argc;
static char **captured_argv;

/*
 * No core file may hold a token or a passphrase: apictl makes itself
 * non-dumpable (which also keeps other processes of the same user from
 * ptrace-attaching to it) and sets its core limit to zero before any Swift code
 * runs. Two system calls, about a microsecond (docs/development.md).
 */
static void refuse_core_dumps(void) {
    struct rlimit none = { 0, 0 };
    (void)setrlimit(RLIMIT_CORE, &none);
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/*
 * A standard stream started closed (`apictl ... >&-`) would be the next file
 * apictl opens, and the body would land in the config file or a socket. Each
 * closed one gets /dev/null opened read-only in its place: nothing else takes
 * the number, and a write to it fails (EBADF), which apictl reports (exit 10)
 * instead of claiming success.
 */
static void hold_closed_standard_streams(void) {
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) == -1) (void)open("/dev/null", O_RDONLY);
    }
}

/*
 * The Swift runtime's crash backtracer runs a `swift-backtrace` helper found
 * beside the executable as argv[0] names it: run by name from $PATH, that is
 * the current directory, so a `./swift-backtrace` in a cloned repository would
 * run on any crash. apictl turns the backtracer off, unless the user asked for
 * it, before the runtime's own initialiser reads SWIFT_BACKTRACE: a constructor
 * with a priority runs before every one without (the runtime's among them), and
 * after libc's, whose environment setenv changes (a .preinit_array entry would
 * run before libc set `environ` up, and its change would be lost).
 */
__attribute__((constructor(101)))
static void refuse_backtracer(void) {
    (void)setenv("SWIFT_BACKTRACE", "enable=no", 0);
}

static void capture_arguments(int argc, char **argv, char **envp) {
    (void)envp;
    captured_argc = argc;
    captured_argv = argv;
    refuse_core_dumps();
    hold_closed_standard_streams();
}

__attribute__((used, section(".init_array")))
static void (*const capture_arguments_entry)(int, char **, char **) = capture_arguments;

__attribute__((swiftcall, visibility("default")))
char **_swift_stdlib_getUnsafeArgvArgc(int *outArgLen) {
    static char *no_arguments[] = { NULL };
    if (captured_argv == NULL) {
        *outArgLen = 0;
        return no_arguments;
    }
    *outArgLen = captured_argc;
    return captured_argv;
}

// Our code around the vendored jq (jq/, upstream files unmodified). See include/CJQ.h.
//
// Hermetic compile: jq_compile (linker.c, load_program) always adds an optional
// `import "" as ...` of $HOME/.jq, found through get_home() (util.c). The link replaces
// that call with __wrap_get_home below (linker flag --wrap=get_home), which says there is
// no home directory, so jq skips it silently. Any `import`/`include` written in the filter
// is refused after parsing it with jq's own parser (jq_parse, block_take_imports), before
// jq_compile would search the disk for it.
//
// Out of memory: jq's allocator (jv_alloc.c) calls the thread's nomem handler before it
// aborts; ours longjmps back to the API call that was running, which then fails with
// CJQ_OUT_OF_MEMORY. jq's state is then inconsistent and is leaked, never used again.
// Since that leaked state may hold all the memory there is, the handler first frees a
// 1 MiB reserve (allocated, never touched) so that the caller can still report the error.
//
// Definitions other jq implementations have and users copy (gojq's `toarray`, `@base32`,
// `@base32d`) are bound into every filter before jq's own builtins: builtins_bind is
// wrapped (linker flag --wrap=builtins_bind) to bind PRELUDE first. The filter's own text
// is untouched, so error positions and $__loc__ stay the user's.
//
// jq also calls abort() itself: failed assert()s, and its execution stack growing past
// INT_MAX bytes (exec_stack.h, e.g. `def f: 1 + f; f`) without asking the nomem handler.
// While jq runs, SIGABRT's handler writes one line and ends the process with
// _exit(CJQ_ABORT_EXIT_CODE); the previous handler is put back afterwards.
#include "CJQ.h"

#include "jq.h"
#include "jv.h"
#include "compile.h"
#include "jq_parser.h"
#include "locfile.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

// ---- ~/.jq ---------------------------------------------------------------------------

// Called instead of get_home() by linker.c's load_program (and util.c's expand_path is
// only reached through module search paths, which are refused). Never reads $HOME.
jv __wrap_get_home(void);
jv __wrap_get_home(void) {
    return jv_invalid_with_msg(jv_string("no home directory (hermetic)"));
}

// Referencing __real_get_home makes the link fail ("undefined reference to
// `__real_get_home'") when --wrap=get_home is missing, instead of silently reading ~/.jq.
jv __real_get_home(void);
static jv (*volatile const cjq_requires_wrap_get_home)(void) = __real_get_home;

// ---- definitions jq lacks ------------------------------------------------------------

// In jq's language. A format (`@base32`) is a call of format/1, so format/1 is redefined to
// know two more and hand every other to jq's own (_cjq_format, bound to the builtin, since a
// definition sees only those before it). Bytes are arrays of 0..255; a string becomes its
// UTF-8 bytes by hand, and bytes become a string through @base64d, which repairs bad UTF-8.
// Linear: bytes go in fixed chunks (5 for base32, 3 for base64), each chunk one number.
// @base32d is as strict as RFC 4648 (and Python's b32decode): the alphabet in upper case,
// whole 8-character groups, padding only at the end and only as long as a group allows.
static const char PRELUDE[] =
    "def toarray: if type == \"array\" then . else [.] end;"
    "def _cjq_format($f): format($f);"
    "def _cjq_utf8: [explode[] | if . < 128 then . elif . < 2048 then 192 + (. / 64 | floor), 128 + . % 64"
    " elif . < 65536 then 224 + (. / 4096 | floor), 128 + (. / 64 | floor) % 64, 128 + . % 64"
    " else 240 + (. / 262144 | floor), 128 + (. / 4096 | floor) % 64, 128 + (. / 64 | floor) % 64, 128 + . % 64 end];"
    "def _cjq_chunks($size): . as $all | [range(0; length; $size) as $i | $all[$i:$i + $size]];"
    "def _cjq_number($base): reduce .[] as $d (0; . * $base + $d);"
    "def _cjq_digits($count; $base): . as $v | [range($count - 1; -1; -1) as $j | ($v / pow($base; $j) | floor) % $base];"
    "def _cjq_string_of_bytes: _cjq_chunks(3)"
    " | map(length as $k | (. + [0, 0])[:3] | _cjq_number(256) | _cjq_digits(4; 64)[:$k + 1]"
    " | map(\"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/\"[.:. + 1]) | add"
    " + \"==\"[:3 - $k])"
    " | add // \"\" | @base64d;"
    "def _cjq_base32: tostring | _cjq_utf8 | _cjq_chunks(5)"
    " | map(length as $k | (. + [0, 0, 0, 0])[:5] | _cjq_number(256) | _cjq_digits(8; 32)[:[2, 4, 5, 7, 8][$k - 1]]"
    " | map(\"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567\"[.:. + 1]) | add"
    " | . + \"======\"[:8 - length])"
    " | add // \"\";"
    "def _cjq_base32d: tostring as $in"
    " | def bad: error(\"string (\\($in | tojson)) is not valid base32 data\");"
    " ($in | explode) as $c | ($c | length) as $n | ([$c[] | select(. == 61)] | length) as $pads"
    " | if $n % 8 != 0 or ([0, 1, 3, 4, 6] | index($pads) | not) or ($c[$n - $pads:] | any(. != 61))"
    " or ($c[:$n - $pads] | any((. >= 65 and . <= 90) or (. >= 50 and . <= 55) | not)) then bad else $c end"
    " | _cjq_chunks(8)"
    " | map((map(select(. != 61)) | length) as $m"
    " | map(if . == 61 then 0 elif . <= 55 then . - 24 else . - 65 end) | _cjq_number(32)"
    " | _cjq_digits(5; 256)[:{\"2\": 1, \"4\": 2, \"5\": 3, \"7\": 4, \"8\": 5}[\"\\($m)\"]])"
    " | add // [] | _cjq_string_of_bytes;"
    "def format($f): if $f == \"base32\" then _cjq_base32 elif $f == \"base32d\" then _cjq_base32d else _cjq_format($f) end;";

int __real_builtins_bind(jq_state *jq, block *bb);
int __wrap_builtins_bind(jq_state *jq, block *bb);
int __wrap_builtins_bind(jq_state *jq, block *bb) {
    struct locfile *source = locfile_init(jq, "<apictl>", PRELUDE, sizeof PRELUDE - 1);
    block prelude;
    int nerrors = jq_parse_library(source, &prelude);
    locfile_free(source);
    if (nerrors) return nerrors;
    *bb = block_bind_referenced(prelude, *bb, OP_IS_CALL_PSEUDO);
    return __real_builtins_bind(jq, bb);
}

// ---- out of memory -----------------------------------------------------------------

// initial-exec: no __tls_get_addr call (and no dependency on ld.so's symbol) in an executable.
static _Thread_local jmp_buf *cjq_oom_jump __attribute__((tls_model("initial-exec")));

enum { RESERVE_SIZE = 1 << 20 };
static void *cjq_reserve;   // one per process; freed when memory runs out, for the caller's error path

static void cjq_on_nomem(void *unused) {
    (void)unused;
    jmp_buf *jump = cjq_oom_jump;
    if (jump) {
        cjq_oom_jump = NULL;
        free(cjq_reserve);
        cjq_reserve = NULL;
        longjmp(*jump, 1);
    }
    // Not inside a cjq call (jq allocates nothing then): jq prints its message and aborts.
}

// ---- ending the process from inside jq ---------------------------------------------

// What to put right before the process ends from a watchdog or an abort: the terminal back
// on standard output (so a pager reading it sees the end of its input) and the pager waited
// for, so it is not left running without apictl. Only async-signal-safe calls.
static volatile sig_atomic_t last_terminal_fd = -1;
static volatile sig_atomic_t last_pager_pid = 0;

void cjq_before_exit(int terminal_fd, int pager_pid) {
    last_terminal_fd = terminal_fd;
    last_pager_pid = pager_pid;
}

static void end_process(const char *message, size_t length, int code) {
    if (last_terminal_fd >= 0) (void)dup2(last_terminal_fd, STDOUT_FILENO);
    if (last_pager_pid > 0) { while (waitpid((pid_t)last_pager_pid, NULL, 0) < 0 && errno == EINTR) {} }
    ssize_t unused = write(STDERR_FILENO, message, length);
    (void)unused;
    _exit(code);
}

// jq's own diagnostics (an assert's file and line, "cannot allocate memory") go to stdio's
// stderr: while jq runs, that is /dev/null, so what the user reads is apictl's one line.
static FILE *quiet_stderr;

static FILE *silence_stderr(void) {
    FILE *previous = stderr;
    if (!quiet_stderr) quiet_stderr = fopen("/dev/null", "w");
    if (quiet_stderr) stderr = quiet_stderr;
    return previous;
}

// ---- abort() -----------------------------------------------------------------------

static FILE *guarded_stderr;   // stdio's stderr while the guard is on

static void cjq_on_abort(int signal_number) {
    (void)signal_number;
    static const char message[] = "apictl: --jq: jq stopped (an internal error, or its stack outgrew 2 GiB)\n";
    end_process(message, sizeof message - 1, CJQ_ABORT_EXIT_CODE);
}

static void abort_guard_on(struct sigaction *previous) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = cjq_on_abort;
    sigemptyset(&action.sa_mask);
    sigaction(SIGABRT, &action, previous);
    guarded_stderr = silence_stderr();
}

static void abort_guard_off(const struct sigaction *previous) {
    sigaction(SIGABRT, previous, NULL);
    if (guarded_stderr) { stderr = guarded_stderr; guarded_stderr = NULL; }
}

// ---- handle ------------------------------------------------------------------------

struct cjq {
    jq_state *state;
    char *const *environment;   // what $ENV and env see while jq runs
    int broken;           // an allocation failed inside jq: the state must not be touched
    char message[1024];   // the first message jq's error callback gave
};

static void message_text(jv message, char *out, size_t size) {
    if (size == 0) { jv_free(message); return; }
    out[0] = 0;
    if (jv_get_kind(message) != JV_KIND_STRING) message = jv_dump_string(message, 0);
    if (jv_get_kind(message) == JV_KIND_STRING) snprintf(out, size, "%s", jv_string_value(message));
    jv_free(message);
}

static void on_error(void *data, jv message) {
    cjq *jq = data;
    if (jq->message[0] == 0) message_text(message, jq->message, sizeof jq->message);
    else jv_free(message);
}

// 1 (with the message in ERROR) when FILTER does not parse, or has an `import`/`include`;
// 0 when jq_compile may go on. Only parses: reads nothing from disk.
static int refuse_imports(cjq *jq, const char *filter, int length, char *error, size_t error_size) {
    struct locfile *source = locfile_init(jq->state, "<top-level>", filter, length);
    block program;
    int nerrors = jq_parse(source, &program);
    int refused = 0;
    if (nerrors == 0) {
        jv imports = block_take_imports(&program);   // every `import`/`include`, in order
        if (jv_array_length(jv_copy(imports)) > 0) {
            jv first = jv_array_get(jv_copy(imports), 0);
            jv path = jv_object_get(jv_copy(first), jv_string("relpath"));
            int is_data = jv_get_kind(jv_object_get(jv_copy(first), jv_string("is_data"))) == JV_KIND_TRUE;
            jv as = jv_object_get(first, jv_string("as"));
            const char *kind = jv_get_kind(as) == JV_KIND_STRING ? (is_data ? "import (data)" : "import") : "include";
            snprintf(error, error_size, "jq: error: %s \"%s\" is not allowed: filters cannot load modules or files",
                     kind, jv_get_kind(path) == JV_KIND_STRING ? jv_string_value(path) : "?");
            jv_free(path);
            jv_free(as);
            refused = 1;
        }
        jv_free(imports);
        block_free(program);
    } else {
        snprintf(error, error_size, "%s", jq->message[0] ? jq->message : "the filter does not compile");
        refused = 1;
    }
    locfile_free(source);
    return refused;
}

// jq reads `environ` for $ENV (at compile time) and `env` (at run time): while it works, that is
// the environment apictl hands it, without the secrets a child process would not get either.
extern char **environ;

static char **swap_environment(char *const *environment) {
    char **previous = environ;
    if (environment) environ = (char **)environment;
    return previous;
}

cjq *cjq_compile(const char *filter, size_t length, char *const *environment, char *error, size_t error_size) {
    error[0] = 0;
    if (length > INT_MAX / 2) { snprintf(error, error_size, "the filter is too long"); return NULL; }
    if (memchr(filter, 0, length)) { snprintf(error, error_size, "the filter contains a NUL byte"); return NULL; }
    (void)cjq_requires_wrap_get_home;   // keeps the reference (see above)

    cjq *jq = calloc(1, sizeof *jq);
    if (!jq) { snprintf(error, error_size, "out of memory"); return NULL; }
    jq->environment = environment;
    if (!cjq_reserve) cjq_reserve = malloc(RESERVE_SIZE);   // untouched: address space only
    char *text = malloc(length + 1);    // jq_compile wants a NUL-terminated string
    if (!text) { free(jq); snprintf(error, error_size, "out of memory"); return NULL; }
    memcpy(text, filter, length);
    text[length] = 0;

    struct sigaction previous_abort;
    abort_guard_on(&previous_abort);
    char **previous_environment = swap_environment(environment);
    jmp_buf jump;
    if (setjmp(jump)) {                 // an allocation failed inside jq
        environ = previous_environment;
        abort_guard_off(&previous_abort);
        jq->broken = 1;
        snprintf(error, error_size, "out of memory");
        free(text);
        return NULL;                    // jq->state and jq are leaked on purpose
    }
    cjq_oom_jump = &jump;

    jq->state = jq_init();
    if (!jq->state) {
        cjq_oom_jump = NULL;
        environ = previous_environment;
        abort_guard_off(&previous_abort);
        free(text);
        free(jq);
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    jq_set_nomem_handler(jq->state, cjq_on_nomem, NULL);   // re-armed by jq at every compile/start/next
    jq_set_error_cb(jq->state, on_error, jq);
    // No module search path either (modulemeta, get_search_list).
    jq_set_attr(jq->state, jv_string("JQ_LIBRARY_PATH"), jv_array());

    int ok = !refuse_imports(jq, text, (int)length, error, error_size);
    if (ok) {
        jq->message[0] = 0;
        ok = jq_compile(jq->state, text);
        if (!ok) snprintf(error, error_size, "%s", jq->message[0] ? jq->message : "the filter does not compile");
    }
    cjq_oom_jump = NULL;
    environ = previous_environment;
    abort_guard_off(&previous_abort);
    free(text);
    if (!ok) { cjq_free(jq); return NULL; }
    return jq;
}

int cjq_run(cjq *jq, const char *json, size_t length, int pretty, cjq_emit emit, void *context,
            char *error, size_t error_size) {
    error[0] = 0;
    if (jq->broken) { snprintf(error, error_size, "out of memory"); return CJQ_OUT_OF_MEMORY; }
    if (length > INT_MAX) { snprintf(error, error_size, "the JSON is larger than jq can read (2 GiB)"); return CJQ_ERROR; }

    struct sigaction previous_abort;
    abort_guard_on(&previous_abort);
    char **previous_environment = swap_environment(jq->environment);
    jmp_buf jump;
    if (setjmp(jump)) {
        environ = previous_environment;
        abort_guard_off(&previous_abort);
        jq->broken = 1;
        snprintf(error, error_size, "out of memory");
        return CJQ_OUT_OF_MEMORY;
    }
    cjq_oom_jump = &jump;
    jv_nomem_handler(cjq_on_nomem, NULL);   // jv_parse_sized runs outside jq_state's calls

    int status = CJQ_OK;
    jv input = jv_parse_sized(json, (int)length);
    if (!jv_is_valid(input)) {
        if (jv_invalid_has_msg(jv_copy(input))) message_text(jv_invalid_get_msg(input), error, error_size);
        else jv_free(input);
        if (!error[0]) snprintf(error, error_size, "the body is not JSON");
        cjq_oom_jump = NULL;
        environ = previous_environment;
        abort_guard_off(&previous_abort);
        return CJQ_ERROR;
    }
    jq->message[0] = 0;
    jq_start(jq->state, input, 0);
    int flags = pretty ? JV_PRINT_INDENT_FLAGS(2) : 0;
    for (;;) {
        jv result = jq_next(jq->state);
        if (!jv_is_valid(result)) {
            if (jv_invalid_has_msg(jv_copy(result))) {
                message_text(jv_invalid_get_msg(result), error, error_size);
                status = CJQ_ERROR;
            } else {
                jv_free(result);
                if (jq_halted(jq->state)) {
                    // `halt` (no message) ends quietly; `halt_error` is an error with its text.
                    jv message = jq_get_error_message(jq->state);
                    jv code = jq_get_exit_code(jq->state);
                    if (jv_is_valid(message) || jv_is_valid(code)) {
                        if (jv_is_valid(message)) message_text(message, error, error_size);
                        else jv_free(message);
                        if (!error[0]) snprintf(error, error_size, "halted");
                        status = CJQ_ERROR;
                    } else jv_free(message);
                    jv_free(code);
                } else if (jq->message[0]) {
                    snprintf(error, error_size, "%s", jq->message);
                    status = CJQ_ERROR;
                }
            }
            break;
        }
        int stop;
        if (jv_get_kind(result) == JV_KIND_STRING) {
            stop = emit(jv_string_value(result), (size_t)jv_string_length_bytes(jv_copy(result)), 1, context);
            jv_free(result);
        } else {
            jv text = jv_dump_string(result, flags);
            stop = emit(jv_string_value(text), (size_t)jv_string_length_bytes(jv_copy(text)), 0, context);
            jv_free(text);
        }
        if (stop) break;   // nothing reads the results: `repeat(1)` would otherwise run for ever
    }
    cjq_oom_jump = NULL;
    environ = previous_environment;
    abort_guard_off(&previous_abort);
    return status;
}

void cjq_free(cjq *jq) {
    if (!jq) return;
    if (jq->state && !jq->broken) {
        struct sigaction previous_abort;
        abort_guard_on(&previous_abort);
        jq_teardown(&jq->state);
        abort_guard_off(&previous_abort);
    }
    free(jq);
}

const char *cjq_version(void) { return "1.8.2"; }

// ---- watchdog ------------------------------------------------------------------------

struct watchdog {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int cancelled;
    struct timespec deadline;   // CLOCK_MONOTONIC
    int exit_code;
    size_t length;
    char message[];
};

static pthread_mutex_t watchdog_lock = PTHREAD_MUTEX_INITIALIZER;
static struct watchdog *watchdog_current;

static void *watchdog_main(void *data) {
    struct watchdog *w = data;
    pthread_mutex_lock(&w->lock);
    while (!w->cancelled) {
        int rc = pthread_cond_timedwait(&w->wake, &w->lock, &w->deadline);
        if (rc == ETIMEDOUT && !w->cancelled) {
            // Only async-signal-safe calls: the other threads may hold stdio or malloc locks.
            end_process(w->message, w->length, w->exit_code);
        }
    }
    pthread_mutex_unlock(&w->lock);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
    return NULL;
}

int cjq_watchdog_start(double seconds, const char *message, int exit_code) {
    size_t length = strlen(message);
    struct watchdog *w = calloc(1, sizeof *w + length + 1);
    if (!w) return ENOMEM;
    memcpy(w->message, message, length);
    w->message[length] = '\n';
    w->length = length + 1;
    w->exit_code = exit_code;
    clock_gettime(CLOCK_MONOTONIC, &w->deadline);
    if (!(seconds >= 0)) seconds = 0;
    if (seconds > 1e9) seconds = 1e9;   // about 31 years; more would overflow the deadline
    time_t whole = (time_t)seconds;
    long nanos = (long)((seconds - (double)whole) * 1e9);
    w->deadline.tv_sec += whole;
    w->deadline.tv_nsec += nanos;
    if (w->deadline.tv_nsec >= 1000000000L) { w->deadline.tv_sec++; w->deadline.tv_nsec -= 1000000000L; }

    pthread_condattr_t attributes;
    pthread_condattr_init(&attributes);
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
    pthread_cond_init(&w->wake, &attributes);
    pthread_condattr_destroy(&attributes);
    pthread_mutex_init(&w->lock, NULL);

    pthread_attr_t thread_attributes;
    pthread_attr_init(&thread_attributes);
    pthread_attr_setdetachstate(&thread_attributes, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&thread_attributes, 64 * 1024);
    pthread_t thread;
    pthread_mutex_lock(&watchdog_lock);
    int rc = watchdog_current ? EBUSY : pthread_create(&thread, &thread_attributes, watchdog_main, w);
    if (rc == 0) watchdog_current = w;
    pthread_mutex_unlock(&watchdog_lock);
    pthread_attr_destroy(&thread_attributes);
    if (rc != 0) {
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->lock);
        free(w);
    }
    return rc;
}

void cjq_watchdog_cancel(void) {
    pthread_mutex_lock(&watchdog_lock);
    struct watchdog *w = watchdog_current;
    watchdog_current = NULL;
    pthread_mutex_unlock(&watchdog_lock);
    if (!w) return;
    pthread_mutex_lock(&w->lock);
    w->cancelled = 1;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);   // the thread frees w
}

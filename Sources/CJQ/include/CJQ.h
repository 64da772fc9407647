// jq 1.8 (vendored under jq/, built into this target) behind a small API: only opaque
// pointers and byte buffers cross into Swift. All of our code is in cjq_shim.c.
#ifndef CJQ_H
#define CJQ_H

#include <stddef.h>

typedef struct cjq cjq;

/// Result of cjq_run.
enum {
    CJQ_OK = 0,
    CJQ_ERROR = -1,          // the input is not JSON, or the filter failed; message in ERROR
    CJQ_OUT_OF_MEMORY = -2,  // an allocation failed; the handle must not be used again (only cjq_free)
};

/// When jq itself calls abort() (a failed assert, or its stack outgrowing 2 GiB) during a
/// cjq call, the process writes one line to standard error and exits with this code
/// (apictl's "--jq filter failed") instead of dying by SIGABRT.
#define CJQ_ABORT_EXIT_CODE 11

/// Compiles FILTER (LENGTH bytes, UTF-8) hermetically: no file is read (~/.jq is never
/// loaded and `import`/`include` are refused before anything touches the disk).
/// ENVIRONMENT ("NAME=value" strings, NULL-terminated; kept, not copied, for the handle's
/// life) is what `$ENV` and `env` see instead of the process's own.
/// NULL on failure, with jq's first message in ERROR (size ERROR_SIZE).
cjq *cjq_compile(const char *filter, size_t length, char *const *environment, char *error, size_t error_size);

/// Called once per result: a string's raw bytes (IS_STRING 1), or the value as JSON text.
/// Returns nonzero to stop the filter there (nothing reads the output any more).
typedef int (*cjq_emit)(const char *bytes, size_t length, int is_string, void *context);

/// Runs the filter on one JSON document (LENGTH bytes). CJQ_OK when every result was
/// emitted (or EMIT asked to stop), else CJQ_ERROR / CJQ_OUT_OF_MEMORY with the message in ERROR.
/// PRETTY: JSON results indented by two spaces, else compact.
int cjq_run(cjq *jq, const char *json, size_t length, int pretty, cjq_emit emit, void *context,
            char *error, size_t error_size);

/// Frees the handle (after CJQ_OUT_OF_MEMORY only the handle itself: jq's state is leaked).
void cjq_free(cjq *jq);

/// Starts a watchdog thread: unless cjq_watchdog_cancel is called within SECONDS, it writes
/// MESSAGE (copied; a newline is added) to standard error and ends the process with
/// _exit(EXIT_CODE). 0 on success, else an errno value. One watchdog at a time.
int cjq_watchdog_start(double seconds, const char *message, int exit_code);
void cjq_watchdog_cancel(void);

/// Before a watchdog or an abort ends the process: put TERMINAL_FD back on standard output
/// (-1: leave it) and wait for PAGER_PID (0: none), so a pager is not left behind.
void cjq_before_exit(int terminal_fd, int pager_pid);

/// The jq version compiled in, e.g. "1.8.2".
const char *cjq_version(void);

#endif

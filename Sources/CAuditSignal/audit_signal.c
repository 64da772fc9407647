// The handler may only use async-signal-safe calls: open, write, close, sigaction, raise.
// Each pending line is one heap block, its length first, published with one atomic store,
// so the handler reads a whole line or none, and each line is taken (exchanged) once.
#include "CAuditSignal.h"
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define SLOTS 128

typedef struct { size_t length; char bytes[]; } pending_line;

static _Atomic(pending_line *) lines[SLOTS];
static atomic_int taken[SLOTS];
static char *record_path;
static struct sigaction previous[NSIG];
static const int handled[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static pthread_once_t installed = PTHREAD_ONCE_INIT;

static void write_pending_lines(void) {
    if (!record_path) return;
    for (int slot = 0; slot < SLOTS; slot++) {
        pending_line *line = atomic_exchange(&lines[slot], NULL);
        if (!line) continue;
        int fd = open(record_path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
        if (fd < 0) continue;
        // A record a full disk cut mid-line must not swallow this one: start a line of its own,
        // in the same write (fstat, pread and writev are async-signal-safe).
        struct stat info;
        char last = '\n';
        if (fstat(fd, &info) == 0 && info.st_size > 0 && pread(fd, &last, 1, info.st_size - 1) != 1) last = '\n';
        struct iovec parts[2] = {{(void *)"\n", 1}, {line->bytes, line->length}};
        ssize_t written = last == '\n' ? writev(fd, parts + 1, 1) : writev(fd, parts, 2);
        (void)written;
        close(fd);
        // Not freed: free is not async-signal-safe, and the process is ending.
    }
}

static void on_signal(int number) {
    write_pending_lines();
    struct sigaction before = previous[number];
    if (!(before.sa_flags & SA_SIGINFO) && before.sa_handler != SIG_DFL && before.sa_handler != SIG_IGN) {
        before.sa_handler(number);
    }
    struct sigaction fallback;
    memset(&fallback, 0, sizeof fallback);
    fallback.sa_handler = SIG_DFL;
    sigaction(number, &fallback, NULL);
    raise(number);
}

static void install(void) {
    for (size_t index = 0; index < sizeof handled / sizeof handled[0]; index++) {
        int number = handled[index];
        struct sigaction current;
        if (sigaction(number, NULL, &current) != 0 || current.sa_handler == SIG_IGN) continue;
        previous[number] = current;
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = on_signal;
        sigemptyset(&action.sa_mask);
        sigaction(number, &action, NULL);
    }
}

int apictl_audit_pending_put(const char *path, const char *bytes, size_t length) {
    if (!record_path) {
        char *copy = strdup(path);
        if (!copy) return -1;
        char *expected = NULL;
        if (!__atomic_compare_exchange_n(&record_path, &expected, copy, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) free(copy);
    }
    pthread_once(&installed, install);
    pending_line *line = malloc(sizeof(pending_line) + length);
    if (!line) return -1;
    line->length = length;
    memcpy(line->bytes, bytes, length);
    for (int slot = 0; slot < SLOTS; slot++) {
        int free_slot = 0;
        if (atomic_compare_exchange_strong(&taken[slot], &free_slot, 1)) {
            atomic_store(&lines[slot], line);
            return slot;
        }
    }
    free(line);
    return -1;
}

void apictl_audit_pending_clear(int slot) {
    if (slot < 0 || slot >= SLOTS) return;
    free(atomic_exchange(&lines[slot], NULL));
    atomic_store(&taken[slot], 0);
}

// See CLibJQ.h. jq's C API is declared here rather than taken from <jq.h>, so that
// building apictl needs no -dev package; the layout of jv is jq's (1.6 and 1.7).
#include "CLibJQ.h"
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    unsigned char kind_flags;
    unsigned char pad_;
    unsigned short offset;
    int size;
    union {
        void *ptr;
        double number;
    } u;
} jv;

enum { JV_KIND_INVALID = 0, JV_KIND_STRING = 5 };
enum { JV_PRINT_PRETTY = 1, JV_PRINT_SPACE1 = 512 };

typedef struct jq_state jq_state;
typedef void (*jq_msg_cb)(void *, jv);

static struct {
    int loaded;
    jq_state *(*init)(void);
    void (*set_error_cb)(jq_state *, jq_msg_cb, void *);
    int (*compile)(jq_state *, const char *);
    void (*start)(jq_state *, jv, int);
    jv (*next)(jq_state *);
    void (*teardown)(jq_state **);
    jv (*parse_sized)(const char *, int);
    int (*get_kind)(jv);
    const char *(*string_value)(jv);
    int (*string_length_bytes)(jv);
    jv (*dump_string)(jv, int);
    int (*invalid_has_msg)(jv);
    jv (*invalid_get_msg)(jv);
    jv (*copy)(jv);
    void (*free)(jv);
} lib;

const char *apictl_jq_load(void) {
    if (lib.loaded) return NULL;
    void *h = dlopen("libjq.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!h) return "libjq (libjq.so.1) is not installed; install the libjq1 package";
#define LOAD(field, symbol) if (!(*(void **)&lib.field = dlsym(h, symbol))) return "libjq lacks " symbol;
    LOAD(init, "jq_init")
    LOAD(set_error_cb, "jq_set_error_cb")
    LOAD(compile, "jq_compile")
    LOAD(start, "jq_start")
    LOAD(next, "jq_next")
    LOAD(teardown, "jq_teardown")
    LOAD(parse_sized, "jv_parse_sized")
    LOAD(get_kind, "jv_get_kind")
    LOAD(string_value, "jv_string_value")
    LOAD(string_length_bytes, "jv_string_length_bytes")
    LOAD(dump_string, "jv_dump_string")
    LOAD(invalid_has_msg, "jv_invalid_has_msg")
    LOAD(invalid_get_msg, "jv_invalid_get_msg")
    LOAD(copy, "jv_copy")
    LOAD(free, "jv_free")
#undef LOAD
    lib.loaded = 1;
    return NULL;
}

struct apictl_jq {
    jq_state *state;
    char message[512];   // the first message jq's error callback gave
};

/// Text of a message jv (a string, or any value dumped); consumes it.
static void copy_message(jv message, char *out, size_t size) {
    if (size == 0) return;
    out[0] = 0;
    if (lib.get_kind(message) != JV_KIND_STRING) message = lib.dump_string(message, 0);
    if (lib.get_kind(message) == JV_KIND_STRING) snprintf(out, size, "%s", lib.string_value(message));
    lib.free(message);
}

static void on_error(void *data, jv message) {
    apictl_jq *jq = data;
    if (jq->message[0] == 0) copy_message(message, jq->message, sizeof jq->message);
    else lib.free(message);
}

apictl_jq *apictl_jq_compile(const char *filter, char *error, size_t error_size) {
    apictl_jq *jq = calloc(1, sizeof *jq);
    if (!jq) { snprintf(error, error_size, "out of memory"); return NULL; }
    jq->state = lib.init();
    if (!jq->state) { free(jq); snprintf(error, error_size, "jq could not start"); return NULL; }
    lib.set_error_cb(jq->state, on_error, jq);
    if (!lib.compile(jq->state, filter)) {
        snprintf(error, error_size, "%s", jq->message[0] ? jq->message : "the filter does not compile");
        apictl_jq_free(jq);
        return NULL;
    }
    return jq;
}

int apictl_jq_run(apictl_jq *jq, const char *json, size_t length, int pretty, apictl_jq_emit emit, void *context,
                  char *error, size_t error_size) {
    error[0] = 0;
    if (length > INT_MAX) { snprintf(error, error_size, "the JSON is larger than jq can read (2 GiB)"); return -1; }
    jv input = lib.parse_sized(json, (int)length);
    if (lib.get_kind(input) == JV_KIND_INVALID) {
        if (lib.invalid_has_msg(lib.copy(input))) copy_message(lib.invalid_get_msg(input), error, error_size);
        else lib.free(input);
        if (!error[0]) snprintf(error, error_size, "the body is not JSON");
        return -1;
    }
    jq->message[0] = 0;
    lib.start(jq->state, input, 0);
    int flags = pretty ? (JV_PRINT_PRETTY | JV_PRINT_SPACE1) : 0;
    for (;;) {
        jv result = lib.next(jq->state);
        if (lib.get_kind(result) == JV_KIND_INVALID) {
            if (lib.invalid_has_msg(lib.copy(result))) {
                copy_message(lib.invalid_get_msg(result), error, error_size);
                return -1;
            }
            lib.free(result);
            if (jq->message[0]) { snprintf(error, error_size, "%s", jq->message); return -1; }
            return 0;
        }
        if (lib.get_kind(result) == JV_KIND_STRING) {
            emit(lib.string_value(result), (size_t)lib.string_length_bytes(lib.copy(result)), 1, context);
            lib.free(result);
        } else {
            jv text = lib.dump_string(result, flags);
            emit(lib.string_value(text), (size_t)lib.string_length_bytes(lib.copy(text)), 0, context);
            lib.free(text);
        }
    }
}

void apictl_jq_free(apictl_jq *jq) {
    if (!jq) return;
    if (jq->state) lib.teardown(&jq->state);
    free(jq);
}

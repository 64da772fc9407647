// jq's own language, through libjq (Debian's libjq1) loaded by dlopen on the first
// --jq: a request without a filter never loads it. Only opaque pointers and byte
// buffers cross into Swift.
#ifndef APICTL_CLIBJQ_H
#define APICTL_CLIBJQ_H

#include <stddef.h>

/// Loads libjq; NULL on success, else a static message.
const char *apictl_jq_load(void);

typedef struct apictl_jq apictl_jq;

/// Compiles FILTER. NULL on failure, with jq's first message in ERROR (size ERROR_SIZE).
apictl_jq *apictl_jq_compile(const char *filter, char *error, size_t error_size);

/// Called once per result: a string's raw bytes (IS_STRING 1), or the value as JSON text.
typedef void (*apictl_jq_emit)(const char *bytes, size_t length, int is_string, void *context);

/// Runs the filter on one JSON document. 0 when every result was emitted; -1 when the
/// input is not JSON or the filter failed at run time, with the message in ERROR.
/// PRETTY: JSON results indented by two spaces as jq prints them, else compact.
int apictl_jq_run(apictl_jq *jq, const char *json, size_t length, int pretty, apictl_jq_emit emit, void *context,
                  char *error, size_t error_size);

void apictl_jq_free(apictl_jq *jq);

#endif

#ifndef CAUDITSIGNAL_H
#define CAUDITSIGNAL_H
#include <stddef.h>

/// Lines of the audit record for requests that are on their way and not yet answered, written
/// by a signal handler if the process is ended before the answer begins (Ctrl-C, kill, timeout):
/// the credential left, so the record must say so. The first call installs the handler for
/// SIGINT, SIGTERM, SIGHUP and SIGQUIT (a signal the process ignores stays ignored; a handler
/// already there runs after the lines are written). Returns a slot, or -1 when all are taken.
int apictl_audit_pending_put(const char *record_path, const char *line, size_t length);
/// The answer began (or the request failed): the slot's line is not written.
void apictl_audit_pending_clear(int slot);
#endif

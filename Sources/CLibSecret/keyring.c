#include "CLibSecret.h"
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The stable parts of GLib's ABI this file relies on. */
typedef struct { unsigned int domain; int code; char *message; } GError;
enum { SECRET_SCHEMA_DONT_MATCH_NAME = 1 << 1, NO_AUTO_START = 1 };
#define SECRET_SERVICE "org.freedesktop.secrets"
/* Calls that use the keyring start an activatable Secret Service, as libsecret's own do; the probes do not. */
enum { CALL_MAY_START_SERVICE = 0 };

static struct {
    int loaded;
    void *(*schema_new)(const char *, int, ...);
    int (*store_sync)(const void *, const char *, const char *, const char *, void *, GError **, ...);
    char *(*lookup_sync)(const void *, void *, GError **, ...);
    int (*clear_sync)(const void *, void *, GError **, ...);
    void (*password_free)(char *);
    void (*object_unref)(void *);
    void *(*cancellable_new)(void);
    void (*cancellable_cancel)(void *);
    void (*error_free)(GError *);
    const char *(*quark_to_string)(unsigned int);
    void *(*bus_get_sync)(int, void *, GError **);
    void *(*connection_call_sync)(void *, const char *, const char *, const char *, const char *, void *,
                                  const void *, int, int, void *, GError **);
    char *(*dbus_error_get_remote_error)(const GError *);
    void (*free)(void *);
    void *(*variant_new)(const char *, ...);
    void *(*variant_new_parsed)(const char *, ...);
    int (*variant_lookup)(void *, const char *, const char *, ...);
    void (*variant_get)(void *, const char *, ...);
    void (*variant_unref)(void *);
    void *(*variant_ref_sink)(void *);
    int (*variant_is_of_type)(void *, const void *);
    int (*variant_get_boolean)(void *);
    int (*variant_iter_next)(void *, const char *, ...);
    void (*variant_iter_free)(void *);
} lib;

static void *schema;

const char *apictl_keyring_load(void) {
    if (lib.loaded) return NULL;
    void *h = dlopen("libsecret-1.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!h) return "libsecret (libsecret-1.so.0) is not installed";
#define LOAD(field, symbol) if (!(*(void **)&lib.field = dlsym(h, symbol))) return "libsecret lacks " symbol;
    LOAD(schema_new, "secret_schema_new")
    LOAD(store_sync, "secret_password_store_sync")
    LOAD(lookup_sync, "secret_password_lookup_sync")
    LOAD(clear_sync, "secret_password_clear_sync")
    LOAD(password_free, "secret_password_free")
    LOAD(object_unref, "g_object_unref")
    LOAD(cancellable_new, "g_cancellable_new")
    LOAD(cancellable_cancel, "g_cancellable_cancel")
    LOAD(error_free, "g_error_free")
    LOAD(quark_to_string, "g_quark_to_string")
    LOAD(bus_get_sync, "g_bus_get_sync")
    LOAD(connection_call_sync, "g_dbus_connection_call_sync")
    LOAD(dbus_error_get_remote_error, "g_dbus_error_get_remote_error")
    LOAD(free, "g_free")
    LOAD(variant_new, "g_variant_new")
    LOAD(variant_new_parsed, "g_variant_new_parsed")
    LOAD(variant_lookup, "g_variant_lookup")
    LOAD(variant_get, "g_variant_get")
    LOAD(variant_unref, "g_variant_unref")
    LOAD(variant_ref_sink, "g_variant_ref_sink")
    LOAD(variant_is_of_type, "g_variant_is_of_type")
    LOAD(variant_get_boolean, "g_variant_get_boolean")
    LOAD(variant_iter_next, "g_variant_iter_next")
    LOAD(variant_iter_free, "g_variant_iter_free")
#undef LOAD
    /* One schema for every item; readable with `secret-tool lookup profile P environment E`.
       An account other than the default also has an `account` attribute, and its label in
       `environment` as "E@LABEL" (KeyringStore.swift says why). */
    schema = lib.schema_new("dev.apictl.Credential", SECRET_SCHEMA_DONT_MATCH_NAME,
                            "profile", 0, "environment", 0, "application", 0, "account", 0, NULL);
    lib.loaded = 1;
    return NULL;
}

static void take(GError *error, apictl_status *status) {
    status->failed = error != NULL;
    if (!error) return;
    status->code = error->code;
    const char *domain = lib.quark_to_string(error->domain);
    strncpy(status->domain, domain ? domain : "", sizeof status->domain - 1);
    strncpy(status->message, error->message ? error->message : "unknown error", sizeof status->message - 1);
    lib.error_free(error);
}

struct apictl_deadline {
    void *cancellable;
    pthread_t timer;
    pthread_mutex_t mutex;
    pthread_cond_t finished_changed;
    int finished;
    int timed;
    struct timespec due;
};

/* Waits until the deadline or finish(), whichever is first; cancels on the deadline. */
static void *deadline_timer(void *arg) {
    apictl_deadline *d = arg;
    pthread_mutex_lock(&d->mutex);
    int rc = 0;
    while (!d->finished && rc != ETIMEDOUT) rc = pthread_cond_timedwait(&d->finished_changed, &d->mutex, &d->due);
    if (!d->finished) lib.cancellable_cancel(d->cancellable);
    pthread_mutex_unlock(&d->mutex);
    return NULL;
}

apictl_deadline *apictl_deadline_start(int timeout_ms) {
    apictl_deadline *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->cancellable = lib.cancellable_new();
    pthread_mutex_init(&d->mutex, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&d->finished_changed, &attr);
    pthread_condattr_destroy(&attr);
    clock_gettime(CLOCK_MONOTONIC, &d->due);
    d->due.tv_sec += timeout_ms / 1000;
    d->due.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (d->due.tv_nsec >= 1000000000L) { d->due.tv_sec += 1; d->due.tv_nsec -= 1000000000L; }
    /* Without a timer thread the call still runs, only unbounded. */
    d->timed = pthread_create(&d->timer, NULL, deadline_timer, d) == 0;
    return d;
}

void *apictl_deadline_cancellable(apictl_deadline *d) { return d ? d->cancellable : NULL; }

void apictl_deadline_finish(apictl_deadline *d) {
    if (!d) return;
    pthread_mutex_lock(&d->mutex);
    d->finished = 1;
    pthread_cond_signal(&d->finished_changed);
    pthread_mutex_unlock(&d->mutex);
    if (d->timed) pthread_join(d->timer, NULL);
    pthread_cond_destroy(&d->finished_changed);
    pthread_mutex_destroy(&d->mutex);
    if (d->cancellable) lib.object_unref(d->cancellable);
    free(d);
}
void apictl_object_unref(void *o) { if (o) lib.object_unref(o); }

void *apictl_bus_connect(const char *address, void *cancellable, apictl_status *status) {
    (void)address;
    /* The shared session connection, which libsecret then reuses: one handshake, not two.
       Only called once the caller has found a bus address, so GIO never autolaunches one. */
    static void *shared;
    if (shared) return shared;
    GError *error = NULL;
    shared = lib.bus_get_sync(2 /* G_BUS_TYPE_SESSION */, cancellable, &error);
    take(error, status);
    return shared;
}

static void *bus_call(void *bus, const char *destination, const char *path, const char *interface, const char *method,
                      void *parameters, const char *reply_type, int timeout_ms, apictl_status *status) {
    GError *error = NULL;
    void *reply = lib.connection_call_sync(bus, destination, path, interface, method, parameters, reply_type,
                                           NO_AUTO_START, timeout_ms, NULL, &error);
    take(error, status);
    return reply;
}

int apictl_bus_name_has_owner(void *bus, const char *name, int timeout_ms, apictl_status *status) {
    void *reply = bus_call(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner",
                           lib.variant_new("(s)", name), "(b)", timeout_ms, status);
    if (!reply) return -1;
    int owned = 0;
    lib.variant_get(reply, "(b)", &owned);
    lib.variant_unref(reply);
    return owned ? 1 : 0;
}

int apictl_bus_name_activatable(void *bus, const char *name, int timeout_ms, apictl_status *status) {
    void *reply = bus_call(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                           "ListActivatableNames", NULL, "(as)", timeout_ms, status);
    if (!reply) return -1;
    void *iter = NULL;
    const char *each = NULL;
    int found = 0;
    lib.variant_get(reply, "(as)", &iter);
    while (lib.variant_iter_next(iter, "&s", &each)) {
        if (each && strcmp(each, name) == 0) found = 1;
    }
    lib.variant_iter_free(iter);
    lib.variant_unref(reply);
    return found;
}

int apictl_default_collection_locked(void *bus, int timeout_ms, apictl_status *status) {
    void *reply = bus_call(bus, SECRET_SERVICE, "/org/freedesktop/secrets/aliases/default",
                           "org.freedesktop.DBus.Properties", "Get",
                           lib.variant_new("(ss)", "org.freedesktop.Secret.Collection", "Locked"), "(v)", timeout_ms, status);
    if (!reply) return -1;
    void *inner = NULL;
    lib.variant_get(reply, "(v)", &inner);
    int locked = lib.variant_is_of_type(inner, "b") ? (lib.variant_get_boolean(inner) ? 1 : 0) : -1;
    lib.variant_unref(inner);
    lib.variant_unref(reply);
    return locked;
}

int apictl_secret_store(const char *profile, const char *environment, const char *account, const char *label,
                        const char *secret, void *cancellable, apictl_status *status) {
    GError *error = NULL;
    int ok = account
        ? lib.store_sync(schema, "default", label, secret, cancellable, &error,
                         "profile", profile, "environment", environment, "application", "apictl", "account", account, NULL)
        : lib.store_sync(schema, "default", label, secret, cancellable, &error,
                         "profile", profile, "environment", environment, "application", "apictl", NULL);
    take(error, status);
    return ok;
}

char *apictl_secret_lookup(const char *profile, const char *environment, void *cancellable, apictl_status *status) {
    GError *error = NULL;
    char *secret = lib.lookup_sync(schema, cancellable, &error,
                                   "profile", profile, "environment", environment, "application", "apictl", NULL);
    take(error, status);
    return secret;
}

void apictl_secret_free(char *secret) { if (secret) lib.password_free(secret); }

/* libsecret 0.20.5 searches by loading whole items, and when another process deletes one
   meanwhile it fails the search (or the removal) and prints a GLib-GIO CRITICAL on stderr. So
   listing and removing ask the Secret Service over D-Bus: SearchItems, then one call per item
   path. An item deleted since the search answers with a D-Bus error and is passed over; a
   failure on this side (the deadline, a closed connection) fails the whole call. */
typedef void (*item_visit)(void *bus, const char *path, void *data, void *cancellable, apictl_status *status);

/* Whether `error` is the Secret Service saying the item is not there (any more). */
static int item_gone(const GError *error) {
    char *name = lib.dbus_error_get_remote_error(error);
    if (!name) return 0;
    int gone = strcmp(name, "org.freedesktop.DBus.Error.UnknownObject") == 0 || strcmp(name, "org.freedesktop.DBus.Error.UnknownMethod") == 0
        || strcmp(name, "org.freedesktop.DBus.Error.UnknownInterface") == 0 || strcmp(name, "org.freedesktop.Secret.Error.NoSuchObject") == 0;
    lib.free(name);
    return gone;
}

/* The reply to one item's call; NULL both when the item is gone (status untouched) and on any other error (status set). */
static void *item_call(void *bus, const char *path, const char *interface, const char *method, void *parameters,
                       const char *reply_type, void *cancellable, apictl_status *status) {
    GError *error = NULL;
    void *reply = lib.connection_call_sync(bus, SECRET_SERVICE, path, interface, method, parameters, reply_type,
                                           CALL_MAY_START_SERVICE, -1, cancellable, &error);
    if (!reply) {
        if (item_gone(error)) lib.error_free(error); else take(error, status);
    }
    return reply;
}

/* Calls `visit` for each item matching `query` (a tuple holding an a{ss}), the unlocked ones first. */
static int search_items(void *query, item_visit visit, void *data, void *cancellable, apictl_status *status) {
    GError *error = NULL;
    void *bus = lib.bus_get_sync(2 /* G_BUS_TYPE_SESSION */, cancellable, &error);
    take(error, status);
    if (!bus) { lib.variant_unref(lib.variant_ref_sink(query)); return 0; }
    void *reply = lib.connection_call_sync(bus, SECRET_SERVICE, "/org/freedesktop/secrets", "org.freedesktop.Secret.Service",
                                           "SearchItems", query, "(aoao)", CALL_MAY_START_SERVICE, -1, cancellable, &error);
    take(error, status);
    if (reply) {
        void *lists[2] = { NULL, NULL };
        lib.variant_get(reply, "(aoao)", &lists[0], &lists[1]);
        for (int i = 0; i < 2; i++) {
            const char *path = NULL;
            while (!status->failed && lib.variant_iter_next(lists[i], "&o", &path)) visit(bus, path, data, cancellable, status);
            lib.variant_iter_free(lists[i]);
        }
        lib.variant_unref(reply);
    }
    lib.object_unref(bus);
    return !status->failed;
}

struct removal { int removed; int prompted; int passed_over; };

static void delete_item(void *bus, const char *path, void *data, void *cancellable, apictl_status *status) {
    struct removal *removal = data;
    void *reply = item_call(bus, path, "org.freedesktop.Secret.Item", "Delete", NULL, "(o)", cancellable, status);
    if (!reply) {
        if (!status->failed) removal->passed_over = 1;
        return;
    }
    const char *prompt = NULL;
    lib.variant_get(reply, "(&o)", &prompt);
    /* "/": deleted. Any other path is a prompt the service wants shown first (a locked collection). */
    if (prompt && strcmp(prompt, "/") == 0) removal->removed = 1; else removal->prompted = 1;
    lib.variant_unref(reply);
}

static void count_item(void *bus, const char *path, void *data, void *cancellable, apictl_status *status) {
    (void)bus; (void)path; (void)cancellable; (void)status;
    (*(int *)data)++;
}

static void *removal_query(const char *profile, const char *environment) {
    return lib.variant_new_parsed("({'profile': %s, 'environment': %s, 'application': 'apictl'},)", profile, environment);
}

int apictl_secret_clear(const char *profile, const char *environment, void *cancellable, apictl_status *status) {
    struct removal removal = { 0, 0, 0 };
    if (!search_items(removal_query(profile, environment), delete_item, &removal, cancellable, status)) return 0;
    int removed = removal.removed;
    if (removal.prompted) {
        /* libsecret knows how to show a prompt: it removes what is left. */
        GError *error = NULL;
        int cleared = lib.clear_sync(schema, cancellable, &error,
                                     "profile", profile, "environment", environment, "application", "apictl", NULL);
        take(error, status);
        if (status->failed) return 0;
        removed = removed || cleared;
    }
    /* An item left to a prompt, or passed over as gone, is looked for once more: a dismissed prompt, or
       a service that refuses Delete with an error of the "not there" kind for an item it keeps, is no removal. */
    if (removal.prompted || removal.passed_over) {
        int left = 0;
        if (!search_items(removal_query(profile, environment), count_item, &left, cancellable, status)) return 0;
        if (left > 0) {
            status->failed = 1;
            status->code = 0;
            strncpy(status->domain, "apictl", sizeof status->domain - 1);
            strncpy(status->message, "the Secret Service still holds it after the removal (a prompt dismissed, or a removal it refused)",
                    sizeof status->message - 1);
            return 0;
        }
    }
    return removed;
}

struct report { apictl_item_fn each; void *context; };

static void report_item(void *bus, const char *path, void *data, void *cancellable, apictl_status *status) {
    struct report *report = data;
    void *reply = item_call(bus, path, "org.freedesktop.DBus.Properties", "Get",
                            lib.variant_new("(ss)", "org.freedesktop.Secret.Item", "Attributes"), "(v)", cancellable, status);
    if (!reply) return;
    void *attributes = NULL;
    lib.variant_get(reply, "(v)", &attributes);
    const char *profile = NULL, *environment = NULL, *account = NULL;
    if (lib.variant_is_of_type(attributes, "a{ss}") && lib.variant_lookup(attributes, "profile", "&s", &profile)) {
        lib.variant_lookup(attributes, "environment", "&s", &environment);
        lib.variant_lookup(attributes, "account", "&s", &account);
        report->each(profile, environment, account, report->context);
    }
    lib.variant_unref(attributes);
    lib.variant_unref(reply);
}

int apictl_secret_search_all(apictl_item_fn each, void *context, void *cancellable, apictl_status *status) {
    struct report report = { each, context };
    return search_items(lib.variant_new_parsed("({'application': 'apictl'},)"), report_item, &report, cancellable, status);
}

// The keyring calls apictl makes, with libsecret and GLib loaded by dlopen on
// first use: a request whose token comes from the environment never pays for
// loading a dozen GLib libraries. Only opaque pointers cross into Swift.
#ifndef APICTL_CLIBSECRET_H
#define APICTL_CLIBSECRET_H

/// What went wrong in a call, copied out of the GError (which is freed).
typedef struct {
    int failed;
    int code;
    char domain[64];
    char message[512];
} apictl_status;

/// Loads libsecret; NULL on success, else a static message.
const char *apictl_keyring_load(void);

/// A GCancellable that a timer thread cancels after TIMEOUT_MS unless finished first,
/// bounding a blocking GIO call. Finish frees it.
typedef struct apictl_deadline apictl_deadline;
apictl_deadline *apictl_deadline_start(int timeout_ms);
void *apictl_deadline_cancellable(apictl_deadline *deadline);
void apictl_deadline_finish(apictl_deadline *deadline);
void apictl_object_unref(void *object);

/// The shared session bus connection (kept for the process; do not unref). Call only
/// after finding a bus address (ADDRESS), so that GIO never autolaunches one.
void *apictl_bus_connect(const char *address, void *cancellable, apictl_status *status);
/// 1 owned, 0 not, -1 error. Never auto-starts the service.
int apictl_bus_name_has_owner(void *bus, const char *name, int timeout_ms, apictl_status *status);
/// 1 activatable, 0 not, -1 error.
int apictl_bus_name_activatable(void *bus, const char *name, int timeout_ms, apictl_status *status);
/// The default collection's Locked property: 1 locked, 0 unlocked, -1 error.
int apictl_default_collection_locked(void *bus, int timeout_ms, apictl_status *status);

/// `account` NULL for the default account, whose items have no such attribute.
int apictl_secret_store(const char *profile, const char *environment, const char *account, const char *label,
                        const char *secret, void *cancellable, apictl_status *status);
/// The secret (free with apictl_secret_free), or NULL when absent or on error.
char *apictl_secret_lookup(const char *profile, const char *environment, void *cancellable, apictl_status *status);
void apictl_secret_free(char *secret);
/// 1 removed, 0 nothing to remove or error.
int apictl_secret_clear(const char *profile, const char *environment, void *cancellable, apictl_status *status);

/// Calls back once per apictl item with its profile, environment and account (NULL: none) attributes.
typedef void (*apictl_item_fn)(const char *profile, const char *environment, const char *account, void *context);
int apictl_secret_search_all(apictl_item_fn each, void *context, void *cancellable, apictl_status *status);
#endif

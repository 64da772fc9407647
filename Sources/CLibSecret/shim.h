// Small C wrappers over libsecret and GDBus: their convenience calls and
// GVariant builders are variadic, which Swift cannot call.
#ifndef APICTL_CLIBSECRET_SHIM_H
#define APICTL_CLIBSECRET_SHIM_H
#include <libsecret/secret.h>
#include <gio/gio.h>

/// One schema for every apictl item; readable with
/// `secret-tool lookup profile P environment E`.
static inline const SecretSchema *apictl_schema(void) {
    static const SecretSchema schema = {
        "dev.apictl.Credential", SECRET_SCHEMA_DONT_MATCH_NAME,
        {
            {"profile", SECRET_SCHEMA_ATTRIBUTE_STRING},
            {"environment", SECRET_SCHEMA_ATTRIBUTE_STRING},
            {"application", SECRET_SCHEMA_ATTRIBUTE_STRING},
            {NULL, 0},
        }
    };
    return &schema;
}

static inline gboolean apictl_secret_store(const char *profile, const char *environment, const char *label,
                                           const char *secret, GCancellable *cancellable, GError **error) {
    return secret_password_store_sync(apictl_schema(), SECRET_COLLECTION_DEFAULT, label, secret, cancellable, error,
                                      "profile", profile, "environment", environment, "application", "apictl", NULL);
}

static inline gchar *apictl_secret_lookup(const char *profile, const char *environment,
                                          GCancellable *cancellable, GError **error) {
    return secret_password_lookup_sync(apictl_schema(), cancellable, error,
                                       "profile", profile, "environment", environment, "application", "apictl", NULL);
}

static inline gboolean apictl_secret_clear(const char *profile, const char *environment,
                                           GCancellable *cancellable, GError **error) {
    return secret_password_clear_sync(apictl_schema(), cancellable, error,
                                      "profile", profile, "environment", environment, "application", "apictl", NULL);
}

/// Every apictl item, as a GList of SecretRetrievable (free with g_list_free_full(list, g_object_unref)).
static inline GList *apictl_secret_search_all(GCancellable *cancellable, GError **error) {
    return secret_password_search_sync(apictl_schema(), SECRET_SEARCH_ALL, cancellable, error,
                                       "application", "apictl", NULL);
}

static inline const char *apictl_retrievable_attribute(SecretRetrievable *item, const char *name, GHashTable **holder) {
    *holder = secret_retrievable_get_attributes(item);
    return (const char *)g_hash_table_lookup(*holder, name);
}

static inline SecretRetrievable *apictl_list_item(GList *node) { return (SecretRetrievable *)node->data; }
static inline void apictl_list_free(GList *list) { g_list_free_full(list, g_object_unref); }

/// Bus calls that never auto-start a service, each bounded by timeout_ms.
/// Returns 1 when NAME has an owner, 0 when not, -1 on error.
static inline int apictl_bus_name_has_owner(GDBusConnection *bus, const char *name, int timeout_ms, GError **error) {
    GVariant *reply = g_dbus_connection_call_sync(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
        "org.freedesktop.DBus", "NameHasOwner", g_variant_new("(s)", name), G_VARIANT_TYPE("(b)"),
        G_DBUS_CALL_FLAGS_NO_AUTO_START, timeout_ms, NULL, error);
    if (!reply) return -1;
    gboolean owned = FALSE;
    g_variant_get(reply, "(b)", &owned);
    g_variant_unref(reply);
    return owned ? 1 : 0;
}

/// 1 when NAME can be started on demand by the bus, 0 when not, -1 on error.
static inline int apictl_bus_name_activatable(GDBusConnection *bus, const char *name, int timeout_ms, GError **error) {
    GVariant *reply = g_dbus_connection_call_sync(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
        "org.freedesktop.DBus", "ListActivatableNames", NULL, G_VARIANT_TYPE("(as)"),
        G_DBUS_CALL_FLAGS_NO_AUTO_START, timeout_ms, NULL, error);
    if (!reply) return -1;
    GVariantIter *iter = NULL;
    const char *each = NULL;
    int found = 0;
    g_variant_get(reply, "(as)", &iter);
    while (g_variant_iter_next(iter, "&s", &each)) {
        if (g_strcmp0(each, name) == 0) found = 1;
    }
    g_variant_iter_free(iter);
    g_variant_unref(reply);
    return found;
}

/// The default collection's Locked property: 1 locked, 0 unlocked, -1 error (e.g. no default collection).
static inline int apictl_default_collection_locked(GDBusConnection *bus, int timeout_ms, GError **error) {
    GVariant *reply = g_dbus_connection_call_sync(bus, "org.freedesktop.secrets",
        "/org/freedesktop/secrets/aliases/default", "org.freedesktop.DBus.Properties", "Get",
        g_variant_new("(ss)", "org.freedesktop.Secret.Collection", "Locked"), G_VARIANT_TYPE("(v)"),
        G_DBUS_CALL_FLAGS_NO_AUTO_START, timeout_ms, NULL, error);
    if (!reply) return -1;
    GVariant *inner = NULL;
    g_variant_get(reply, "(v)", &inner);
    int locked = g_variant_is_of_type(inner, G_VARIANT_TYPE_BOOLEAN) ? (g_variant_get_boolean(inner) ? 1 : 0) : -1;
    g_variant_unref(inner);
    g_variant_unref(reply);
    return locked;
}

/// Connects to the session bus at ADDRESS without ever autolaunching one.
static inline GDBusConnection *apictl_bus_connect(const char *address, GCancellable *cancellable, GError **error) {
    return g_dbus_connection_new_for_address_sync(address,
        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
        NULL, cancellable, error);
}
#endif

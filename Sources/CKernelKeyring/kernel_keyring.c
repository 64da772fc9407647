#include "CKernelKeyring.h"

#include <linux/keyctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int32_t apictl_kernel_key_add(const char *description, const void *payload, size_t length) {
    return (int32_t)syscall(SYS_add_key, "user", description, payload, length, KEY_SPEC_USER_KEYRING);
}

int32_t apictl_kernel_key_find(const char *description) {
    return (int32_t)syscall(SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING, "user", description, 0);
}

long apictl_kernel_key_read(int32_t serial, void *buffer, size_t length) {
    return syscall(SYS_keyctl, KEYCTL_READ, serial, buffer, length);
}

long apictl_kernel_key_set_timeout(int32_t serial, unsigned seconds) {
    return syscall(SYS_keyctl, KEYCTL_SET_TIMEOUT, serial, seconds);
}

long apictl_kernel_key_set_private(int32_t serial) {
    // possessor: everything; the same user: view, read, write, search, set attributes; others: nothing.
    return syscall(SYS_keyctl, KEYCTL_SETPERM, serial, 0x3f3f0000u);
}

long apictl_kernel_key_unlink(int32_t serial) {
    return syscall(SYS_keyctl, KEYCTL_UNLINK, serial, KEY_SPEC_USER_KEYRING);
}

long apictl_kernel_keyring_list(int32_t *serials, size_t max) {
    long bytes = syscall(SYS_keyctl, KEYCTL_READ, KEY_SPEC_USER_KEYRING, serials, max * sizeof(int32_t));
    return bytes < 0 ? bytes : bytes / (long)sizeof(int32_t);
}

long apictl_kernel_key_describe(int32_t serial, char *buffer, size_t length) {
    return syscall(SYS_keyctl, KEYCTL_DESCRIBE, serial, buffer, length);
}

// The Linux kernel key retention service, through the raw add_key and keyctl
// system calls: no libkeyutils to load at start-up, and syscall(2) is variadic,
// so Swift cannot call it directly. Each function returns -1 and sets errno on failure.
#ifndef APICTL_CKERNELKEYRING_H
#define APICTL_CKERNELKEYRING_H

#include <stddef.h>
#include <stdint.h>

/// Adds (or replaces) a "user" key in the user keyring; its serial.
int32_t apictl_kernel_key_add(const char *description, const void *payload, size_t length);
/// The serial of the "user" key with this description in the user keyring.
int32_t apictl_kernel_key_find(const char *description);
/// Copies up to `length` bytes of the key into `buffer`; the key's full length.
long apictl_kernel_key_read(int32_t serial, void *buffer, size_t length);
/// The key expires after `seconds`.
long apictl_kernel_key_set_timeout(int32_t serial, unsigned seconds);
/// Only this user's processes may see, read or change it.
long apictl_kernel_key_set_private(int32_t serial);
/// Removes it from the user keyring, and so forgets it.
long apictl_kernel_key_unlink(int32_t serial);
/// The serials of the keys in the user keyring, up to `max` of them; how many there are.
long apictl_kernel_keyring_list(int32_t *serials, size_t max);
/// "type;uid;gid;perm;description" of a key, NUL-terminated; the length it needs.
long apictl_kernel_key_describe(int32_t serial, char *buffer, size_t length);

#endif

#include "CFileACL.h"
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/xattr.h>

/* The "system.posix_acl_access" xattr: a 4-byte version (2), then 8-byte entries of a 16-bit
   tag, 16-bit permissions and a 32-bit id, little-endian. An ACL of only the owner, group and
   other entries is not stored: the mode holds it. */
enum { USER_OBJ = 0x01, USER = 0x02, GROUP_OBJ = 0x04, GROUP = 0x08, MASK = 0x10, WRITE = 0x02 };

int apictl_acl_writers(int fd, const char *path, unsigned uid) {
    unsigned char acl[4 + 8 * 256];
    ssize_t length = fd >= 0 ? fgetxattr(fd, "system.posix_acl_access", acl, sizeof acl)
                             : getxattr(path, "system.posix_acl_access", acl, sizeof acl);
    if (length < 0 && errno == ERANGE) return 1;   /* more entries than read: assume some writer */
    if (length < 4) return -1;   /* none (ENODATA), or unreadable: the mode decides */
    unsigned mask = 7;
    for (ssize_t at = 4; at + 8 <= length; at += 8) {
        if ((acl[at] | acl[at + 1] << 8) == MASK) mask = acl[at + 2] | acl[at + 3] << 8;
    }
    int writers = 0;
    for (ssize_t at = 4; at + 8 <= length; at += 8) {
        unsigned tag = acl[at] | acl[at + 1] << 8, perm = (acl[at + 2] | acl[at + 3] << 8) & mask;
        uint32_t id = (uint32_t)acl[at + 4] | (uint32_t)acl[at + 5] << 8 | (uint32_t)acl[at + 6] << 16 | (uint32_t)acl[at + 7] << 24;
        if (!(perm & WRITE)) continue;
        if ((tag == USER && id != uid) || tag == GROUP) writers |= 1;
        if (tag == GROUP_OBJ) writers |= 2;
    }
    return writers;
}

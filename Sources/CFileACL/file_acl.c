#include "CFileACL.h"
#include <sys/xattr.h>

/* An access ACL with only the owner, group and other entries is stored as the mode alone;
   a file with named users or groups has the xattr, and its group bits are then the mask. */
int apictl_fd_has_extended_acl(int fd) {
    return fgetxattr(fd, "system.posix_acl_access", 0, 0) > 0;
}

int apictl_path_has_extended_acl(const char *path) {
    return getxattr(path, "system.posix_acl_access", 0, 0) > 0;
}

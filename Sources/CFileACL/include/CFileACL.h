// Whether a file carries an extended POSIX ACL (named users or groups). Its xattr functions
// are in <sys/xattr.h>, which Swift's Glibc module does not include.
#ifndef APICTL_CFILEACL_H
#define APICTL_CFILEACL_H

/// 1 when the open file has an extended access ACL, 0 when not (or it cannot be told).
int apictl_fd_has_extended_acl(int fd);
/// The same for a path (followed if a link).
int apictl_path_has_extended_acl(const char *path);

#endif

// Who an extended POSIX ACL lets write a file. Its xattr functions are in <sys/xattr.h>,
// which Swift's Glibc module does not include.
#ifndef APICTL_CFILEACL_H
#define APICTL_CFILEACL_H

/// -1 when the file has no extended access ACL (its mode says it all). Otherwise bits: 1 when a
/// named user other than `uid`, or a named group, may write (through the mask); 2 when the
/// owning group may. `fd` when it is 0 or more, else `path` (followed if a link).
int apictl_acl_writers(int fd, const char *path, unsigned uid);

#endif

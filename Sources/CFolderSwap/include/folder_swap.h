// renameat2's flags, which Swift's Glibc module leaves out: the index of an API description
// takes the old one's place in one step, so a reader (or a kill) finds one or the other.
#ifndef APICTL_CFOLDERSWAP_H
#define APICTL_CFOLDERSWAP_H

/// rename(from, to) that fails with EEXIST where `to` exists, instead of replacing it.
int apictl_rename_noreplace(const char *from, const char *to);

/// Swaps what the two paths name, both of which must exist. -1 with errno EINVAL where the
/// file system cannot (then the caller falls back to two renames).
int apictl_rename_exchange(const char *a, const char *b);

#endif

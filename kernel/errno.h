/* errno.h: the error numbers kernel calls return, negated (-EFAULT). The values are Linux's
 * (include/uapi/asm-generic/errno-base.h), as the syscall numbers are: the user ABI returns
 * them unchanged (DESIGN.md, "User ABI").
 */
#ifndef HARTOS_ERRNO_H
#define HARTOS_ERRNO_H

#define ENOMEM       12         /* out of memory */
#define EFAULT       14         /* a bad user address */
#define EEXIST       17         /* already mapped */
#define EINVAL       22         /* an argument makes no sense */
#define ENAMETOOLONG 36         /* a string longer than the caller allowed */

#endif

/* bootargs.h: the kernel command line (`make qemu ARGS="..."` -> QEMU -append -> the device
 * tree's /chosen/bootargs). Words separated by spaces, each `name` or `name=value`.
 */
#ifndef HARTOS_BOOTARGS_H
#define HARTOS_BOOTARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Takes the line (NULL for none) and reports each word that no chapter knows. */
void bootargs_init(const char *line);

/* The value of `name=value` (not NUL-terminated; its length in *len), "" for a bare `name`,
 * NULL if absent. */
const char *bootarg(const char *name, size_t *len);

/* `name=N` as a number: true and *value set if present and well-formed; a malformed value
 * is reported and ignored (false). */
bool bootarg_u64(const char *name, uint64_t *value);

/* What follows "init=": "NAME arg ...", to the end of the line; NULL without init=. */
const char *bootargs_init_line(void);

static inline bool bootarg_present(const char *name)
{
    size_t len;
    return bootarg(name, &len) != NULL;
}

#endif

/* programs.h -- the user programs embedded in the kernel image. The build compiles each
 * user/NAME.c to build/user/NAME.elf and generates build/user_programs.S, which includes the
 * files and a table of these records; spawn looks programs up here and `ls` lists them. */
#ifndef HARTOS_PROGRAMS_H
#define HARTOS_PROGRAMS_H

#include <stddef.h>
#include <stdint.h>

struct user_program {
    const char *name;     /* NAME of user/NAME.c */
    const uint8_t *image; /* the ELF file's bytes (8-byte aligned), unchecked: see elf_check */
    size_t size;
};

/* The program called name, or NULL. */
const struct user_program *program_find(const char *name);

/* The i-th program (in name order) for 0 <= i < program_count(), else NULL. */
const struct user_program *program_at(int i);
int program_count(void);

#endif

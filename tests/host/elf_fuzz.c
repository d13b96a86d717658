/* elf_fuzz.c -- libFuzzer target: any byte string, handed to elf_check as a file of exactly
 * that many bytes, must be accepted with a plan that keeps every promise elf_check makes, or
 * refused with a message -- never read out of bounds (ASan) or overflow (UBSan). Seeds: the
 * programs the build embeds (build/user/NAME.strip). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/elf.h"
#include "user/syscall.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_plan(const struct elf_plan *plan, size_t size)
{
    int exec = 0;
    for (int i = 0; i < plan->nsegments; i++) {
        const struct elf_segment *s = &plan->segments[i];
        if (s->offset > size || s->filesz > size - s->offset || s->filesz > s->memsz ||
            s->vaddr < USER_BASE || s->vaddr + s->memsz > USER_IMAGE_TOP ||
            ((s->flags & ELF_PF_W) && (s->flags & ELF_PF_X)) ||
            ((s->flags & ELF_PF_W) && !(s->flags & ELF_PF_R)) ||
            !(s->flags & (ELF_PF_R | ELF_PF_X)))
            abort();
        exec |= (s->flags & ELF_PF_X) && plan->entry >= s->vaddr &&
                plan->entry < s->vaddr + s->memsz;
        for (int j = 0; j < i; j++) /* no shared page */
            if (s->vaddr / USER_PAGE_SIZE <=
                    (plan->segments[j].vaddr + plan->segments[j].memsz - 1) / USER_PAGE_SIZE &&
                plan->segments[j].vaddr / USER_PAGE_SIZE <=
                    (s->vaddr + s->memsz - 1) / USER_PAGE_SIZE)
                abort();
    }
    if (!exec)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct elf_plan plan;
    char why[128];

    /* Copy to an exact-size heap block, so even a one-byte overrun is caught. */
    uint8_t *image = malloc(size ? size : 1);
    memcpy(image, data, size);
    int rc = elf_check(image, size, &plan, why, sizeof why);
    if (rc == 0)
        check_plan(&plan, size);
    else if (rc != -ENOEXEC || why[0] == '\0' || strlen(why) >= sizeof why || plan.nsegments)
        abort(); /* every refusal must say why and leave nothing to load */
    free(image);
    return 0;
}

/* elf_test.c: in-kernel tests of kernel/elf.c on the programs embedded in this very kernel
 * (kernel/programs.c): every one must pass the checks the loader relies on, and a damaged copy
 * must not. The host tests (tests/host/elf_test.c) cover each kind of damage. */
#include "heap/kheap.h"
#include "kernel/elf.h"
#include "kernel/ktest.h"
#include "kernel/programs.h"
#include "kernel/string.h"
#include "user/syscall.h"

/* Every program is a loadable executable, text first at USER_BASE, the entry executable. */
KTEST(elf_accepts_every_program)
{
    struct elf_plan plan;
    char why[128];
    KT_EXPECT(program_count() >= 1);
    for (int i = 0; i < program_count(); i++) {
        const struct user_program *p = program_at(i);
        KT_EXPECT(p != NULL && p->size > 0 && (uintptr_t)p->image % 8 == 0);
        int rc = elf_check(p->image, p->size, &plan, why, sizeof why);
        KT_EXPECTF(rc == 0, "program %s refused (%d): %s", p->name, rc, why);
        KT_EXPECTF(plan.nsegments == 3 && plan.segments[0].vaddr == USER_BASE &&
                       plan.segments[0].flags == (ELF_PF_R | ELF_PF_X),
                   "program %s: %d segments, first at 0x%lx flags %u", p->name, plan.nsegments,
                   (unsigned long)plan.segments[0].vaddr, plan.segments[0].flags);
    }
    KT_EXPECT(program_at(program_count()) == NULL && program_at(-1) == NULL);
}

/* Lookup by name: the programs are the files user/NAME.c. */
KTEST(elf_program_find)
{
    const struct user_program *hello = program_find("hello");
    KT_EXPECT(hello != NULL && strcmp(hello->name, "hello") == 0);
    KT_EXPECT(program_find("hell") == NULL && program_find("") == NULL);
}

/* A copy of hello with its text made writable too, then cut short: both refused. */
KTEST(elf_refuses_corrupted_program)
{
    struct elf_plan plan;
    char why[128];
    const struct user_program *hello = program_find("hello");
    KT_EXPECT(hello != NULL);
    uint8_t *copy = kmalloc(hello->size);
    KT_EXPECT(copy != NULL);
    memcpy(copy, hello->image, hello->size);
    KT_EXPECT(elf_check(copy, hello->size, &plan, why, sizeof why) == 0);
    uint64_t text = plan.segments[0].vaddr;

    uint64_t phoff = 0; /* e_phoff, little-endian at byte 32 */
    for (int i = 7; i >= 0; i--)
        phoff = phoff << 8 | copy[32 + i];
    for (int i = 0; i < 8; i++) { /* the PT_LOAD whose vaddr is the text's gets PF_W */
        uint8_t *ph = copy + phoff + 56 * (uint64_t)i;
        if (ph[0] == 1 && memcmp(ph + 16, &text, 8) == 0) {
            ph[4] |= ELF_PF_W;
            break;
        }
    }
    int rc = elf_check(copy, hello->size, &plan, why, sizeof why);
    KT_EXPECTF(rc == -ENOEXEC && strcmp(why, "elf: segment 1 at 0x40000000 is both writable and "
                                             "executable") == 0, "got %d \"%s\"", rc, why);
    KT_EXPECT(plan.nsegments == 0);
    memcpy(copy, hello->image, hello->size);
    rc = elf_check(copy, 63, &plan, why, sizeof why);
    KT_EXPECTF(rc == -ENOEXEC && strcmp(why, "elf: 63 bytes, fewer than the 64-byte ELF header")
                   == 0, "got %d \"%s\"", rc, why);
    kfree(copy);
}

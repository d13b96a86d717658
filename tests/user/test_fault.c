/* test_fault.c: a program that does something forbidden is killed, alone, with the status that
 * names the fault (user/syscall.h), and the kernel prints one line saying why.
 *   test_fault MODE   does the forbidden thing MODE names (the table below); it should not
 *                     come back, and exits 1 if it does
 *   test_fault        spawns itself once per mode, checks each status, exits 0 if all match,
 *                     else the number of the first mode that did not (1, 2, ...)
 * tests/user.sh also runs some modes as init, where the status is QEMU's exit code. */
#include <stdint.h>
#include <string.h>

#include "tests/user/check.h"

#define KERNEL_ADDR 0x80200000UL            /* the kernel's text on QEMU virt: no U bit */

/* Unbounded recursion, a kilobyte of stack a call: it runs off the 64 KiB stack into the
 * unmapped reserve below. depth is never negative; the test keeps the compiler from seeing
 * that the recursion has no end (and turning it into a loop). */
static int recurse(volatile int depth)
{
    volatile char frame[1024];
    frame[0] = (char)depth;
    if (depth < 0)
        return 0;
    return recurse(depth + 1) + frame[0];
}

static void stack_overflow(void) { recurse(0); }

static void illegal_zero(void) { __asm__ volatile(".word 0"); }     /* all-zero: defined illegal */

static void supervisor_csr(void)
{
    unsigned long v;
    __asm__ volatile("csrr %0, sstatus" : "=r"(v));               /* S-mode only */
}

static void store_to_text(void) { *(volatile uint32_t *)(uintptr_t)&store_to_text = 0; }

static void store_to_kernel(void) { *(volatile uint64_t *)KERNEL_ADDR = 0; }

static void jump_to_kernel(void) { ((void (*)(void))KERNEL_ADDR)(); }

static void load_null(void) { (void)*(volatile uint64_t *)0; }

/* W^X: data is writable, so not executable. A c.ret (0x8082) in .data must not run. */
static uint16_t ret_in_data[2] = {0x8082, 0x8082};
static void execute_data(void) { ((void (*)(void))(uintptr_t)ret_in_data)(); }

/* A page brk gave and took back is gone. */
static void load_after_brk_shrink(void)
{
    unsigned long base = (unsigned long)sys_brk(0);
    if ((unsigned long)sys_brk(base + USER_PAGE_SIZE) != base + USER_PAGE_SIZE)
        exit(2);
    volatile char *page = (volatile char *)((base + USER_PAGE_SIZE - 1) & ~(USER_PAGE_SIZE - 1));
    page[0] = 1;
    sys_brk(base);
    (void)page[0];
}

static const struct {
    const char *mode;
    void (*run)(void);
    int status;
} modes[] = {
    {"stack", stack_overflow, WSTATUS_FAULT},
    {"illegal", illegal_zero, WSTATUS_ILLEGAL},
    {"csr", supervisor_csr, WSTATUS_ILLEGAL},
    {"text", store_to_text, WSTATUS_FAULT},
    {"kstore", store_to_kernel, WSTATUS_FAULT},
    {"kjump", jump_to_kernel, WSTATUS_FAULT},
    {"null", load_null, WSTATUS_FAULT},
    {"data_exec", execute_data, WSTATUS_FAULT},
    {"brk_shrunk", load_after_brk_shrink, WSTATUS_FAULT},
};
#define NMODES ((int)(sizeof(modes) / sizeof(modes[0])))

int main(int argc, char **argv)
{
    check_program = "test_fault";
    if (argc == 2) {
        for (int i = 0; i < NMODES; i++) {
            if (strcmp(argv[1], modes[i].mode) == 0) {
                modes[i].run();
                printf("test_fault: %s came back\n", argv[1]);
                return 1;
            }
        }
        printf("test_fault: unknown mode '%s'\n", argv[1]);
        return 99;
    }
    for (int i = 0; i < NMODES; i++) {
        char *child_argv[] = {"test_fault", (char *)modes[i].mode, NULL};
        int status = -1;
        long pid = sys_spawn("test_fault", child_argv);
        CHECK(i + 1, pid > 0, modes[i].mode);
        CHECK_EQ(i + 1, sys_wait(pid, &status), pid);
        printf("test_fault: %s: status %d\n", modes[i].mode, status);
        CHECK_EQ(i + 1, status, modes[i].status);
    }
    printf("test_fault: all %d modes ended as expected\n", NMODES);
    return 0;
}

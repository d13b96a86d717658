/* main.c: the boot order. entry.S calls kmain on the boot hart with the stack set up and .bss
 * zeroed; each line below brings up one part of the kernel, in the order they depend on each
 * other. Read it as the table of contents of the kernel; each chapter adds lines.
 */
#include "kernel/console.h"
#include "kernel/poweroff.h"
#include "kernel/sbi.h"

#include <stdint.h>

/* Tests build a kernel with -DBOOT_EXIT_STATUS=N to check that N becomes QEMU's exit code. */
#ifndef BOOT_EXIT_STATUS
#define BOOT_EXIT_STATUS 0
#endif

/* Print "v<major>.<minor>" from the SBI spec version encoding (major in bits 30:24). */
static void print_spec_version(uint64_t v)
{
    console_putc('v');
    console_put_uint((v >> 24) & 0x7f, 10);
    console_putc('.');
    console_put_uint(v & 0xffffff, 10);
}

/* OpenSBI encodes its own version as major << 16 | minor. */
static void print_impl_version(uint64_t id, uint64_t v)
{
    if (id == 1) {
        console_putc('v');
        console_put_uint(v >> 16, 10);
        console_putc('.');
        console_put_uint(v & 0xffff, 10);
    } else {
        console_put_uint(v, 16);
    }
}

static void print_banner(uint64_t hartid, void *dtb)
{
    uint64_t impl = sbi_impl_id();

    console_puts("\nhartos: booting on hart ");
    console_put_uint(hartid, 10);
    console_puts(", device tree at ");
    console_put_uint((uint64_t)dtb, 16);
    console_puts("\nsbi: spec ");
    print_spec_version(sbi_spec_version());
    console_puts(", ");
    console_puts(sbi_impl_name(impl));
    console_putc(' ');
    print_impl_version(impl, sbi_impl_version());
    console_puts(", system reset ");
    console_puts(sbi_probe_extension(SBI_EXT_SRST) ? "available" : "missing");
    console_putc('\n');
}

void kmain(uint64_t hartid, void *dtb)
{
    print_banner(hartid, dtb);              /* ch1: the kernel speaks through SBI */

    console_puts("hartos: chapter 1 done, powering off\n");
    poweroff(BOOT_EXIT_STATUS);
}

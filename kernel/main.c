/* main.c: the boot order. entry.S calls kmain on the boot hart with the stack set up and .bss
 * zeroed; each line below brings up one part of the kernel, in the order they depend on each
 * other. Read it as the table of contents of the kernel; each chapter adds lines.
 */
#include "heap/frame.h"
#include "heap/heap.h"
#include "heap/heapmap.h"
#include "heap/kheap.h"
#include "kernel/bootargs.h"
#include "kernel/param.h"
#include "kernel/plic.h"
#include "kernel/console.h"
#include "kernel/demo.h"
#include "kernel/fdt.h"
#include "kernel/hart.h"
#include "kernel/kbench.h"
#include "kernel/ktest.h"
#include "kernel/proc.h"
#include "user/syscall.h"
#include "kernel/panic.h"
#include "kernel/poweroff.h"
#include "kernel/printf.h"
#include "kernel/riscv.h"
#include "kernel/smp.h"
#include "kernel/sbi.h"
#include "kernel/string.h"
#include "kernel/timer.h"
#include "kernel/trace.h"
#include "kernel/trap.h"
#include "kernel/tty.h"
#include "kernel/uart.h"
#include "kernel/vm.h"
#include "task/sched.h"
#include "task/task.h"

#include <stdint.h>

/* Tests build a kernel with -DBOOT_EXIT_STATUS=N to check that N becomes QEMU's exit code. */
#ifndef BOOT_EXIT_STATUS
#define BOOT_EXIT_STATUS 0
#endif

/* The largest device tree we accept; QEMU's are under 16 KiB. */
#define FDT_MAX_SIZE (1u << 20)

extern char __kernel_start[], __kernel_end[], boot_stacks[];


/* What the device tree told us, for every later chapter. */
static struct fdt_info machine;

/* "128 MiB", "512 KiB", "6 KiB" or "612 B": sizes as a learner reads them. */
static void print_size(uint64_t bytes)
{
    if (bytes >= (1u << 20) && bytes % (1u << 20) == 0)
        kprintf("%lu MiB", (unsigned long)(bytes >> 20));
    else if (bytes >= 1024)
        kprintf("%lu KiB", (unsigned long)((bytes + 1023) >> 10));
    else
        kprintf("%lu B", (unsigned long)bytes);
}

static void print_range(const char *what, uint64_t base, uint64_t size, const char *name)
{
    kprintf("%s %#lx-%#lx (", what, (unsigned long)base, (unsigned long)(base + size));
    print_size(size);
    kprintf("%s%s)\n", name ? ", " : "", name ? name : "");
}

static void print_sbi(void)
{
    uint64_t spec = sbi_spec_version(), impl = sbi_impl_id(), v = sbi_impl_version();

    kprintf("sbi: spec v%lu.%lu, %s ", (unsigned long)((spec >> 24) & 0x7f),
            (unsigned long)(spec & 0xffffff), sbi_impl_name(impl));
    if (impl == 1)      /* OpenSBI encodes its version as major << 16 | minor */
        kprintf("v%lu.%lu", (unsigned long)(v >> 16), (unsigned long)(v & 0xffff));
    else
        kprintf("version %#lx", (unsigned long)v);
    kprintf(", system reset %s\n", sbi_probe_extension(SBI_EXT_SRST) ? "available" : "missing");
}

static void print_machine(void *dtb)
{
    kprintf("harts:");
    for (int i = 0; i < machine.nharts; i++)
        kprintf(" %u", machine.harts[i].id);
    kprintf(" (%d found", machine.nharts);
    if (machine.harts_skipped)
        kprintf(", %d more ignored: the tree lists more than %d", machine.harts_skipped,
                FDT_MAX_HARTS);
    kprintf("), timebase %lu Hz\n", (unsigned long)machine.timebase_hz);

    for (int i = 0; i < machine.nmemory; i++)
        print_range("memory:", machine.memory[i].base, machine.memory[i].size, NULL);
    for (int i = 0; i < machine.nreserved; i++)
        print_range("  reserved", machine.reserved[i].base, machine.reserved[i].size,
                    machine.reserved[i].name);
    print_range("  kernel  ", (uint64_t)__kernel_start,
                (uint64_t)(__kernel_end - __kernel_start), "hartos image");
    print_range("  dtb     ", (uint64_t)dtb, machine.totalsize, "device tree");

    if (machine.uart.present) {
        kprintf("uart: %s at %#lx", machine.uart.compatible, (unsigned long)machine.uart.base);
        if (machine.uart.reg_shift != 0 || machine.uart.reg_io_width != 1)
            kprintf(machine.uart.kind == FDT_UART_SIFIVE
                        ? ", reg-shift %u and reg-io-width %u ignored (its layout is fixed)"
                        : ", reg-shift %u, reg-io-width %u",
                    machine.uart.reg_shift, machine.uart.reg_io_width);
        kprintf("\n");
    }
    if (machine.plic.present) {
        kprintf("plic: %#lx, %u interrupt sources\n", (unsigned long)machine.plic.base,
                machine.plic.ndev);
        /* ch12: a hart the PLIC cannot interrupt in S-mode still runs tasks (device interrupts
         * go to the boot hart only); named, since on the boot hart it costs console input. */
        for (int i = 0; i < machine.nharts; i++)
            if (machine.harts[i].plic_context < 0)
                kprintf("plic: hart %u has no S-mode context (interrupts-extended); it takes no "
                        "device interrupts\n", machine.harts[i].id);
    }
    if (machine.test_dev.present)
        kprintf("poweroff: sifive,test at %#lx\n", (unsigned long)machine.test_dev.base);
    kprintf("bootargs: \"%s\"\n", machine.bootargs ? machine.bootargs : "");
}

static void read_device_tree(void *dtb)
{
    char err[160];

    /* The spec requires 8-byte alignment; anything else is not a tree OpenSBI gave us. */
    if (dtb == NULL || (uint64_t)dtb % 8 != 0)
        panic("fdt: no device tree (a1 = %p)", dtb);
    if (fdt_parse(dtb, FDT_MAX_SIZE, &machine, err, sizeof(err)) != 0)
        panic("%s", err);
}

/* Move the console from SBI to the UART the device tree describes: a 16550 (virt, and the
 * VisionFive 2's DesignWare one) or a SiFive UART (ch12: sifive_u and the HiFive boards). A
 * serial port of another kind is named, and the console stays on SBI: output only. */
static void start_console(void)
{
    if (machine.uart.present) {
        console_use_uart(machine.uart.kind == FDT_UART_SIFIVE ? UART_SIFIVE : UART_16550,
                         machine.uart.base, machine.uart.reg_shift, machine.uart.reg_io_width);
    } else if (machine.unknown_uart_name != NULL) {
        kprintf("console: %s (compatible \"%s\") is a UART hartos has no driver for; staying "
                "on the SBI console, output only\n", machine.unknown_uart_name,
                machine.unknown_uart_compatible);
    } else {
        kprintf("console: no UART in the device tree; staying on the SBI console, output "
                "only\n");
    }
}

/* `ARGS=panic`: three real frames deep, so the backtrace has something to show. */
static __attribute__((noinline)) void panic_demo_inner(const char *why)
{
    panic("on purpose (%s)", why);
}

static __attribute__((noinline)) void panic_demo_middle(const char *why)
{
    panic_demo_inner(why);
    __asm__ volatile("");   /* keep the call a call (not a tail jump) so it shows as a frame */
}

static __attribute__((noinline)) void panic_demo(const char *why)
{
    panic_demo_middle(why);
    __asm__ volatile("");
}

/* ch12: the kernel and its device tree must lie in RAM the tree describes; a tree that says
 * otherwise would have the frame allocator and the page table trust memory that is not there. */
static void check_in_ram(const char *what, uint64_t lo, uint64_t hi)
{
    for (int i = 0; i < machine.nmemory; i++)
        if (lo >= machine.memory[i].base && hi <= machine.memory[i].base + machine.memory[i].size)
            return;
    panic("memory: the %s (%#lx-%#lx) is not in the RAM the device tree describes", what,
          (unsigned long)lo, (unsigned long)hi);
}

/* Hand RAM to the frame allocator, keeping out the kernel image and the device tree (the
 * tree's own reserved ranges, OpenSBI's among them, it reserves itself), then start the heap. */
static void start_memory(void *dtb)
{
    check_in_ram("kernel image", (uint64_t)__kernel_start, (uint64_t)__kernel_end);
    check_in_ram("device tree", (uint64_t)dtb, (uint64_t)dtb + machine.totalsize);
    const uint64_t busy[][2] = {
        {(uint64_t)__kernel_start, (uint64_t)__kernel_end},
        {(uint64_t)dtb, (uint64_t)dtb + machine.totalsize},
    };
    frame_init(&machine, busy, 2);
    heap_init();

    struct frame_stats f;
    struct kheap_stats h;
    frame_stats(&f);
    kheap_stats(&h);
    kprintf("frames: %lu free of %lu pages (%lu KiB each)\n", (unsigned long)f.free,
            (unsigned long)f.total, PAGE_SIZE / 1024);
    kprintf("heap: %lu KiB arena, %lu KiB free\n", (unsigned long)(h.arena_bytes / 1024),
            (unsigned long)(h.free_bytes / 1024));
}

/* Does the ISA string (riscv,isa: "rv64imafdch_zicsr_..._sstc") name this extension? The
 * multi-letter extensions follow the base, each after an underscore. */
static bool isa_has(const char *isa, const char *ext)
{
    size_t n = strlen(ext);
    for (const char *p = isa; p && *p; p++)
        if (*p == '_' && strncmp(p + 1, ext, n) == 0 && (p[n + 1] == '_' || p[n + 1] == '\0'))
            return true;
    return false;
}

static const struct fdt_hart *boot_hart(uint64_t hartid)
{
    for (int i = 0; i < machine.nharts; i++)
        if (machine.harts[i].id == hartid)
            return &machine.harts[i];
    if (machine.harts_skipped > 0)      /* ch12: perhaps it came after the first 16 */
        panic("boot hart %lu is not among the %d harts hartos keeps (FDT_MAX_HARTS in "
              "kernel/fdt.h); the device tree lists %d more, which it skips",
              (unsigned long)hartid, FDT_MAX_HARTS, machine.harts_skipped);
    panic("boot hart %lu is not among the device tree's harts", (unsigned long)hartid);
}

static void start_timer(uint64_t hartid)
{
    uint64_t hz = TIMER_DEFAULT_HZ;
    const char *isa = boot_hart(hartid)->isa;
    bootarg_u64("hz", &hz);
    timer_init(machine.timebase_hz, hz, isa && isa_has(isa, "sstc"));
    timer_start_hart();
    kprintf("timer: %lu Hz from a %lu Hz timebase, %s\n", (unsigned long)hz,
            (unsigned long)machine.timebase_hz,
            timer_uses_sstc() ? "Sstc stimecmp" : "SBI set_timer");
}

/* Keys typed on the console: the UART raises its PLIC source for every byte received, routed
 * to this (the boot) hart's S-mode context; the line discipline (kernel/tty.c) edits them into
 * lines for SYS_read. One hart takes them all, so bytes are handled in the order they came. */
static void start_console_input(uint64_t hartid)
{
    const struct fdt_hart *h = boot_hart(hartid);
    char reason[96];
    const char *why = !console_on_uart()      ? "the console is not on a UART"
                      : machine.uart.irq == 0 ? "the UART's interrupts property is missing or 0"
                      : !machine.plic.present ? "the device tree has no PLIC"
                      : h->plic_context < 0   ? "the PLIC has no S-mode context for this hart"
                      : !plic_can_route(machine.plic.size, machine.plic.ndev, machine.uart.irq,
                                        h->plic_context, reason, sizeof(reason))
                          ? reason
                          : NULL;
    if (why != NULL) {
        kprintf("console: no input: %s (hart %lu)\n", why, (unsigned long)hartid);
        return;
    }
    plic_init(machine.plic.base, machine.plic.ndev);
    if (plic_route(machine.uart.irq, h->plic_context, uart_interrupt) != 0)
        panic("plic: cannot route UART source %u to context %d", machine.uart.irq,
              h->plic_context);
    tty_input_on();
    uart_rx_interrupts_on();
    kprintf("console: input on UART source %u, PLIC context %d (hart %lu)\n", machine.uart.irq,
            h->plic_context, (unsigned long)hartid);
}

/* balance=off (ch11); any other value is named and ignored. */
static bool balance_arg_off(void)
{
    size_t len;
    const char *v = bootarg("balance", &len);
    if (v == NULL)
        return false;
    if (len == 3 && strncmp(v, "off", 3) == 0) {
        kprintf("sched: periodic balancing off (balance=off)\n");
        return true;
    }
    kprintf("bootargs: balance=%.*s: only balance=off is known; ignored\n", (int)len, v);
    return false;
}

/* init=NAME arg...: split the words (in a copy: the line is the device tree's), run the
 * program, and power off with its exit status, so QEMU's exit code is the program's. */
static __attribute__((noreturn)) void run_init(const char *line)
{
    static char words[256];
    char *argv[USER_ARGV_MAX];
    int argc = 0;
    size_t n = strlen(line);
    if (n >= sizeof(words))
        panic("init=: the line is longer than %lu bytes", (unsigned long)sizeof(words) - 1);
    memcpy(words, line, n + 1);
    for (char *p = words; *p && argc < USER_ARGV_MAX;) {
        while (*p == ' ')
            *p++ = '\0';
        if (*p)
            argv[argc++] = p;
        while (*p && *p != ' ')
            p++;
    }
    if (argc == 0)
        panic("init= names no program");
    int err;
    struct task *t = proc_spawn(argv[0], argc, argv, &err);
    if (t == NULL) {
        kprintf("init: cannot start '%s': %s\n", argv[0], error_name(err));
        poweroff(127);
    }
    void *result;
    int status = proc_status(task_join(t, &result), result);
    task_drop(t);
    kprintf("init: '%s' exited with status %d\n", argv[0], status);
    poweroff(status);
}

/* The first task: what this boot is for. Every path ends by powering off. */
static void *main_task(void *arg)
{
    (void)arg;
    size_t glob_len;
    const char *glob = bootarg("ktest", &glob_len);
    if (glob)
        ktest_run(glob, glob_len);          /* prints TAP and powers off */
    glob = bootarg("kbench", &glob_len);
    if (glob)
        kbench_run(glob, glob_len);         /* prints `bench` lines and powers off */
    glob = bootarg("heapmap", &glob_len);
    if (glob)
        heapmap_run(glob, glob_len);        /* ch11: heap maps around T1; powers off */

    const char *init = bootargs_init_line();
    if (init)
        run_init(init);                     /* ch7: a user program; powers off with its status */

    if (bootarg_present("demo")) {
        demo_run();                         /* ch5: tasks */
        kprintf("hartos: chapter 5 done, powering off\n");
        poweroff(BOOT_EXIT_STATUS);
    }
    run_init("sh");                         /* ch8: the shell; `exit` or `poweroff` ends it */
}

void kmain(uint64_t hartid, void *dtb)
{
    hart_init(0, hartid, (uint64_t)boot_stacks, (uint64_t)boot_stacks + KSTACK_SIZE);
    kprintf("\nhartos: booting on hart %lu, device tree at %p\n", (unsigned long)hartid, dtb);
    print_sbi();                            /* ch1: the kernel speaks through SBI */

#ifdef TEST_BAD_DTB
    dtb = (char *)dtb + 8;                  /* test hook: the tree is not where a1 says */
#endif
    read_device_tree(dtb);                  /* ch2: learn the machine */
    if (machine.test_dev.present)           /* first: a UART that faults still exits with 3 */
        poweroff_use_finisher(machine.test_dev.base);
    start_console();                        /* ch2: the UART the tree names (ch12: two kinds) */
    bootargs_init(machine.bootargs);
    print_machine(dtb);

    if (bootarg_present("panic"))
        panic_demo("boot argument 'panic'");

    start_memory(dtb);                      /* ch4: page frames, then the heap on them */
    vm_init(&machine, dtb);                 /* ch7: Sv39 paging: identity map, W^X */
    trace_init(machine.nharts);             /* ch11: trace=N: the flight recorder's rings */

    sched_init_hart();                      /* ch5: this boot context becomes the idle task */
    if (balance_arg_off())
        sched_balance_off();                /* ch11: balance=off, to see the difference */
    trap_init_hart();                       /* ch3: traps go to trap_vector */
    start_timer(hartid);                    /* ch3: periodic timer interrupts */
    start_console_input(hartid);            /* ch8: keys via the PLIC into the line discipline */

    intr_on();
    smp_start(&machine, hartid);            /* ch6: every other hart, each with its own idle */

    /* ch5: the first task; pinned here (ch6), so that what it measures stays on one hart */
    if (task_spawn_local("main", main_task, NULL) == NULL)
        panic("no memory for the main task");
    sched_idle();                           /* run tasks; sleep when there are none */
}

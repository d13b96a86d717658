/* entry.S: the first kernel instructions. The firmware jumps here in S-mode with
 *   a0 = this hart's id,  a1 = physical address of the flattened device tree (DTB).
 * The first 64 bytes are the RISC-V Linux image header, so that a bootloader (U-Boot's booti,
 * ch12) knows the file as a kernel; its first instruction jumps over the rest. Then we claim
 * the boot, zero .bss, give ourselves a stack and call kmain(hartid, dtb) in C.
 * The linker script puts this section at KERNEL_BASE (0x80200000), the first byte of the image:
 * OpenSBI jumps there directly (`-kernel build/kernel.elf`), U-Boot moves build/Image there.
 */
#include "kernel/param.h"
#include "kernel/riscv.h"
#include "kernel/trap.h"

    .cfi_sections .debug_frame          /* unwind info for gdb (there is no .eh_frame) */

    .section .text.entry, "ax"
    .globl _start
_start:
    .cfi_startproc
    .cfi_undefined ra                   /* gdb: there is no caller, backtraces end here */

    /* The image header (Linux, Documentation/riscv/boot-image-header.rst), all little endian.
     * U-Boot's booti checks magic2 at offset 0x38, copies image_size bytes to the RAM base plus
     * text_offset and jumps to the first byte. Nothing here is position independent, so that
     * address must be KERNEL_BASE: RAM base 0x80000000 on QEMU virt, 0x40000000 on the
     * VisionFive 2 (make LOAD_ADDR=0x40200000). */
    .option push
    .option norvc                       /* code0: a 4-byte jump, never compressed to 2 */
    j       .Lafter_header
    .option pop
    .word   0                           /* code1 */
    .dword  0x200000                    /* text_offset: where in RAM the image goes (2 MiB) */
    .dword  __image_size                /* image_size: bytes from _start to the end of .bss */
    .dword  0                           /* flags: bit 0 clear, little endian */
    .word   0x2                         /* version 0.2: major in bits 31:16, minor in 15:0 */
    .word   0                           /* res1 */
    .dword  0                           /* res2 */
    .ascii  "RISCV\0\0\0"               /* magic (deprecated since 0.2, still written) */
    .ascii  "RSC\x05"                   /* magic2, at offset 0x38: the one booti checks */
    .word   0                           /* res3 (a PE/COFF offset for an EFI stub) */
.Lafter_header:                         /* 64 bytes in: the code proper */

    /* Interrupts stay off until ch3 installs a trap vector. */
    csrw    sie, zero

    /* Are we where we were linked? A bootloader puts the image at RAM base + text_offset,
     * which is KERNEL_BASE only if the kernel was built for this board (LOAD_ADDR). `lla` is
     * pc-relative (where we run); .Llinked holds _start's linked address. A kernel in the wrong
     * place would crash at its first absolute pointer, so say why and stop instead. */
    lla     t0, _start
    ld      t1, .Llinked
    bne     t0, t1, wrong_place

    /* Until ch3's trap_init_hart installs trap_vector, a trap (a fault in early boot) would go
     * wherever the firmware left stvec, often _start itself, and the hart would park without a
     * word (ch12). Until this hart has a stack no C can run, so trap_without_stack (below)
     * names the trap; from then on, kernel/trap.c's early_trap does. */
    la      t0, trap_without_stack
    csrw    stvec, t0

    /* OpenSBI leaves the FPU on (sstatus.FS = Dirty). The kernel never uses floating point,
     * so turn it off: a stray FP instruction then traps instead of silently working. */
    li      t0, SSTATUS_FS
    csrc    sstatus, t0

    /* Claim the boot. The first hart to swap a 1 into boot_claimed is the boot hart; it is not
     * always hart 0. The flag lives in .data because .bss is not zeroed yet. OpenSBI starts only
     * one hart here (the others wait for an SBI HSM hart_start, ch6), but a firmware that
     * releases every hart at once must not have two harts zeroing .bss under each other. */
    la      t0, boot_claimed
    li      t1, 1
    amoswap.w.aq t1, t1, (t0)
    bnez    t1, park

    /* Zero .bss (the linker script aligns both ends to 16 bytes). */
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    sd      zero, 8(t0)
    addi    t0, t0, 16
    j       1b
2:
    /* The boot hart takes stack slot 0; ch6 hands the other slots to the harts it starts.
     * Stacks grow down, so sp starts at the slot's high end. */
    la      sp, boot_stacks + KSTACK_SIZE
    li      s0, 0                       /* frame pointer 0: the end of every backtrace */
    la      tp, harts                   /* this hart's area is harts[0] (kernel/hart.h) */
    la      t0, early_trap_entry        /* a stack and a hart: C can report a trap now */
    csrw    stvec, t0

    call    kmain                       /* kmain(a0 = hartid, a1 = dtb) does not return */

park:                                   /* nothing to do: sleep forever */
    wfi
    j       park

/* Loaded at the wrong address: print the message through SBI's legacy console (it needs no
 * device tree and no C), then shut down through SBI SRST, reason "system failure" (QEMU exits
 * with 0 all the same; a board powers off), or sleep if the firmware cannot. */
wrong_place:
    lla     t0, wrong_place_msg
    jal     t6, sbi_print
    li      a7, 0x53525354              /* SBI_EXT_SRST */
    li      a6, 0                       /* SBI_SRST_RESET */
    li      a0, 0                       /* SBI_SRST_TYPE_SHUTDOWN */
    li      a1, 1                       /* SBI_SRST_REASON_FAILURE */
    ecall
    j       park
    .cfi_endproc

/* stvec's target from the moment a hart has a stack until trap_init_hart (4-byte aligned, as
 * stvec requires). kernel/trap.c's early_trap reports the trap as a panic, with a backtrace
 * that starts at the faulting function: it gets that function's ra and s0, as a trap frame
 * would hold them. A second trap while it reports goes to trap_without_stack, not back here. */
    .balign 4
early_trap_entry:
    la      t0, trap_without_stack
    csrw    stvec, t0
    mv      a0, ra
    mv      a1, s0
    j       early_trap

/* stvec's target while C cannot run: before this hart has a stack, or inside early_trap's own
 * report. Print where the trap happened through SBI's legacy console, in assembly, and stop
 * (interrupts are off: a trap clears sstatus.SIE, and sie is still 0). */
    .balign 4
trap_without_stack:
    lla     t0, trap_without_stack_msg
    jal     t6, sbi_print
    csrr    t1, sepc                    /* sepc as 16 hex digits, most significant first */
    li      t2, 60
1:  srl     a0, t1, t2
    andi    a0, a0, 0xf
    li      t3, 10
    blt     a0, t3, 2f
    addi    a0, a0, 'a' - '0' - 10
2:  addi    a0, a0, '0'
    li      a7, 0x01                    /* SBI_EXT_LEGACY_PUTCHAR */
    ecall
    addi    t2, t2, -4
    bgez    t2, 1b
    lla     t0, trap_without_stack_end
    jal     t6, sbi_print
    j       park

/* Print the NUL-terminated string at t0 through SBI's legacy console; return through t6. Uses
 * only t0, a0 and a7, and no stack. */
sbi_print:
1:  lbu     a0, 0(t0)
    beqz    a0, 2f
    li      a7, 0x01                    /* SBI_EXT_LEGACY_PUTCHAR (kernel/sbi.h): a0 = char */
    ecall
    addi    t0, t0, 1
    j       1b
2:  jr      t6

    .balign 8
.Llinked:
    .dword  _start                      /* absolute: the linker writes KERNEL_BASE here */

/* Where every other hart starts (kernel/smp.c asks OpenSBI to start it here, through the SBI
 * HSM extension): a0 = its hart id, a1 = the "opaque" value we passed, its struct hart, which
 * the boot hart filled in, stack included. */
    .globl _start_secondary
_start_secondary:
    .cfi_startproc
    .cfi_undefined ra
    csrw    sie, zero
    li      t0, SSTATUS_FS
    csrc    sstatus, t0
    la      t0, trap_without_stack      /* as on the boot hart, until trap_init_hart */
    csrw    stvec, t0
    mv      tp, a1                      /* this hart's area, as on the boot hart */
    ld      sp, HART_STACK_HI(tp)
    li      s0, 0
    la      t0, early_trap_entry
    csrw    stvec, t0
    call    kmain_secondary             /* kmain_secondary(a0 = hartid) does not return */
    j       park
    .cfi_endproc

    .section .rodata
wrong_place_msg:
    .ascii  "\r\nhartos: loaded at the wrong address: this kernel is linked elsewhere"
    .asciz  " (make LOAD_ADDR=RAM base + 0x200000)\r\n"
trap_without_stack_msg:
    .asciz  "\r\nhartos: a trap at pc 0x"
trap_without_stack_end:
    .ascii  " that this hart cannot report (it has no stack yet, or it trapped again while"
    .asciz  " reporting one); stopped\r\n"

    .section .data
    .balign 4
boot_claimed:
    .word   0

    .section .bss.stacks, "aw", @nobits
    .balign 16
    .globl boot_stacks
boot_stacks:
    .space  MAX_HARTS * KSTACK_SIZE

/* crt0.S: the first user instructions of every program (the ELF entry point). The kernel
 * enters here in U-mode with a0 = argc, a1 = argv and sp 16-byte aligned (user/syscall.h);
 * this sets up gp and tp, runs constructors, calls main, and exits with its result. */
    .section .text.start, "ax"
    .globl _start
_start:
    /* gp must be loaded without relaxation: relaxed, `la gp` would use gp itself. */
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      tp, __tls_base          /* user.ld: the TLS image, used in place */
    mv      s1, a0                  /* argc and argv survive the constructors here */
    mv      s2, a1
    call    __libc_init_array
    mv      a0, s1
    mv      a1, s2
    call    main
    call    exit                    /* picolibc: destructors, then _exit (user/lib/libc.c) */
1:  j       1b                      /* exit does not return */

/* poweroff.h: end the machine, handing a status to whoever started it (QEMU's exit code). */
#ifndef HARTOS_POWEROFF_H
#define HARTOS_POWEROFF_H

#include <stdint.h>

/* The device tree's `sifive,test` node: from now on poweroff can report a status. */
void poweroff_use_finisher(uint64_t base);

/* status 0 means success; 1..255 become QEMU's exit code. Never returns. */
__attribute__((noreturn)) void poweroff(int status);

#endif

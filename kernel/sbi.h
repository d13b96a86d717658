/* sbi.h: calls from the S-mode kernel down to the M-mode firmware (OpenSBI) through `ecall`.
 * Source: RISC-V Supervisor Binary Interface specification v1.0 (RISC-V SBI): the calling
 * convention (chapter "Binary Encoding") and one extension per group of calls, as OpenSBI's
 * lib/sbi/ keeps one file per extension. We add calls here chapter by chapter.
 */
#ifndef HARTOS_SBI_H
#define HARTOS_SBI_H

#include <stdint.h>

/* Extension IDs (EID, passed in a7). */
#define SBI_EXT_LEGACY_PUTCHAR 0x01         /* legacy console: a0 = character */
#define SBI_EXT_BASE           0x10
#define SBI_EXT_TIME           0x54494D45   /* "TIME": set_timer */
#define SBI_EXT_IPI            0x735049     /* "sPI": send_ipi */
#define SBI_EXT_HSM            0x48534D     /* "HSM": hart state management */
#define SBI_EXT_SRST           0x53525354   /* "SRST": system reset */
#define SBI_EXT_RFENCE         0x52464E43   /* "RFNC": remote fences */

/* Base extension function IDs (FID, passed in a6). */
#define SBI_BASE_GET_SPEC_VERSION 0
#define SBI_BASE_GET_IMPL_ID      1
#define SBI_BASE_GET_IMPL_VERSION 2
#define SBI_BASE_PROBE_EXTENSION  3

/* SRST: function 0 is system_reset(type, reason). */
#define SBI_SRST_RESET            0
#define SBI_SRST_TYPE_SHUTDOWN    0
#define SBI_SRST_REASON_NONE      0
#define SBI_SRST_REASON_FAILURE   1

/* Standard error codes (SBI spec, "Standard SBI Errors"), returned in sbiret.error. */
#define SBI_SUCCESS                0
#define SBI_ERR_FAILED            -1
#define SBI_ERR_NOT_SUPPORTED     -2
#define SBI_ERR_INVALID_PARAM     -3
#define SBI_ERR_DENIED            -4
#define SBI_ERR_INVALID_ADDRESS   -5
#define SBI_ERR_ALREADY_AVAILABLE -6
#define SBI_ERR_ALREADY_STARTED   -7
#define SBI_ERR_ALREADY_STOPPED   -8

/* Every SBI v0.2+ call returns a pair: an error code in a0 and a value in a1. */
struct sbiret {
    long error;
    long value;
};

struct sbiret sbi_call(uint64_t eid, uint64_t fid, uint64_t arg0, uint64_t arg1, uint64_t arg2);
struct sbiret sbi_call4(uint64_t eid, uint64_t fid, uint64_t arg0, uint64_t arg1, uint64_t arg2,
                        uint64_t arg3);
const char *sbi_strerror(long error);

void sbi_legacy_putchar(int c);
long sbi_probe_extension(uint64_t eid);     /* 0 if absent, else an extension-defined nonzero */
uint64_t sbi_spec_version(void);            /* bits 30:24 major, 23:0 minor */
uint64_t sbi_impl_id(void);
uint64_t sbi_impl_version(void);
const char *sbi_impl_name(uint64_t impl_id);
struct sbiret sbi_system_reset(uint32_t type, uint32_t reason);   /* returns only on failure */
void sbi_set_timer(uint64_t when);          /* timer interrupt when time >= when */
/* Start a stopped hart at start_addr in S-mode with a0 = hartid, a1 = opaque. */
struct sbiret sbi_hart_start(uint64_t hartid, uint64_t start_addr, uint64_t opaque);
/* A supervisor software interrupt to each hart whose bit is set: hart id = base + bit. */
struct sbiret sbi_send_ipi(uint64_t hart_mask, uint64_t hart_mask_base);
/* sfence.vma on each hart in the mask for [start, start + size); start = size = 0 flushes all.
 * OpenSBI returns once every target hart has done it. */
struct sbiret sbi_remote_sfence_vma(uint64_t hart_mask, uint64_t hart_mask_base, uint64_t start,
                                    uint64_t size);

#endif

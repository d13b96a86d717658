/* sbi.c: the one place the kernel executes `ecall` to reach OpenSBI (M-mode).
 * Calling convention (SBI spec v1.0, "Binary Encoding"): EID in a7, FID in a6, arguments in
 * a0..a5; the firmware returns an error code in a0 and a value in a1 and preserves all other
 * registers.
 */
#include "kernel/sbi.h"

struct sbiret sbi_call(uint64_t eid, uint64_t fid, uint64_t arg0, uint64_t arg1, uint64_t arg2)
{
    return sbi_call4(eid, fid, arg0, arg1, arg2, 0);
}

struct sbiret sbi_call4(uint64_t eid, uint64_t fid, uint64_t arg0, uint64_t arg1, uint64_t arg2,
                        uint64_t arg3)
{
    register uint64_t a0 __asm__("a0") = arg0;
    register uint64_t a1 __asm__("a1") = arg1;
    register uint64_t a2 __asm__("a2") = arg2;
    register uint64_t a3 __asm__("a3") = arg3;
    register uint64_t a6 __asm__("a6") = fid;
    register uint64_t a7 __asm__("a7") = eid;
    __asm__ volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a3), "r"(a6), "r"(a7) : "memory");
    return (struct sbiret){ .error = (long)a0, .value = (long)a1 };
}

const char *sbi_strerror(long error)
{
    switch (error) {
    case SBI_SUCCESS:               return "success";
    case SBI_ERR_FAILED:            return "failed";
    case SBI_ERR_NOT_SUPPORTED:     return "not supported";
    case SBI_ERR_INVALID_PARAM:     return "invalid parameter";
    case SBI_ERR_DENIED:            return "denied";
    case SBI_ERR_INVALID_ADDRESS:   return "invalid address";
    case SBI_ERR_ALREADY_AVAILABLE: return "already available";
    case SBI_ERR_ALREADY_STARTED:   return "already started";
    case SBI_ERR_ALREADY_STOPPED:   return "already stopped";
    default:                        return "unknown SBI error";
    }
}

/* The legacy console (SBI v0.1) prints one byte with no error pair. It is the only output we
 * have before the kernel knows where the UART is; OpenSBI 1.1 has no newer DBCN extension. */
void sbi_legacy_putchar(int c)
{
    sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (uint64_t)c, 0, 0);
}

long sbi_probe_extension(uint64_t eid)
{
    struct sbiret r = sbi_call(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, eid, 0, 0);
    return r.error ? 0 : r.value;
}

uint64_t sbi_spec_version(void)
{
    return (uint64_t)sbi_call(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0).value;
}

uint64_t sbi_impl_id(void)
{
    return (uint64_t)sbi_call(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID, 0, 0, 0).value;
}

uint64_t sbi_impl_version(void)
{
    return (uint64_t)sbi_call(SBI_EXT_BASE, SBI_BASE_GET_IMPL_VERSION, 0, 0, 0).value;
}

/* Implementation IDs are assigned in the SBI spec ("SBI Implementation IDs"). */
const char *sbi_impl_name(uint64_t impl_id)
{
    static const char *const names[] = {
        "Berkeley Boot Loader", "OpenSBI", "Xvisor", "KVM", "RustSBI", "Diosix", "Coffer",
    };
    if (impl_id < sizeof(names) / sizeof(names[0]))
        return names[impl_id];
    return "unknown SBI implementation";
}

struct sbiret sbi_system_reset(uint32_t type, uint32_t reason)
{
    return sbi_call(SBI_EXT_SRST, SBI_SRST_RESET, type, reason, 0);
}

/* TIME extension, function 0: program this hart's timer. It also clears a pending timer
 * interrupt, so it is how the timer interrupt is acknowledged without Sstc. */
void sbi_set_timer(uint64_t when)
{
    sbi_call(SBI_EXT_TIME, 0, when, 0, 0);
}

/* HSM extension, function 0: hart_start (SBI spec, "Hart State Management Extension"). */
struct sbiret sbi_hart_start(uint64_t hartid, uint64_t start_addr, uint64_t opaque)
{
    return sbi_call(SBI_EXT_HSM, 0, hartid, start_addr, opaque);
}

/* IPI extension, function 0: send_ipi. */
struct sbiret sbi_send_ipi(uint64_t hart_mask, uint64_t hart_mask_base)
{
    return sbi_call(SBI_EXT_IPI, 0, hart_mask, hart_mask_base, 0);
}

/* RFENCE extension, function 1: remote_sfence_vma (SBI spec, "RFENCE Extension"). */
struct sbiret sbi_remote_sfence_vma(uint64_t hart_mask, uint64_t hart_mask_base, uint64_t start,
                                    uint64_t size)
{
    return sbi_call4(SBI_EXT_RFENCE, 1, hart_mask, hart_mask_base, start, size);
}

/* fdt_fuzz.c -- libFuzzer target: any byte string, handed to fdt_parse as a blob of exactly
 * that many bytes, must be accepted or refused with a message -- never read out of bounds
 * (ASan) or hit undefined behaviour (UBSan). Seed it with the trees gen-dtbs.sh writes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/fdt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fdt_info info;
    char err[128];
    uint32_t len;

    /* Copy to an exact-size heap block, so even a one-byte overrun is caught. */
    uint8_t *blob = malloc(size ? size : 1);
    memcpy(blob, data, size);
    int rc = fdt_parse(blob, size, &info, err, sizeof err);
    if (rc < 0 && (err[0] == '\0' || strlen(err) >= sizeof err))
        abort(); /* every refusal must say why */
    if (rc == 0) {
        /* Accepted: the generic lookup and every returned string must be in bounds too. */
        fdt_find_prop(blob, "/chosen", "bootargs", &len);
        fdt_find_prop(blob, "/cpus/cpu@0", "riscv,isa", &len);
        for (int i = 0; i < info.nharts; i++)
            if (info.harts[i].isa)
                (void)strlen(info.harts[i].isa);
        if (info.bootargs)
            (void)strlen(info.bootargs);
        if (info.uart.present)
            (void)strlen(info.uart.compatible);
    }
    free(blob);
    return 0;
}

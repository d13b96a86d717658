/* sleep.c: sleep N  -- waits N seconds (the kernel's sleep_ms: no CPU used), then exits 0. */
#include <stdio.h>
#include <stdlib.h>

#include "user/lib/sys.h"

int main(int argc, char **argv)
{
    char *end = NULL;
    long s = argc == 2 ? strtol(argv[1], &end, 10) : -1;
    if (argc != 2 || *argv[1] == '\0' || *end != '\0' || s < 0 || s > 86400) {
        printf("sleep: usage: sleep SECONDS (0..86400)\n");
        return 2;
    }
    sys_sleep_ms((unsigned long)s * 1000);
    return 0;
}

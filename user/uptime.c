/* uptime.c: how long the machine has been up, from the kernel's clock (SYS_uptime_ms). */
#include <stdio.h>

#include "user/lib/sys.h"

int main(void)
{
    long ms = sys_uptime_ms();
    printf("up %ld.%03ld s\n", ms / 1000, ms % 1000);
    return 0;
}

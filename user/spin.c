/* spin.c: burns CPU time, for watching preemption, ps and Ctrl-C from the shell.
 *   spin          forever (until killed)
 *   spin MS       for MS milliseconds of wall time, then exits 0 */
#include <stdio.h>
#include <stdlib.h>

#include "user/lib/sys.h"

int main(int argc, char **argv)
{
    long ms = -1;
    if (argc > 1) {
        char *end;
        ms = strtol(argv[1], &end, 10);
        if (*argv[1] == '\0' || *end != '\0' || ms < 0) {
            printf("spin: '%s' is not a number of milliseconds\n", argv[1]);
            return 2;
        }
    }
    if (ms < 0)     /* say so: it will not end by itself */
        printf("spin: pid %ld spinning until killed (Ctrl-C, or kill %ld)\n", sys_getpid(),
               sys_getpid());
    long until = sys_uptime_ms() + ms;
    volatile unsigned long work = 0;
    while (ms < 0 || sys_uptime_ms() < until)
        for (int i = 0; i < 100000; i++)
            work++;             /* no syscall in here: only the timer can take the hart away */
    return 0;
}

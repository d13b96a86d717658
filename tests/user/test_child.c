/* test_child.c: the program the usertests spawn (tests/user.sh, tests/kernel/proc_test.c). What
 * it does is its first argument:
 *   test_child              exits 50 if it got its name alone as argv (argc 1, argv[1] NULL)
 *   test_child exit N       exits N (the kernel keeps N & 0xff)
 *   test_child argc ...     exits argc
 *   test_child argv one "two words"   exits 0 if argv arrived exactly so, else 60..66
 *   test_child print TEXT   prints "test_child: TEXT" and exits 0
 *   test_child sleep MS     sleeps MS milliseconds, exits 0
 *   test_child spin         loops forever without a system call: only preemption stops it
 *   test_child orphan       spawns "test_child print orphan finished" and exits 0 at once,
 *                           without waiting: the grandchild runs on
 *   test_child waiter       spawns "test_child sleep 100000" and waits for it: blocked in wait
 *                           (for its killer to interrupt), exits 0 if the wait ever ends */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "user/lib/sys.h"

static int argv_arrived(int argc, char **argv)
{
    if (argc != 4)
        return 60;
    if (strcmp(argv[0], "test_child") != 0)
        return 61;
    if (strcmp(argv[2], "one") != 0)
        return 62;
    if (strcmp(argv[3], "two words") != 0)
        return 63;
    if (argv[4] != NULL)
        return 64;
    /* Where the loader put them (user/syscall.h): argv[] 8-byte aligned on the stack, the
     * strings above it, below the top of the user range. */
    if ((uintptr_t)argv % 8 != 0 || (uintptr_t)argv < USER_TOP - USER_STACK_SIZE)
        return 65;
    for (int i = 0; i < argc; i++)
        if ((uintptr_t)argv[i] <= (uintptr_t)&argv[argc] || (uintptr_t)argv[i] >= USER_TOP)
            return 66;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return argc == 1 && strcmp(argv[0], "test_child") == 0 && argv[1] == NULL ? 50 : 51;
    const char *mode = argv[1];
    if (strcmp(mode, "exit") == 0 && argc == 3)
        return atoi(argv[2]);
    if (strcmp(mode, "argc") == 0)
        return argc;
    if (strcmp(mode, "argv") == 0)
        return argv_arrived(argc, argv);
    if (strcmp(mode, "print") == 0 && argc == 3) {
        printf("test_child: %s\n", argv[2]);
        return 0;
    }
    if (strcmp(mode, "sleep") == 0 && argc == 3)
        return (int)sys_sleep_ms((unsigned long)atol(argv[2]));
    if (strcmp(mode, "orphan") == 0) {
        char *grandchild[] = {"test_child", "print", "orphan finished", NULL};
        return sys_spawn("test_child", grandchild) > 0 ? 0 : 1;
    }
    if (strcmp(mode, "waiter") == 0) {
        char *grandchild[] = {"test_child", "sleep", "100000", NULL};
        long pid = sys_spawn("test_child", grandchild);
        return pid > 0 && sys_wait(pid, NULL) == pid ? 0 : 1;
    }
    if (strcmp(mode, "spin") == 0)
        for (;;)
            __asm__ volatile("");
    printf("test_child: unknown mode '%s'\n", mode);
    return 99;
}

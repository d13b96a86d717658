/* atk_ctrlc.c: Ctrl-C and SPAWN_FOREGROUND, driven from the host (tools: a script types ^C
 * when it sees a line). user/syscall.h: with SPAWN_FOREGROUND "the new program is the
 * console's foreground (the one Ctrl-C kills) from before it first runs, so a Ctrl-C typed at
 * once cannot fall between the spawn and a separate SYS_foreground". But the kernel makes it
 * the foreground only when it first runs (kernel/proc.c, user_start -> tty_hand_foreground),
 * not in spawn: until its hart gets to it, Ctrl-C still goes to the old foreground (none: the
 * shell gets an empty line) and the new program then runs on, never interrupted.
 *
 *   atk_ctrlc basic   spawn a spinner with SPAWN_FOREGROUND, say "ctrlc: ready"; the host
 *                     types ^C; the spinner must end with 137.
 *   atk_ctrlc window  (run on one hart) first fill the run queue with background spinners, so
 *                     that the job waits its turn; spawn it with SPAWN_FOREGROUND and say
 *                     "ctrlc: ready" at once; the host types ^C. The job must be killed (137);
 *                     failing that, the ^C reached the shell as an empty line: check 3. */
#include "tests/user/atk.h"

#define SPINNERS 20

int main(int argc, char **argv)
{
    check_program = "atk_ctrlc";
    if (argc > 1 && strcmp(argv[1], "spin") == 0)
        for (;;)
            __asm__ volatile("");
    bool window = argc > 1 && strcmp(argv[1], "window") == 0;
    long bg[SPINNERS];
    int nbg = window ? SPINNERS : 0;
    for (int i = 0; i < nbg; i++) {
        bg[i] = atk_self("atk_ctrlc", "spin", NULL, NULL);
        CHECK(1, bg[i] > 0, "spawn a background spinner");
    }
    char *job[] = {"atk_ctrlc", "spin", NULL};
    long pid = sys_spawn_flags("atk_ctrlc", job, SPAWN_FOREGROUND);
    CHECK(2, pid > 0, "spawn the job in the foreground");
    sys_write(1, "ctrlc: ready\n", 13);
    int status = -1;
    if (window) {
        /* The ^C must reach the job, which ends once it runs (20 spinners' slices may come
         * first). Before the fix it went to us as an empty line, and the job ran on. */
        long r = 0;
        uint64_t until = atk_time() + 10 * 10000000UL;
        while ((r = sys_wait_flags(pid, &status, WAIT_NOHANG)) == 0 && atk_time() < until)
            sys_sleep_ms(10);
        printf("atk_ctrlc: the job %s\n", r == pid ? "was killed" : "runs on");
        CHECK(3, r == pid, "the ^C typed after spawn returned killed the SPAWN_FOREGROUND job");
    } else {
        CHECK_EQ(4, sys_wait(pid, &status), pid);
    }
    CHECK_EQ(5, status, WSTATUS_KILLED);
    for (int i = 0; i < nbg; i++) {
        sys_kill(bg[i]);
        sys_wait(bg[i], NULL);
    }
    printf("atk_ctrlc: all checks passed\n");
    return 0;
}

/* sh.c: the shell, the program hartos starts when no init= is given (kernel/main.c). It reads
 * a line from the console (kernel/tty.c does the editing), runs a built-in or spawns the
 * program of that name, and waits for it with the console's Ctrl-C pointed at it. A trailing
 * `&` runs it in the background instead; finished background jobs are reported at the prompt.
 * The kernel keeps the list of jobs (our children): wait(-1) finds the finished ones, however
 * many there are, so the shell keeps no table that could overflow.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "user/lib/sys.h"

#define LINE_MAX 257            /* the tty's longest line (256 with its newline) plus a NUL */
#define ARGS_MAX 16
#define NAME_MAX 32

static int last_status;

/* "[4] killed", "[4] done: exited with status 0": how a background job ended. */
static void print_status(long pid, const char *what, int status)
{
    const char *sep = *what ? ": " : "";
    if (status == WSTATUS_KILLED)
        printf("[%ld] %s%skilled\n", pid, what, sep);
    else if (status == WSTATUS_FAULT || status == WSTATUS_ILLEGAL)
        printf("[%ld] %s%scrashed (status %d)\n", pid, what, sep, status);
    else
        printf("[%ld] %s%sexited with status %d\n", pid, what, sep, status);
}

/* Background jobs that have ended: reap each and say so. WAIT_NOHANG: never block here; the
 * loop ends when every job left still runs (0) or there is none (-ECHILD). */
static void reap_jobs(void)
{
    int status;
    long pid;
    while ((pid = sys_wait_flags(-1, &status, WAIT_NOHANG)) > 0)
        print_status(pid, "done", status);
}

static void cmd_help(void)
{
    printf("built-ins:\n"
           "  help            this list\n"
           "  ls              the programs you can run\n"
           "  ps              every task: pid, state, hart, ticks, name\n"
           "  kill PID        end a program this shell started\n"
           "  exit [N]        leave the shell (the machine powers off with status N)\n"
           "  poweroff        power the machine off now\n"
           "run a program: NAME [ARG ...], with a trailing & to run it in the background\n"
           "keys: Backspace, Ctrl-U (erase line), Ctrl-C (kill the program), Ctrl-D (end of "
           "input);\n"
           "  arrows, Home, End and Delete do nothing yet\n");
}

static void cmd_ls(void)
{
    char name[NAME_MAX];
    int col = 0;
    for (long i = 0; sys_program_name(i, name, sizeof(name)) >= 0; i++) {
        int len = (int)strlen(name);
        if (col > 0 && col + 1 + len > 72) {
            printf("\n");
            col = 0;
        }
        printf("%s%s", col ? " " : "", name);
        col += (col ? 1 : 0) + len;
    }
    printf("\n");
}

static void cmd_ps(void)
{
    static const char *const states[] = {"ready", "running", "blocked", "exited"};
    static struct task_info tasks[64];
    long n = sys_tasks(tasks, 64);
    printf("  PID STATE    HART    TICKS NAME\n");
    for (long i = 0; i < n; i++) {
        struct task_info *t = &tasks[i];
        const char *state = t->state >= 0 && t->state <= 3 ? states[t->state] : "?";
        printf("%5d %-8s %4u %8lu %s\n", (int)t->pid, state, (unsigned)t->hart_id,
               (unsigned long)t->ticks, t->name);
    }
}

/* A whole decimal number, or -1. */
static long parse_number(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    return *s != '\0' && *end == '\0' && v >= 0 ? v : -1;
}

static int cmd_kill(int argc, char **argv)
{
    long pid = argc == 2 ? parse_number(argv[1]) : -1;
    if (pid < 0) {
        printf("sh: kill: usage: kill PID (a number; see ps)\n");
        return 2;
    }
    long r = sys_kill(pid);
    if (r == -ESRCH) {
        printf("sh: kill: %ld is not a program this shell started\n", pid);
        return 1;
    }
    if (r < 0) {
        printf("sh: kill: %ld: %s\n", pid, error_name(r));
        return 1;
    }
    /* A killed program ends at its next switch point, soon: wait for it here, so that its
     * end is reported now and not at some later prompt. */
    int status;
    if (sys_wait(pid, &status) == pid)
        print_status(pid, "", status);
    return 0;
}

/* Spawn argv[0]; wait for it unless background. Returns the status for the prompt. */
static int run_program(int argc, char **argv, int background)
{
    (void)argc;
    long pid = sys_spawn_flags(argv[0], argv, background ? 0 : SPAWN_FOREGROUND);
    if (pid == -ENOENT) {
        printf("sh: %s: unknown command (type 'help' for built-ins, 'ls' for programs)\n",
               argv[0]);
        return 127;
    }
    if (pid < 0) {
        printf("sh: %s: cannot start it: %s\n", argv[0], error_name(pid));
        return 126;
    }
    if (background) {
        printf("[%ld] %s\n", pid, argv[0]);  /* reap_jobs reports its end */
        return 0;
    }
    int status = 0;
    sys_wait(pid, &status);     /* SPAWN_FOREGROUND: Ctrl-C kills it meanwhile */
    sys_foreground(0);          /* and from now on only gives the shell an empty line */
    if (status == WSTATUS_FAULT || status == WSTATUS_ILLEGAL)
        printf("sh: %s crashed (status %d)\n", argv[0], status);
    return status;
}

/* Split at spaces and tabs; a last word `&` (or a last word ending in &) asks for the
 * background. Returns argc, or -1 if there are too many words. */
static int split(char *line, char **argv, int *background)
{
    int argc = 0;
    *background = 0;
    for (char *p = line; *p;) {
        while (*p == ' ' || *p == '\t')
            *p++ = '\0';
        if (*p == '\0')
            break;
        if (argc == ARGS_MAX - 1)
            return -1;
        argv[argc++] = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
    }
    if (argc > 0) {
        char *last = argv[argc - 1];
        size_t len = strlen(last);
        if (last[len - 1] == '&') {
            *background = 1;
            last[len - 1] = '\0';
            if (len == 1)
                argc--;
        }
    }
    argv[argc] = NULL;
    return argc;
}

static void run_line(char *line)
{
    char *argv[ARGS_MAX];
    int background;
    int argc = split(line, argv, &background);
    if (argc < 0) {
        printf("sh: more than %d words\n", ARGS_MAX - 1);
        last_status = 2;
        return;
    }
    if (argc == 0)
        return;                 /* an empty line (or Ctrl-C at the prompt) keeps the status */
    const char *cmd = argv[0];
    if (strcmp(cmd, "help") == 0) {
        cmd_help();
        last_status = 0;
    } else if (strcmp(cmd, "ls") == 0) {
        cmd_ls();
        last_status = 0;
    } else if (strcmp(cmd, "ps") == 0) {
        cmd_ps();
        last_status = 0;
    } else if (strcmp(cmd, "kill") == 0) {
        last_status = cmd_kill(argc, argv);
    } else if (strcmp(cmd, "exit") == 0) {
        long status = argc == 1 ? 0 : argc == 2 ? parse_number(argv[1]) : -1;
        if (status < 0 || status > 255) {
            printf("sh: exit: usage: exit [N] (N: a status, 0..255)\n");
            last_status = 2;        /* a usage error, like kill's; the shell stays */
            return;
        }
        exit((int)status);
    } else if (strcmp(cmd, "poweroff") == 0) {
        fflush(stdout);
        sys_poweroff(0);
    } else {
        last_status = run_program(argc, argv, background);
    }
}

int main(void)
{
    char line[LINE_MAX];
    printf("sh: the hartos shell; 'help' lists what it knows\n");
    for (;;) {
        reap_jobs();
        if (last_status != 0)
            printf("sh[%d]$ ", last_status);
        else
            printf("sh$ ");
        fflush(stdout);         /* the prompt has no newline to flush it */
        long n = sys_read(0, line, LINE_MAX - 1);
        if (n <= 0) {           /* Ctrl-D on an empty line: end of input, like exit */
            printf("exit\n");
            return 0;
        }
        line[n] = '\0';
        if (line[n - 1] == '\n')
            line[n - 1] = '\0';
        else
            printf("\n");       /* Ctrl-D in mid-line: the line so far, on its own line */
        run_line(line);
    }
}

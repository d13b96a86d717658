/* proc_test.c: in-kernel tests of kernel/proc.c: user programs started from a kernel task with
 * proc_spawn, as init is. However a program ends (it returns, it faults, it is aborted), its
 * status says so, and everything it had (address space, stack frames, task, kernel heap) comes
 * back: the frame and heap counts return to where they were. The programs are
 * tests/user/test_child.c and test_fault.c. */
#include "heap/frame.h"
#include "heap/kheap.h"
#include "kernel/elf.h"
#include "kernel/ktest.h"
#include "kernel/proc.h"
#include "kernel/programs.h"
#include "kernel/string.h"
#include "task/task.h"
#include "user/syscall.h"

/* What a program could leave behind: frames, heap bytes, tasks. */
struct usage {
    size_t frames_used, heap_used;
    int tasks;
};

/* A task is reclaimed by the next switch on the hart it ended on, which may be a moment after
 * task_join returned here: wait (a little) for the count to settle first. On parallel harts the
 * warm-up run's task may still be unreclaimed when a test takes its baseline, so the baseline
 * settles to the count from before the warm-up. */
static void usage_now(struct usage *u, int settle_to)
{
    for (int i = 0; i < 100 && task_count() > settle_to; i++)
        task_sleep_ms(1);
    struct frame_stats f;
    struct kheap_stats h;
    frame_stats(&f);
    kheap_stats(&h);
    u->frames_used = f.used - task_cache_frames();  /* ended tasks kept for reuse (ch10) */
    u->heap_used = h.used_bytes;
    u->tasks = task_count();
}

#define KT_EXPECT_SAME_USAGE(before)                                                        \
    do {                                                                                    \
        struct usage after_;                                                                \
        usage_now(&after_, (before).tasks);                                                 \
        KT_EXPECTF(after_.tasks == (before).tasks, "%d tasks not reclaimed",                \
                   after_.tasks - (before).tasks);                                          \
        KT_EXPECTF(after_.frames_used == (before).frames_used, "frames used %lu -> %lu",    \
                   (unsigned long)(before).frames_used, (unsigned long)after_.frames_used); \
        KT_EXPECTF(after_.heap_used == (before).heap_used, "heap used %lu -> %lu bytes",    \
                   (unsigned long)(before).heap_used, (unsigned long)after_.heap_used);     \
    } while (0)

/* Start a program, wait for it, drop it: its status, or -1000 + the spawn error. */
static int run_program(int argc, char *const argv[])
{
    int err;
    struct task *t = proc_spawn(argv[0], argc, argv, &err);
    if (t == NULL)
        return -1000 + err;
    void *result;
    int status = proc_status(task_join(t, &result), result);
    task_drop(t);
    return status;
}

/* 200 programs one after another, each exiting with its own code; one run first, so the heap
 * has grown (if it grows) before the count is taken. */
KTEST(proc_two_hundred_no_leak)
{
    int tasks0 = ktest_tasks_settled();
    char code[4] = "0";
    char *argv[] = {"test_child", "exit", code, NULL};
    KT_EXPECT(run_program(3, argv) == 0);
    struct usage before;
    usage_now(&before, tasks0);
    for (int i = 0; i < 200; i++) {
        code[0] = (char)('0' + i / 100), code[1] = (char)('0' + i / 10 % 10);
        code[2] = (char)('0' + i % 10), code[3] = '\0';
        int status = run_program(3, argv);
        KT_EXPECTF(status == i, "run %d: status %d, expected %d", i, status, i);
    }
    KT_EXPECT_SAME_USAGE(before);
}

/* A program that faults is reaped with WSTATUS_FAULT (and an illegal instruction with
 * WSTATUS_ILLEGAL), and leaves nothing behind. */
KTEST(proc_fault_reaped)
{
    int tasks0 = ktest_tasks_settled();
    char *null_load[] = {"test_fault", "null", NULL};
    char *illegal[] = {"test_fault", "illegal", NULL};
    KT_EXPECT(run_program(2, null_load) == WSTATUS_FAULT);         /* warm-up */
    struct usage before;
    usage_now(&before, tasks0);
    for (int i = 0; i < 10; i++) {
        KT_EXPECT(run_program(2, null_load) == WSTATUS_FAULT);
        KT_EXPECT(run_program(2, illegal) == WSTATUS_ILLEGAL);
    }
    KT_EXPECT_SAME_USAGE(before);
}

/* A program that spins in U-mode, never making a system call, is ended by task_abort (at its
 * next trap: the timer's), and its status is WSTATUS_KILLED. */
KTEST(proc_abort_spinning)
{
    int tasks0 = ktest_tasks_settled();
    char *spin[] = {"test_child", "spin", NULL};
    char *exit_0[] = {"test_child", "exit", "0", NULL};
    KT_EXPECT(run_program(3, exit_0) == 0);                         /* warm-up */
    struct usage before;
    usage_now(&before, tasks0);
    int err = 0;
    struct task *t = proc_spawn("test_child", 2, spin, &err);
    KT_EXPECTF(t != NULL, "spawn test_child spin: %s", error_name(err));
    for (int i = 0; i < 200 && t->ticks_run < 2; i++)
        task_sleep_ms(5);                       /* let it spin a few ticks in U-mode */
    KT_EXPECTF(t->ticks_run >= 2, "the spinner ran %lu ticks", (unsigned long)t->ticks_run);
    task_abort(t);
    void *result;
    int rc = task_join(t, &result);
    task_drop(t);
    KT_EXPECTF(rc == TASK_EABORTED, "task_join gave %d", rc);
    KT_EXPECT(proc_status(rc, result) == WSTATUS_KILLED);
    KT_EXPECT_SAME_USAGE(before);
}

/* spawn's errors from a kernel task: nothing is allocated on the way out. */
KTEST(proc_spawn_errors_no_leak)
{
    char *missing[] = {"no_such_program", NULL};
    char *too_many[USER_ARGV_MAX + 2];
    too_many[0] = "test_child";
    for (int i = 1; i < USER_ARGV_MAX + 1; i++)
        too_many[i] = "argc";                   /* test_child argc ... exits argc */
    too_many[USER_ARGV_MAX + 1] = NULL;
    struct usage before;
    usage_now(&before, task_count());
    KT_EXPECT(run_program(1, missing) == -1000 - ENOENT);
    KT_EXPECT(run_program(USER_ARGV_MAX + 1, too_many) == -1000 - E2BIG);
    KT_EXPECT(run_program(USER_ARGV_MAX, too_many) == USER_ARGV_MAX);
    KT_EXPECT_SAME_USAGE(before);
}

/* A copy of hello whose writable segment is made write-only: Sv39 cannot map that (W without
 * R is reserved), so spawn must refuse it as it refuses any file it will not load, with
 * -ENOEXEC and a message, not let it through to fail half-loaded inside the loader. */
KTEST(proc_spawn_refuses_unmappable_segment)
{
    const struct user_program *hello = program_find("hello");
    KT_EXPECT(hello != NULL);
    uint8_t *copy = kmalloc(hello->size);
    KT_EXPECT(copy != NULL);
    memcpy(copy, hello->image, hello->size);
    uint64_t phoff = 0, phnum = copy[56] | copy[57] << 8;  /* e_phoff, e_phnum (little-endian) */
    for (int i = 7; i >= 0; i--)
        phoff = phoff << 8 | copy[32 + i];
    int changed = 0;
    for (uint64_t i = 0; i < phnum; i++) {
        uint8_t *ph = copy + phoff + 56 * i;            /* p_type at 0, p_flags at 4 */
        if (ph[0] == 1 && (ph[4] & ELF_PF_W))
            ph[4] = ELF_PF_W, changed++;
    }
    KT_EXPECT(changed == 1);
    struct user_program bad = {"hello-w-only", copy, hello->size};
    char *argv[] = {"hello-w-only", NULL};
    struct usage before;
    usage_now(&before, task_count());
    int err = 0;
    struct task *t = proc_spawn_image(&bad, 1, argv, 0, &err);
    KT_EXPECTF(t == NULL && err == -ENOEXEC, "spawn gave %p, %s", (void *)t,
               t ? "no error" : error_name(err));
    KT_EXPECT_SAME_USAGE(before);
    kfree(copy);
}

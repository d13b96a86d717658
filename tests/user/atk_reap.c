/* atk_reap.c: the plainest spawn + wait(pid) + wait(-1). Built with -DHARTOS_RACE, the first
 * wait panics: proc_wait -> task_drop -> task_put -> stack_free -> vm_kernel_unguard calls
 * this_hart() with interrupts on (kernel/vm.c, "if (this_hart()->held)"), before its
 * intr_save. In the plain build that read is a one-instruction window: a task preempted
 * between `mv rX, tp` and the load moves to another hart and reads the old hart's held lock
 * chain, and may panic "vm_kernel_unguard with lock ... held" for a lock it does not hold. */
#include "tests/user/atk.h"

int main(int argc, char **argv)
{
    check_program = "atk_reap";
    int rounds = argc > 1 ? atoi(argv[1]) : 1;
    for (int i = 0; i < rounds; i++) {
        char *child[] = {"test_child", "exit", "7", NULL};
        long pid = spawn_child(child);
        int status = -1;
        CHECK_EQ(2, sys_wait(i % 2 ? -1 : pid, &status), pid);
        CHECK_EQ(3, status, 7);
    }
    printf("atk_reap: all %d rounds passed\n", rounds);
    return 0;
}

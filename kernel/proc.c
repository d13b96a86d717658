/* proc.c: user programs: loading one into a fresh address space, entering U-mode, and how it
 * ends (see kernel/proc.h). The loader trusts nothing in the ELF file that elf_check has not
 * checked, and on any failure it frees what it built, so a refused program costs nothing.
 */
#include "kernel/proc.h"
#include "heap/kheap.h"
#include "kernel/elf.h"
#include "kernel/format.h"
#include "kernel/hart.h"
#include "kernel/panic.h"
#include "kernel/printf.h"
#include "kernel/programs.h"
#include "kernel/riscv.h"
#include "kernel/string.h"
#include "kernel/trap.h"
#include "kernel/tty.h"
#include "kernel/vm.h"
#include "task/task.h"
#include "user/syscall.h"

/* A program this one spawned and has not waited for: the handle of its task, and whether it
 * has ended (for wait(-1)). */
struct child {
    struct list_node node;          /* on the parent's children list (the parent's task only) */
    struct task *task;              /* the handle (the parent's task only) */
    struct proc *parent;            /* whose child it is: set before the child runs, then fixed */
    bool ended;                     /* family.lock to set (proc_ended); the parent also reads it
                                       without: it only ever goes from false to true */
};

/* Parents and children end on different harts at any time. This queue's lock guards every
 * proc's as_child and children_ended and every child's `ended` (the part xv6's wait_lock
 * plays); a parent in wait(-1) with nothing to reap sleeps on it, and every program's end
 * wakes them all, each to look at its own count. One queue for every parent keeps the rule
 * simple; a wake-up costs each waiting parent one look. Each hold is O(1): the work a program
 * can make long (its number of children) is done between holds. Lock order: this, then the run
 * queues (a wake-up). */
static struct wait_queue family = {SPINLOCK_INIT("family", LOCK_WAIT), LIST_INIT(family.waiters)};

static uint64_t page_down(uint64_t a) { return a & ~(uint64_t)(PAGE_SIZE - 1); }
static uint64_t page_up(uint64_t a) { return page_down(a + PAGE_SIZE - 1); }

/* elf_check promises that every plan maps; so the loader's only expected failure is running
 * out of memory, and anything else is that promise broken. Either way the message names it:
 * "segment 2 at 0x40002000: out of memory". Returns the error spawn gives: -ENOMEM, or
 * -ENOEXEC for a program it cannot load. */
static int load_failed(char *why, size_t whylen, const char *what, uint64_t va, int rc)
{
    const char *reason = rc == -EEXIST ? "already mapped (elf_check missed an overlap)" :
                         rc == -EINVAL ? "not a mapping Sv39 allows (elf_check missed it)" :
                         rc == -EFAULT ? "not mapped where the loader writes" : error_name(rc);
    ksnprintf(why, whylen, "%s at %#lx: %s", what, (unsigned long)va, reason);
    return rc == -ENOMEM ? -ENOMEM : -ENOEXEC;
}

/* Map every segment the plan lists, with its own permissions, on zeroed frames (so memsz past
 * filesz, the bss, is zero), copy its file bytes in, and put the break after the last one. */
static int load_segments(struct proc *p, const struct user_program *prog,
                         const struct elf_plan *plan, char *why, size_t whylen)
{
    for (int i = 0; i < plan->nsegments; i++) {
        const struct elf_segment *s = &plan->segments[i];
        int perm = (s->flags & ELF_PF_R ? VM_READ : 0) | (s->flags & ELF_PF_W ? VM_WRITE : 0) |
                   (s->flags & ELF_PF_X ? VM_EXEC : 0);
        uint64_t lo = page_down(s->vaddr), hi = page_up(s->vaddr + s->memsz);
        int rc = vm_alloc_map(p->vm, lo, hi - lo, perm);
        if (rc == 0)
            rc = vm_load(p->vm, s->vaddr, prog->image + s->offset, s->filesz);
        if (rc != 0) {
            char what[16];
            ksnprintf(what, sizeof(what), "segment %d", i);
            return load_failed(why, whylen, what, s->vaddr, rc);
        }
        if (hi > p->brk_base)
            p->brk_base = hi;
    }
    p->brk = p->brk_base;
    p->entry = plan->entry;
    return 0;
}

/* The stack, as user/syscall.h describes it: the strings at the top, then argv[], then sp. */
static int build_stack(struct proc *p, int argc, char *const argv[], char *why, size_t whylen)
{
    int rc = vm_alloc_map(p->vm, USER_STACK_TOP - USER_STACK_SIZE, USER_STACK_SIZE,
                          VM_READ | VM_WRITE);
    uint64_t sp = USER_STACK_TOP, ptrs[USER_ARGV_MAX + 1];
    for (int i = argc - 1; i >= 0 && rc == 0; i--) {
        size_t len = strlen(argv[i]) + 1;
        sp -= len;
        ptrs[i] = sp;
        rc = vm_load(p->vm, sp, argv[i], len);
    }
    ptrs[argc] = 0;
    sp = (sp & ~7UL) - (uint64_t)(argc + 1) * 8;
    if (rc == 0)
        rc = vm_load(p->vm, sp, ptrs, (size_t)(argc + 1) * 8);
    p->argv = sp;
    p->argc = argc;
    p->sp = sp & ~15UL;
    return rc ? load_failed(why, whylen, "stack", USER_STACK_TOP - USER_STACK_SIZE, rc) : 0;
}

void enter_user(struct trap_frame *tf);     /* kernel/trap.S: sret into the frame */

/* The task's function: enter the program, never to come back here. Its address space is
 * already in satp (task/sched.c switches to it for every task with a proc). */
static void *user_start(void *arg)
{
    struct proc *p = arg;
    /* Before the program runs, so no Ctrl-C can miss it. */
    if (p->owns_console)
        tty_set_owner(task_current()->id);
    if (p->foreground_giver)    /* refused only if the giver lost the console meanwhile */
        tty_hand_foreground(p->foreground_giver, task_current()->id);
    intr_off();                 /* until sret: a trap now would find no user frame */
    vm_switch(p->vm);
    struct trap_frame tf __attribute__((aligned(16)));
    memset(&tf, 0, sizeof(tf));
    tf.sepc = p->entry;
    tf.sp = p->sp;
    tf.a0 = (uint64_t)p->argc;
    tf.a1 = p->argv;
    /* sret to U-mode (SPP 0) with interrupts on there (SPIE), no FPU, no access to user pages
     * from S-mode (SUM 0). */
    tf.sstatus = (csr_read(sstatus) & ~(SSTATUS_SPP | SSTATUS_SIE | SSTATUS_FS | SSTATUS_SUM)) |
                 SSTATUS_SPIE;
    enter_user(&tf);
    return NULL;
}

static struct proc *current_proc(void)
{
    return task_current()->proc;
}

struct task *proc_spawn(const char *name, int argc, char *const argv[], int *err)
{
    return proc_spawn_flags(name, argc, argv, 0, err);
}

struct task *proc_spawn_flags(const char *name, int argc, char *const argv[], int flags,
                              int *err)
{
    const struct user_program *prog = program_find(name);
    if (prog == NULL)
        return *err = -ENOENT, NULL;
    return proc_spawn_image(prog, argc, argv, flags, err);
}

struct task *proc_spawn_image(const struct user_program *prog, int argc, char *const argv[],
                              int flags, int *err)
{
    const char *name = prog->name;
    size_t bytes = 0;
    for (int i = 0; i < argc && i <= USER_ARGV_MAX; i++)
        bytes += strlen(argv[i]) + 1;
    if (argc > USER_ARGV_MAX || bytes > USER_ARGV_BYTES)
        return *err = -E2BIG, NULL;
    struct elf_plan plan;
    char why[160];
    if (elf_check(prog->image, prog->size, &plan, why, sizeof(why)) != 0) {
        kprintf("spawn %s: refused: %s\n", name, why);
        return *err = -ENOEXEC, NULL;
    }

    struct proc *p = kzalloc(sizeof(*p));
    struct child *c = kzalloc(sizeof(*c));
    if (p)
        p->vm = vm_create();
    int rc = p && c && p->vm ? 0 : -ENOMEM;
    struct proc *parent = current_proc();
    if (rc != 0)
        ksnprintf(why, sizeof(why), "out of memory for its process and address space");
    if (rc == 0) {
        list_init(&p->children);
        p->owns_console = parent == NULL;
        p->foreground_giver = flags & SPAWN_FOREGROUND ? task_current()->id : 0;
        c->parent = parent;
        p->as_child = parent ? c : NULL;    /* before it can run, so before it can end */
        rc = load_segments(p, prog, &plan, why, sizeof(why));
    }
    if (rc == 0)
        rc = build_stack(p, argc, argv, why, sizeof(why));
    struct task *t = rc == 0 ? task_spawn_proc(name, user_start, p) : NULL;
    if (rc == 0 && t == NULL)
        rc = -ENOMEM, ksnprintf(why, sizeof(why), "out of memory for its task");
    if (t == NULL) {
        kprintf("spawn %s: cannot load: %s\n", name, why);
        if (p)
            vm_destroy(p->vm);
        kfree(p);
        kfree(c);
        *err = rc;
        return NULL;
    }
    /* The hand-over again, before spawn returns: a Ctrl-C typed once the caller has the pid
     * must reach the job even if it has not run yet (user_start's comes when it first runs).
     * Not p->foreground_giver: the child may have ended, and p been freed, already. Nor over
     * a hand-over of its own: on another hart it may have started and handed the console to
     * a child of its own already (ch10's faster spawn made that common), and Ctrl-C must
     * reach that one. */
    if (flags & SPAWN_FOREGROUND)
        tty_hand_foreground_unless_passed(task_current()->id, t->id, t->id);
    if (parent) {
        c->task = t;                /* the parent program holds the handle */
        list_push_back(&parent->children, &c->node);
    } else {
        kfree(c);
    }
    return t;
}

int proc_status(int join_result, void *result)
{
    if (join_result == 0)
        return (int)(uintptr_t)result;
    return join_result == TASK_EABORTED ? WSTATUS_KILLED : WSTATUS_FAULT;
}

static struct child *find_child(int64_t pid)
{
    struct proc *p = current_proc();
    for (struct list_node *n = p->children.next; n != &p->children; n = n->next) {
        struct child *c = list_entry(n, struct child, node);
        if ((int64_t)c->task->id == pid)
            return c;
    }
    return NULL;
}

static bool has_ended(struct child *c)
{
    return __atomic_load_n(&c->ended, __ATOMIC_ACQUIRE);
}

/* wait(-1): a child that has ended, blocking until one has unless nohang. NULL with *err
 * -ECHILD (no children at all) or 0 (nohang, and every child still runs). */
static struct child *ended_child(struct proc *p, bool nohang, int *err)
{
    spin_lock(&family.lock);
    while (p->children_ended == 0 && !nohang && !list_empty(&p->children))
        if (wait_block(&family) != 0) {     /* a child's end wakes us (proc_ended) */
            spin_unlock(&family.lock);
            task_exit_aborted();            /* killed while it waited */
        }
    bool some = p->children_ended > 0;
    spin_unlock(&family.lock);
    if (!some)
        return *err = list_empty(&p->children) ? -ECHILD : 0, NULL;
    /* Only we reap our children, so the one counted is still on the list. */
    for (struct list_node *n = p->children.next; n != &p->children; n = n->next) {
        struct child *c = list_entry(n, struct child, node);
        if (has_ended(c))
            return c;
    }
    panic("pid %lu: %d children ended, none found", (unsigned long)task_current()->id,
          p->children_ended);
}

int proc_wait(int64_t pid, int *status, int flags)
{
    struct proc *p = current_proc();
    bool nohang = flags & WAIT_NOHANG;
    int err = -ECHILD;
    struct child *c = pid == -1 ? ended_child(p, nohang, &err) : find_child(pid);
    if (c == NULL)
        return err;
    if (nohang && !has_ended(c))
        return 0;
    void *result;
    int rc = task_join(c->task, &result);
    *status = proc_status(rc, result);
    spin_lock(&family.lock);
    if (!c->ended)      /* its task is DONE, so proc_ended ran long ago, or never will */
        panic("pid %lu ended without proc_ended (task_finish must call proc_release)",
              (unsigned long)c->task->id);
    p->children_ended--;
    spin_unlock(&family.lock);
    pid = (int64_t)c->task->id;
    list_remove(&c->node);
    task_drop(c->task);
    kfree(c);
    return (int)pid;
}

bool proc_is_child(int64_t pid)
{
    return find_child(pid) != NULL;
}

int proc_kill(int64_t pid)
{
    struct child *c = find_child(pid);
    if (c == NULL)
        return -ESRCH;
    task_abort(c->task);
    return 0;
}

void proc_exit(int status)
{
    task_exit((void *)(uintptr_t)(status & 0xff));
}

void proc_fault(struct trap_frame *tf)
{
    struct task *t = task_current();
    uint64_t code = tf->scause;
    if (code == EXC_ILLEGAL_INSTRUCTION)
        kprintf("pid %lu (%s): killed: illegal instruction 0x%lx at pc 0x%lx\n",
                (unsigned long)t->id, t->name, (unsigned long)tf->stval,
                (unsigned long)tf->sepc);
    else
        kprintf("pid %lu (%s): killed: %s at 0x%lx pc 0x%lx\n", (unsigned long)t->id, t->name,
                trap_cause_name(code), (unsigned long)tf->stval, (unsigned long)tf->sepc);
    proc_exit(code == EXC_ILLEGAL_INSTRUCTION ? WSTATUS_ILLEGAL : WSTATUS_FAULT);
}

void proc_ended(struct task *t)
{
    spin_lock(&family.lock);
    struct child *c = t->proc->as_child;
    if (c) {
        __atomic_store_n(&c->ended, true, __ATOMIC_RELEASE);
        c->parent->children_ended++;
        wait_wake_all(&family);
    }
    spin_unlock(&family.lock);
}

void proc_release(struct task *t)
{
    struct proc *p = t->proc;
    proc_ended(t);                  /* first: the parent may reap us from now on */
    struct list_node *n;
    while ((n = list_pop_front(&p->children)) != NULL) {
        struct child *c = list_entry(n, struct child, node);
        /* A child still running must not reach back into us when it ends. Not ended (under
         * the lock) means it has not reached proc_ended, so its proc is still there. */
        spin_lock(&family.lock);
        if (!c->ended)
            c->task->proc->as_child = NULL;
        spin_unlock(&family.lock);
        task_drop(c->task);         /* it runs on; it is reclaimed when it ends */
        kfree(c);
    }
    /* Interrupts are on (task_finish): the task may be preempted here and resume on another
     * hart. Detach the address space first, so that no switch puts it back in a satp while
     * it is being freed. */
    struct vm *vm = p->vm;
    uint64_t sie = intr_save();
    t->proc = NULL;                 /* task/sched.c: from now on, the kernel's table */
    vm_switch(NULL);
    intr_restore(sie);
    vm_destroy(vm);
    kfree(p);
}

# tools/gdb/hartos.py: gdb commands that read the kernel's own data structures, loaded by
# tools/gdbinit. Each command is a class below; `help kheap` shows its documentation.
#   kheap    the kernel heap: arenas, every non-empty free list and hart cache, totals
#   krunq    every hart's run queue
#   ktasks   every task: id, name, state, hart, ticks run, and where it is
#   kbt ID   the backtrace of a task that is not running, from its saved context
#   kuser [NAME]  load the symbols of user program NAME (build/user/NAME.elf), or of the
#            program the selected hart runs, in place of any program's loaded before
#   kcount   step one instruction at a time and count them per function (ch10)
# Every command but kcount reads kernel memory, and works whatever mode the selected hart is
# in: see kernel_memory.

import contextlib
import glob
import os

import gdb


# ---- Reading kernel memory from a hart in U-mode ------------------------------------------------

# QEMU's gdb stub translates gdb's reads through the selected hart's page table, with its
# current privilege. The kernel's pages are not U-accessible, so while that hart is in U-mode
# (a user program runs there) every read of kernel data fails. QEMU can instead take gdb's
# addresses as physical ones (this packet, :1 on, :0 off), and since the kernel's map is an
# identity map (kernel/vm.c) a kernel address is its own physical address. (A test sets another
# name here to play a stub without that mode.)
PHYS_MODE_PACKET = "Qqemu.PhyMemMode"


def stub_packet(packet):
    """Send packet to the gdb stub and return its reply: '' if the stub does not know it."""
    try:
        out = gdb.execute("maintenance packet " + packet, to_string=True)
    except gdb.error:                   # not a remote target
        return ""
    return out.rsplit("received: ", 1)[-1].strip().strip('"')     # 'received: "OK"'


def hart_privilege():
    """The selected hart's privilege level (QEMU's $priv: 0 U, 1 S, 3 M), or None if unknown."""
    try:
        return int(gdb.parse_and_eval("$priv"))
    except gdb.error:
        return None


@contextlib.contextmanager
def kernel_memory(command):
    """Make gdb's memory reads see the kernel for a while, whatever the selected hart's mode.
    If that hart is in U-mode: QEMU's physical mode if the stub has it, or else another hart,
    one in S- or M-mode, selected meanwhile. Afterwards the stub's mode, the selected thread
    and frame are put back, also when the command fails."""
    if hart_privilege() != 0:
        yield                           # S- or M-mode reads kernel memory as it is
        return
    query = PHYS_MODE_PACKET.replace("Q", "q", 1)
    if stub_packet(query) == "1":
        yield                           # already physical (set by hand)
        return
    if stub_packet(PHYS_MODE_PACKET + ":1") == "OK":
        gdb.execute("maintenance flush dcache", to_string=True)    # cached virtual reads
        try:
            yield
        finally:
            stub_packet(PHYS_MODE_PACKET + ":0")
            gdb.execute("maintenance flush dcache", to_string=True)
        return
    selected, level = gdb.selected_thread(), gdb.selected_frame().level()
    try:
        for thread in gdb.selected_inferior().threads():
            thread.switch()
            if hart_privilege() != 0:
                yield
                return
        raise gdb.GdbError(
            "%s: every hart is in U-mode and this gdb stub cannot read physical memory (%s), "
            "so the kernel's memory cannot be read now. Stop where a hart is in the kernel "
            "(e.g. `break trap_vector`, then `continue`) and try again." % (command, query))
    finally:
        selected.switch()
        select_frame_level(level)


class KernelCommand(gdb.Command):
    """A command that reads kernel memory: its run(arg, from_tty) is called inside
    kernel_memory (invoke returns what it returns), and a read that fails anyway (a bad
    pointer) ends it with a one-line error, not a Python traceback."""

    def __init__(self, name, category):
        super().__init__(name, category)
        self.command = name

    def invoke(self, arg, from_tty):
        try:
            with kernel_memory(self.command):
                return self.run(arg, from_tty)
        except gdb.MemoryError as e:
            raise gdb.GdbError("%s: %s" % (self.command, e))


# ---- The heap (ch4) -----------------------------------------------------------------------------

BLOCK_HEADER = 16       # heap/block.h: struct block {word, canary}
SIZE_MASK = ~15         # the low bits of block.word are flags (B_FREE, B_PREV_FREE)


def heap_state():
    """The heap implementation's static state `H` (heap/list.c or heap/list_plain.c)."""
    sym = gdb.lookup_static_symbol("H")
    if sym is None:
        raise gdb.GdbError("kheap: no heap state 'H' in the symbols (is this a hartos kernel?)")
    return sym.value()


def block_size(addr):
    word = gdb.parse_and_eval("*(unsigned long *)%d" % addr)
    return int(word) & SIZE_MASK


class KHeap(KernelCommand):
    """Print the kernel heap: its arenas, each non-empty free list with its blocks
(address and size), each hart's non-empty cache lists (heap/cache.h), and the totals. Works with either heap: the segregated lists of
heap/list.c, or the single address-ordered list of heap/list_plain.c.
Usage: kheap [MAX]   (MAX: blocks printed per list, default 6)"""

    def __init__(self):
        super().__init__("kheap", gdb.COMMAND_DATA)

    def run(self, arg, from_tty):
        most = int(arg) if arg.strip() else 6
        H = heap_state()
        arena = H["c"]["arenas"]
        if int(arena) == 0:
            print("kheap: the heap has no arena yet (kmain calls heap_init after frame_init)")
            return
        while int(arena) != 0:
            a = arena.dereference()
            print("arena %#x, %d KiB%s" % (int(a["base"]), int(a["size"]) // 1024,
                                           "" if int(a["releasable"]) else " (boot, kept)"))
            arena = a["next"]
        lists = []
        field_names = [f.name for f in H.type.fields()]
        if "heads" in field_names:          # heap/list.c: circular lists, one per class
            heads = H["heads"]
            count = heads.type.range()[1] + 1
            for i in range(count):
                head = heads[i].address
                node = heads[i]["next"]
                blocks = []
                while int(node) != int(head):
                    addr = int(node) - BLOCK_HEADER     # struct fblock: header, then node
                    blocks.append((addr, block_size(addr)))
                    node = node["next"]
                if blocks:
                    lists.append(("class %d" % i, blocks))
        else:                               # heap/list_plain.c: one list in address order
            node, blocks = H["free"], []
            while int(node) != 0:
                blocks.append((int(node), block_size(int(node))))
                node = node["next"]
            lists.append(("free list", blocks))
        total, count, largest = 0, 0, 0
        for name, blocks in lists:
            shown = " ".join("%#x(%d)" % b for b in blocks[:most])
            more = " +%d more" % (len(blocks) - most) if len(blocks) > most else ""
            print("%-10s %4d block%s: %s%s" % (name, len(blocks), "" if len(blocks) == 1 else "s",
                                              shown, more))
            total += sum(size for _, size in blocks)
            count += len(blocks)
            largest = max([largest] + [size for _, size in blocks])
        allocs, frees = int(H["c"]["allocs"]), int(H["c"]["frees"])
        caches = gdb.lookup_global_symbol("kheap_caches")
        cached_bytes, cached_count = 0, 0
        if caches is not None:              # heap/cache.h: each hart's lists, by block size
            caches = caches.value()
            for h in range(caches.type.range()[1] + 1):
                cache = caches[h]
                lists = cache["lists"]
                for i in range(3, lists.type.range()[1] + 1):   # [0..2] hold the counters
                    node, blocks = lists[i], []
                    while int(node) != 0 and len(blocks) < 4096:
                        blocks.append((int(node), block_size(int(node))))
                        node = node["next"]
                    if blocks:
                        shown = " ".join("%#x(%d)" % b for b in blocks[:most])
                        more = " +%d more" % (len(blocks) - most) if len(blocks) > most else ""
                        print("hart %d cache %-5d %4d block%s: %s%s"
                              % (h, i * 16, len(blocks), "" if len(blocks) == 1 else "s", shown,
                                 more))
                        cached_bytes += sum(size for _, size in blocks)
                        cached_count += len(blocks)
                # kmalloc's pops are not counted: every block a cache took in went out or is
                # still on a list (heap/cache.h)
                frees += int(cache["frees"])
                allocs += int(cache["from_heap"]) + int(cache["frees"]) - int(cache["to_heap"])
            allocs -= cached_count
        print("free: %d bytes in %d blocks, largest %d; kmalloc calls %d, kfree calls %d"
              % (total, count, largest, allocs, frees))
        if caches is not None:
            print("cached: %d bytes in %d blocks (free, waiting in the harts' caches)"
                  % (cached_bytes, cached_count))


KHeap()


# ---- Tasks (ch5) --------------------------------------------------------------------------------

TASK_MAGIC = 0x7461736b6861726e     # task/task.c: "tashkarn", a live struct task


def kernel_static(name, what):
    """A static variable of the kernel (gdb.lookup_static_symbol), or a clear error."""
    sym = gdb.lookup_static_symbol(name)
    if sym is None:
        raise gdb.GdbError("%s: no '%s' in the symbols (is this a chapter 5 hartos kernel?)"
                           % (what, name))
    return sym.value()


def field_offset(struct_type, name):
    """offsetof(struct_type, name), for container_of (kernel/list.h's list_entry)."""
    for f in struct_type.fields():
        if f.name == name:
            return f.bitpos // 8
    raise gdb.GdbError("struct %s has no field '%s'" % (struct_type.tag, name))


def started_harts():
    """The harts whose scheduler is set up (sched_init_hart gave them an idle task)."""
    harts = gdb.parse_and_eval("harts")
    count = harts.type.range()[1] + 1
    return [harts[i] for i in range(count) if int(harts[i]["idle"]) != 0]


def all_tasks():
    """Every task on task/task.c's all_tasks list, in spawn order. The idle tasks are not on it."""
    head = kernel_static("all_tasks", "ktasks")
    task_ptr = gdb.lookup_type("struct task").pointer()
    offset = field_offset(gdb.lookup_type("struct task"), "all_node")
    tasks, node = [], head["next"]
    while int(node) != int(head.address):
        t = gdb.Value(int(node) - offset).cast(task_ptr).dereference()
        if int(t["magic"]) != TASK_MAGIC:   # a freed or overwritten task: the list is corrupt
            raise gdb.GdbError("all_tasks: node %#x is not in a live task (magic %#x); "
                               "the list is corrupt" % (int(node), int(t["magic"])))
        tasks.append(t)
        node = node["next"]
        if len(tasks) > 100000:
            raise gdb.GdbError("all_tasks: no end after 100000 tasks; the list is corrupt")
    return tasks


def task_name(t):
    return t["name"].string(length=t["name"].type.sizeof).split("\0")[0]


def task_state(t):
    return str(t["state"]).replace("TASK_", "")


def running_on(t, harts):
    """The hart that runs t right now, or None. harts[i].current is the truth: an idle task's
    state stays TASK_RUNNING even while another task has its hart."""
    for h in harts:
        if int(h["current"]) == int(t.address):
            return h
    return None


def gdb_thread_of(h):
    """gdb's thread number for a hart: QEMU makes each CPU a thread whose id is the CPU number
    (= the hart id on virt) plus one. gdb numbers threads in the order it saw them."""
    for thread in gdb.selected_inferior().threads():
        if thread.ptid[1] == int(h["id"]) + 1:
            return thread.num
    return int(h["id"]) + 1


def symbolise(pc):
    """pc as `function+0xoffset`, from the ELF symbols, so assembly (task_trampoline) has a name
    too."""
    out = gdb.execute("info symbol %#x" % pc, to_string=True).strip()
    if out.startswith("No symbol"):
        return "%#x" % pc
    name = out.split(" in section ")[0]        # "sched_switch + 84" or "task_trampoline"
    if " + " in name:
        func, offset = name.split(" + ")
        return "%s+%#x" % (func, int(offset))
    return name


def task_where(t, harts):
    h = running_on(t, harts)
    if h is not None:
        return "running on hart %d (gdb thread %d)" % (int(h["index"]), gdb_thread_of(h))
    return symbolise(int(t["ctx"]["ra"]))


class KTasks(KernelCommand):
    """List every task: the tasks on all_tasks (task/task.c) in spawn order, then each hart's
idle task (id 0). For each: id, name, state, the hart whose run queue it belongs to, the timer
ticks that found it running, and where it is. A running task's place is in its hart's
registers (select that gdb thread, then bt); any other task's is the pc saved when it
switched away: sched_switch+... after a switch, task_trampoline if it has not run yet.
`kbt ID` shows the whole backtrace of a task that is not running.
Usage: ktasks"""

    def __init__(self):
        super().__init__("ktasks", gdb.COMMAND_DATA)

    def run(self, arg, from_tty):
        harts = started_harts()
        if not harts:
            print("ktasks: no scheduler yet (kmain calls sched_init_hart after start_memory)")
            return
        tasks = all_tasks()
        print("%3s  %-15s %-8s %4s %6s  %s" % ("ID", "NAME", "STATE", "HART", "TICKS", "WHERE"))
        for t in tasks + [h["idle"].dereference() for h in harts]:
            print("%3d  %-15s %-8s %4d %6d  %s" % (int(t["id"]), task_name(t), task_state(t),
                                                  int(t["hart"]), int(t["ticks_run"]),
                                                  task_where(t, harts)))
        if not tasks:
            print("(all_tasks is empty: kmain has not spawned 'main' yet, "
                  "or every task was reaped)")


def find_task(task_id, hart_index):
    """The task with this id; id 0 is the idle task of harts[hart_index]."""
    harts = started_harts()
    if not harts:
        raise gdb.GdbError("kbt: no scheduler yet (kmain calls sched_init_hart after start_memory)")
    if task_id == 0:
        for h in harts:
            if int(h["index"]) == hart_index:
                return h["idle"].dereference(), harts
        raise gdb.GdbError("kbt: hart %d has no idle task (not started)" % hart_index)
    for t in all_tasks():
        if int(t["id"]) == task_id:
            return t, harts
    raise gdb.GdbError("kbt: no task with id %d (ktasks lists the tasks)" % task_id)


def context_registers(ctx):
    """A struct context (what switch.S saved) as (gdb register, value) pairs. All twelve s
    registers, not only s0 (the frame pointer): bt reads arguments and locals kept in them."""
    regs = [("ra", ctx["ra"]), ("sp", ctx["sp"])]
    regs += [("s%d" % i, ctx["s"][i]) for i in range(12)]
    regs.append(("pc", ctx["ra"]))      # context_switch returns to ra: the task resumes there
    return [(reg, int(value)) for reg, value in regs]


def select_frame_level(level):
    """Select the frame `level` calls out from the newest (gdb's `frame LEVEL`), or the
    outermost there is."""
    frame = gdb.newest_frame()
    for _ in range(level):
        frame = frame.older() or frame
    frame.select()


def set_registers(regs):
    """Write (register, value) pairs into the hart: into the newest frame, each time. A register
    of an outer frame is the stack slot it was saved in, and after each write gdb reselects the
    frame with the old frame's id, which the new registers may give to an outer one."""
    for reg, value in regs:
        gdb.newest_frame().select()
        gdb.execute("set $%s = %d" % (reg, value))


def backtrace_from_context(ctx):
    """Run `bt` as if the selected hart were where ctx was saved, then put its registers back.
    The registers are the hart's real state: the finally restores them even when bt fails, so
    continuing afterwards runs exactly what was interrupted."""
    selected_level = gdb.selected_frame().level()
    task_regs = context_registers(ctx)
    saved = [(reg, int(gdb.newest_frame().read_register(reg))) for reg, _ in task_regs]
    try:
        set_registers(task_regs)
        gdb.execute("bt")
    finally:
        set_registers(saved)
        select_frame_level(selected_level)  # the writes flushed gdb's frames: find it again


class KBt(KernelCommand):
    """Backtrace a task that is not running, from the context it saved when it switched away
(struct context in task/task.h). For a moment the selected gdb thread's pc, ra, sp and
s0-s11 are the task's; they are restored after the backtrace, even if it fails.
A running task's registers are live on its hart: select that gdb thread and use bt.
Usage: kbt ID          (ID as ktasks shows it)
       kbt 0 [HART]    (the idle task of hart index HART, default 0)"""

    def __init__(self):
        super().__init__("kbt", gdb.COMMAND_STACK)

    def run(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        try:
            if len(args) not in (1, 2) or (len(args) == 2 and args[0] != "0"):
                raise ValueError
            task_id = int(args[0], 0)
            hart_index = int(args[1], 0) if len(args) == 2 else 0
        except ValueError:
            raise gdb.GdbError("usage: kbt ID, or kbt 0 [HART] for an idle task (ktasks lists IDs)")
        t, harts = find_task(task_id, hart_index)
        h = running_on(t, harts)
        if h is not None:
            print("kbt: task %d '%s' is running on hart %d: its registers are live. "
                  "Use `thread %d` then `bt`." % (task_id, task_name(t), int(h["index"]),
                                                  gdb_thread_of(h)))
            return
        if int(t["ctx"]["ra"]) == int(gdb.parse_and_eval("&task_trampoline")):
            # Nothing to unwind: its stack is empty and task_trampoline has no frame.
            print("task %d '%s' has not run yet: its first switch enters task_trampoline, "
                  "then task_start calls %s" % (task_id, task_name(t), symbolise(int(t["fn"]))))
            return
        print("task %d '%s' (%s), from its saved context:" % (task_id, task_name(t),
                                                              task_state(t)))
        backtrace_from_context(t["ctx"])


class KRunq(KernelCommand):
    """Every hart's run queue (task/sched.c): for each hart its id, what it runs now, and the
tasks waiting on its queue, front first. With ch6 each hart has its own queue, and an idle
hart steals from the longest one.
Usage: krunq"""

    def __init__(self):
        super().__init__("krunq", gdb.COMMAND_DATA)

    def run(self, arg, from_tty):
        harts = started_harts()
        if not harts:
            print("krunq: no scheduler yet (kmain calls sched_init_hart after start_memory)")
            return
        task_ptr = gdb.lookup_type("struct task").pointer()
        offset = field_offset(gdb.lookup_type("struct task"), "queue_node")
        for h in harts:
            q = h["runq"]
            head, node, names = q["tasks"].address, q["tasks"]["next"], []
            while int(node) != int(head) and len(names) <= 1000:
                t = gdb.Value(int(node) - offset).cast(task_ptr).dereference()
                names.append("%d:%s" % (int(t["id"]), task_name(t)))
                node = node["next"]
            current = h["current"].dereference()
            print("hart %d (id %d): running %d:%s; %d queued%s%s" % (
                int(h["index"]), int(h["id"]), int(current["id"]), task_name(current),
                int(q["length"]), ": " if names else "", " ".join(names)))


def user_dir():
    """Where the user programs' ELF files are: $BUILD/user, or beside the kernel gdb loaded
    (build/race/user with RACE=1)."""
    build = os.environ.get("BUILD") or os.path.relpath(
        os.path.dirname(gdb.current_progspace().filename))
    return os.path.join(build, "user")


def running_program(thread):
    """The name of the user program that the hart of gdb thread `thread` runs (its task's name:
    task/task.h cuts it at TASK_NAME_MAX - 1 characters) and that hart's index, or an error
    saying what the hart runs instead."""
    hart_id = thread.ptid[1] - 1        # gdb_thread_of's inverse
    h = next((h for h in started_harts() if int(h["id"]) == hart_id), None)
    if h is None:
        raise gdb.GdbError("kuser: the hart of gdb thread %d runs no task yet (no scheduler on "
                           "it): name a program, kuser NAME" % thread.num)
    t = h["current"].dereference()
    if int(t["proc"]) == 0:
        raise gdb.GdbError("kuser: hart %d (gdb thread %d) runs kernel task %d '%s', not a user "
                           "program: name a program, kuser NAME"
                           % (int(h["index"]), thread.num, int(t["id"]), task_name(t)))
    return task_name(t), t["name"].type.sizeof - 1, int(h["index"])


def user_program_file(name, cut_at=None):
    """build/user/NAME.elf; for a name cut at cut_at characters, the one program it begins."""
    path = os.path.join(user_dir(), name + ".elf")
    if not os.path.exists(path) and cut_at is not None and len(name) == cut_at:
        begun = glob.glob(os.path.join(user_dir(), glob.escape(name) + "*.elf"))
        if len(begun) == 1:
            return begun[0]
    if not os.path.exists(path):
        raise gdb.GdbError("kuser: no %s (is '%s' a program? run make first)" % (path, name))
    return path


def drop_user_symbols():
    """Remove the symbols of every user program loaded before (by kuser or add-symbol-file) and
    return their names. Each program has a main at the same address, so two loaded at once
    give a breakpoint or a backtrace the first one's names."""
    programs = os.path.realpath(user_dir())
    dropped = []
    for objfile in gdb.objfiles():
        path = objfile.filename if objfile.is_valid() else None
        if path is not None and os.path.dirname(os.path.realpath(path)) == programs:
            gdb.execute("remove-symbol-file %s" % path, to_string=True)
            dropped.append(os.path.basename(path)[:-len(".elf")])
    return dropped


class KUser(KernelCommand):
    """Load the symbols of a user program (build/user/NAME.elf, with its debug information), so
that you can break in it and step through it; those of any program loaded before are dropped
first (every program's main is at the same address). Without NAME: the program running on the
selected hart (the one gdb stopped in). Programs are linked at their run addresses
(user/user.ld), so no offset is needed. Break with `hbreak` (a hardware breakpoint): the
program's pages are mapped only in its own page table, so gdb cannot plant a software
breakpoint there before it runs. For example, with `make qemu-gdb ARGS="init=hello a b"`:
    (gdb) kuser hello
    (gdb) hbreak main
    (gdb) c
Or stopped anywhere while a program runs (Ctrl-C, a kernel breakpoint in a system call):
    (gdb) kuser
    (gdb) bt
Usage: kuser [NAME]"""

    def __init__(self):
        super().__init__("kuser", gdb.COMMAND_FILES)

    def invoke(self, arg, from_tty):
        name = arg.strip()
        if "/" in name or " " in name:
            raise gdb.GdbError("usage: kuser [NAME] (a program: user/NAME.c or tests/user/NAME.c)")
        if name:
            path = user_program_file(name)      # nothing to read in the kernel
        else:
            self.thread = gdb.selected_thread()
            if self.thread is None:
                raise gdb.GdbError("kuser: no hart to ask (is the kernel running under gdb?): "
                                   "name a program, kuser NAME")
            name, path = super().invoke(arg, from_tty)     # run(), inside kernel_memory
        for dropped in drop_user_symbols():
            if dropped != name:
                print("kuser: symbols of '%s' dropped" % dropped)
        gdb.execute("add-symbol-file %s" % path, from_tty=False, to_string=not from_tty)
        print("kuser: symbols of '%s' loaded from %s" % (name, path))

    def run(self, arg, from_tty):
        """The program self.thread's hart runs, as (name, path)."""
        name, cut_at, hart = running_program(self.thread)
        path = user_program_file(name, cut_at)
        name = os.path.basename(path)[:-len(".elf")]
        print("kuser: hart %d (gdb thread %d) runs '%s'" % (hart, self.thread.num, name))
        return name, path


class KCount(gdb.Command):
    """Count the instructions this hart executes, one `stepi` at a time, until the pc is back
at the address where it started (or at STOP, a function or address, or after MAX steps), then
print how many ran in each function, in the order first entered. Chapter 10's way to see where
a hot path's instructions go. Stepping is slow (about a thousand steps a second), so count
one round of a loop, not a benchmark. For example, one switch of the yield benchmark:
    (gdb) break task_yield
    (gdb) c
    (gdb) kcount
Interrupts stay masked while gdb steps (QEMU's default), so what is counted is the path
itself. Usage: kcount [STOP] [MAX]   (MAX: default 5000)"""

    def __init__(self):
        super().__init__("kcount", gdb.COMMAND_RUNNING)

    def invoke(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        most = 5000
        if args and args[-1].isdigit():
            most = int(args.pop())
        start = int(gdb.parse_and_eval("$pc"))
        stop = int(gdb.parse_and_eval(args[0]).address or gdb.parse_and_eval(args[0])) \
            if args else start
        counts, order, steps = {}, [], 0
        gdb.execute("set suppress-cli-notifications on")    # no line printed per step
        try:                # on again even if a step fails (the target gone, Ctrl-C)
            while steps < most:
                frame = gdb.selected_frame()
                name = frame.name() or "%#x" % frame.pc()
                if name not in counts:
                    counts[name] = 0
                    order.append(name)
                counts[name] += 1
                gdb.execute("stepi", to_string=True)
                steps += 1
                if int(gdb.parse_and_eval("$pc")) == stop:
                    break
            else:
                print("kcount: stopped after %d steps without reaching %#x" % (most, stop))
        finally:
            gdb.execute("set suppress-cli-notifications off")
        for name in order:
            print("%6d  %s" % (counts[name], name))
        print("%6d  in all" % steps)


KTasks()
KBt()
KCount()
KRunq()
KUser()

# tools/gdb/hartos.py: gdb commands that read the kernel's own data structures, loaded by
# tools/gdbinit. Each command is a class below; `help kheap` shows its documentation.
#   kheap    the kernel heap: arenas, every non-empty free list and hart cache, totals;
#            kheap --svg FILE draws it, as tools/heapmap draws the kernel's heap map (ch11)
#   ktrace FILE  the trace rings (ch11) written to FILE as the kernel prints them at power-off
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
import importlib.machinery
import importlib.util
import os
import struct

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
With --svg FILE: draw every block of every arena into FILE instead (ch11), the picture
tools/heapmap draws of the kernel's heap map (heap/heapmap.c): gdb walks the blocks, writes
the same map lines the kernel prints (kept in FILE with .txt for .svg) and draws them with
tools/heapmap.
Usage: kheap [MAX]   (MAX: blocks printed per list, default 6)
       kheap --svg FILE"""

    def __init__(self):
        super().__init__("kheap", gdb.COMMAND_DATA)

    def run(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        if args[:1] == ["--svg"]:
            if len(args) != 2:
                raise gdb.GdbError("usage: kheap --svg FILE")
            return heap_svg(args[1])
        try:
            most = int(args[0]) if len(args) == 1 else 6
        except ValueError:
            raise gdb.GdbError("usage: kheap [MAX], or kheap --svg FILE")
        if len(args) > 1:
            raise gdb.GdbError("usage: kheap [MAX], or kheap --svg FILE")
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
    # The definition's symbol, not the name in the stopped code's scope: there (heap/heapmap.c,
    # for one) gdb may find a declaration whose array type has no size.
    sym = gdb.lookup_global_symbol("harts")
    harts = sym.value() if sym is not None else gdb.parse_and_eval("harts")
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


# ---- Pictures (ch11): the heap map and the trace rings ------------------------------------------

def tools_module(name):
    """tools/NAME, a Python script without .py, loaded as a module: gdb draws with its code."""
    here = os.path.dirname(os.path.abspath(globals().get("__file__", "tools/gdb/hartos.py")))
    path = os.path.join(here, "..", name)
    if not os.path.exists(path):
        path = os.path.join("tools", name)
    loader = importlib.machinery.SourceFileLoader("hartos_tools_" + name, path)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


JOIN_CLOSED = 1 << 16       # kernel/smp.c: the flag in `joined` beside the count of harts


def smp_harts():
    """kernel/smp.c's smp_harts(): harts[0 .. n - 1] have joined."""
    sym = gdb.lookup_static_symbol("joined")
    if sym is None:
        return len(started_harts())
    return int(sym.value()) & ~JOIN_CLOSED


KHEAP_MAGIC = 0x6b686561705f5f21    # heap/block.h: canary = MAGIC ^ address ^ size
B_FREE = 1
KHEAP_MIN_BLOCK = 48


def list_class_of(size):
    """heap/list.c's class_of: 16-byte steps below 1 KiB, then 32 classes per power of two."""
    if size < 1024:
        return size >> 4
    fl = size.bit_length() - 1
    return 64 + ((fl - 10) << 5) + ((size >> (fl - 5)) & 31)


def list_class_min(i):
    """heap/list.c's class_min: the smallest block size of class i."""
    if i < 64:
        return i << 4
    i -= 64
    return (32 + (i & 31)) << ((i >> 5) + 5)


def heap_map_lines(label):
    """The heap as heap/heapmap.c prints it (kheap_print_map): a list of lines, or None if the
    heap has no arena yet. A free list's length is counted from its blocks as there: a free
    block waits on the list of its size's class."""
    H = heap_state()
    if "heads" in [f.name for f in H.type.fields()]:        # heap/list.c
        classes = H["heads"].type.range()[1] + 1
        class_of, class_min = list_class_of, list_class_min
    else:                                                    # heap/list_plain.c: one list
        classes, class_of, class_min = 1, lambda size: 0, lambda i: KHEAP_MIN_BLOCK
    harts = smp_harts()
    marks = {}
    caches = gdb.lookup_global_symbol("kheap_caches")
    if caches is not None:
        caches = caches.value()
        for h in range(caches.type.range()[1] + 1):
            marks[int(caches[h].address)] = h
    arenas, node = [], H["c"]["arenas"]
    while int(node) != 0:
        a = node.dereference()
        arenas.append((int(a["base"]), int(a["size"]), int(a["first"]), int(a["end"])))
        node = a["next"]
        if len(arenas) > 100000:
            raise gdb.GdbError("kheap: the arena list does not end; it is corrupt")
    if not arenas:
        return None
    memory = gdb.selected_inferior()
    lines, body = [], []
    counts = {}             # class -> [on its list, cached per hart...]
    total = dict(blocks=0, used=0, free=0, cached=0, largest=0)
    for k, (base, size, first, end) in enumerate(sorted(arenas)):
        blocks, b = [], first
        while b != end:
            word, canary = struct.unpack("<QQ", bytes(memory.read_memory(b, 16)))
            bsize = word & SIZE_MASK
            if bsize < KHEAP_MIN_BLOCK or b + bsize > end:
                raise gdb.GdbError("kheap: bad block size %d at %#x: the heap is corrupt "
                                   "(kheap_check would panic)" % (bsize, b))
            row = counts.setdefault(class_of(bsize), [0] * (1 + harts))
            if word & B_FREE:
                blocks.append("b %x %d f" % (b - base, bsize))
                total["free"] += bsize
                total["largest"] = max(total["largest"], bsize)
                row[0] += 1
            else:
                hart = marks.get(canary ^ KHEAP_MAGIC ^ b ^ bsize)
                if hart is None:
                    blocks.append("b %x %d u" % (b - base, bsize))
                    total["used"] += bsize
                else:
                    blocks.append("b %x %d c %d" % (b - base, bsize, hart))
                    total["cached"] += bsize
                    if hart < harts:
                        row[1 + hart] += 1
            b += bsize
        total["blocks"] += len(blocks)
        body.append("arena %d base=%#x size=%d end=%x blocks=%d"
                    % (k, base, size, end - base, len(blocks)))
        body += blocks
    lines.append("hartos-heapmap 1 label=%s arenas=%d harts=%d classes=%d"
                 % (label, len(arenas), harts, classes))
    lines += body
    for c in sorted(counts):
        row = counts[c]
        if any(row):
            lines.append("class %d %d %d cached=%s" % (c, class_min(c), row[0],
                                                       ",".join(str(n) for n in row[1:])))
    lines.append("hartos-heapmap-end blocks=%d used=%d free=%d cached=%d largest=%d"
                 % (total["blocks"], total["used"], total["free"], total["cached"],
                    total["largest"]))
    return lines


def write_file(path, text, what):
    """text into path whole (a temporary file, then renamed), or a clear error."""
    try:
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
    except OSError as e:
        raise gdb.GdbError("%s: cannot write %s: %s" % (what, path, e.strerror))


def heap_svg(path):
    """kheap --svg FILE: the map's lines, drawn by tools/heapmap."""
    lines = heap_map_lines("gdb")
    if lines is None:
        print("kheap: the heap has no arena yet (kmain calls heap_init after frame_init); "
              "nothing written")
        return
    heapmap = tools_module("heapmap")
    text = "\n".join(lines) + "\n"
    try:
        m = heapmap.parse(text, "the heap gdb read")[0]
    except heapmap.BadMap as e:
        raise gdb.GdbError("kheap: the heap does not add up: %s" % e)
    picture = heapmap.svg(m)
    base, ext = os.path.splitext(path)
    write_file(base + ".txt" if ext == ".svg" else path + ".txt", text, "kheap")
    write_file(path, picture, "kheap")
    print(heapmap.summary_line(m, path))


# The trace rings (kernel/trace.h): struct trace_event is 32 bytes; the block's format is
# DESIGN.md's "Traces", as kernel/trace.c's trace_dump prints it.
TRACE_EVENT_BYTES = 32


def fnv1a64(data, h=0xcbf29ce484222325):
    for byte in data:
        h = ((h ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def read_time():
    """The time CSR of the selected hart, or None if this gdb stub does not show it."""
    for name in ("$time",):
        try:
            value = int(gdb.parse_and_eval(name))
        except (gdb.error, ValueError):
            continue
        if value:
            return value
    return None


class KTrace(KernelCommand):
    """Write the trace rings (ch11, trace=N) of the stopped kernel to FILE, in exactly the text
block the kernel prints at power-off (DESIGN.md "Traces"), so that `tools/trace FILE` draws it.
Any time: after a panic, or in the middle of a run. The block's `end` is the time CSR of the
selected hart (the moment gdb stopped it), or the newest event's time if this gdb cannot read
that register; the comment line before the block says which. A hart stopped in the middle of
writing an event has that event left out (counted as not written). Every task alive is listed
(trace-task). With tracing off it says so and writes nothing.
Usage: ktrace FILE"""

    def __init__(self):
        super().__init__("ktrace", gdb.COMMAND_DATA)

    def run(self, arg, from_tty):
        args = gdb.string_to_argv(arg)
        if len(args) != 1:
            raise gdb.GdbError("usage: ktrace FILE")
        per_hart = int(gdb.parse_and_eval("trace_events_per_hart"))
        if per_hart == 0:
            print("ktrace: tracing is off (boot with trace=N, N events per hart); "
                  "nothing written")
            return
        memory = gdb.selected_inferior()
        n = smp_harts()
        sections, raw, newest, notes = [], bytearray(), 0, []
        for i in range(n):
            ring = gdb.parse_and_eval("trace_rings[%d]" % i)   # declared without a size
            if int(ring) == 0:
                sections.append(("trace-hart %d written=0 lost=0 held=0" % i, b""))
                continue
            r = ring.dereference()
            written, mask = int(r["written"]), int(r["mask"])
            # A hart stopped inside trace_record (kernel/trace.S) with the ring still its own
            # may have counted its newest event and not yet written it. (With the ring taken
            # away, by trace_dump, it drops the event instead: nothing half written.)
            mine = int(gdb.lookup_global_symbol("harts").value()[i]["trace"]) == int(ring)
            if int(r["recording"]) and mine and written > 0:
                written -= 1
                notes.append("hart %d was writing an event: left out" % i)
            held = min(written, per_hart)
            data = bytes(memory.read_memory(int(r["events"]), (mask + 1) * TRACE_EVENT_BYTES))
            events = bytearray()
            for k in range(written - held, written):
                slot = (k & mask) * TRACE_EVENT_BYTES
                events += data[slot:slot + TRACE_EVENT_BYTES]
            if held:
                newest = max(newest, struct.unpack_from("<Q", events, len(events) - 32)[0])
            raw += events
            sections.append(("trace-hart %d written=%d lost=%d held=%d"
                             % (i, written, written - held, held), bytes(events)))
        end = read_time()
        source = "the time CSR, read by gdb"
        if end is None or end < newest:
            end, source = newest, "the newest event's time (gdb cannot read the time CSR)"
        timebase = int(kernel_static("timebase", "ktrace"))
        out = ["# ktrace (gdb): the trace rings of a stopped kernel; end= is %s%s"
               % (source, "".join("; " + note for note in notes)),
               "hartos-trace 1 harts=%d per_hart=%d timebase=%d end=%d"
               % (n, per_hart, timebase, end)]
        for head, events in sections:
            out.append(head)
            for k in range(0, len(events), 2 * TRACE_EVENT_BYTES):
                out.append(events[k:k + 2 * TRACE_EVENT_BYTES].hex())
        for t in all_tasks() if started_harts() else []:
            out.append("trace-task %d %s" % (int(t["id"]), task_name(t)))
        out.append("hartos-trace-end fnv1a64=%016x" % fnv1a64(raw))
        write_file(args[0], "\n".join(out) + "\n", "ktrace")
        print("ktrace: %d events of %d harts written to %s (end: %s)"
              % (len(raw) // TRACE_EVENT_BYTES, n, args[0], source))
        for note in notes:
            print("ktrace: " + note)


KTasks()
KBt()
KCount()
KRunq()
KUser()
KTrace()

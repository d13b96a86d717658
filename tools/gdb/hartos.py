# tools/gdb/hartos.py: gdb commands that read the kernel's own data structures, loaded by
# tools/gdbinit. Each command is a class below; `help kheap` shows its documentation.
#   kheap    the kernel heap: arenas, every non-empty free list, totals

import gdb

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


class KHeap(gdb.Command):
    """Print the kernel heap: its arenas, each non-empty free list with its blocks
(address and size), and the totals. Works with either heap: the segregated lists of
heap/list.c, or the single address-ordered list of heap/list_plain.c.
Usage: kheap [MAX]   (MAX: blocks printed per list, default 6)"""

    def __init__(self):
        super().__init__("kheap", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
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
        print("free: %d bytes in %d blocks, largest %d; kmalloc calls %d, kfree calls %d"
              % (total, count, largest, int(H["c"]["allocs"]), int(H["c"]["frees"])))


KHeap()

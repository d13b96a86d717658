# grade.py for ch2-devicetree: `dt=PATH,...` prints device tree nodes as dtc does. One boot
# with a random -smp, -m and hart serves every test (g.shared). It boots a device tree of the
# grader's own (-dtb): QEMU's tree for that machine (dumpdtb), plus a node /lab-TOKEN and a
# property in each node asked for, with strings, cells and bytes drawn from the token. Those
# values are in the blob only (the chapter's boot summary prints none of them), so a dump that
# does not read the properties cannot match. The expected lines are dtc's own: the grader
# decompiles the blob it boots with `dtc -I dtb -O dts`.
import os
import random
import re
import shutil


def _plan(g):
    """This run's machine and the paths asked for (the same in every test: from the token)."""
    rnd = random.Random(g.token)
    smp = rnd.randint(2, 8)
    mem_mib = rnd.choice([64, 96, 160, 192, 256, 320, 384, 512])
    hart = rnd.randrange(smp)
    paths = ["/memory@80000000", "/cpus", f"/cpus/cpu@{hart}/interrupt-controller",
             "/soc/plic@c000000", "/chosen", f"/cpus/cpu@{smp}", f"/lab-{g.token}"]
    args = f"dt={','.join(paths)} labtoken={g.token}"
    return smp, mem_mib, hart, paths, args


# ----- the grader's device tree -----------------------------------------------------------------

SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.-_:/+=@#"


def _string(rnd):
    return "".join(rnd.choice(SAFE) for _ in range(rnd.randint(1, 20)))


def _value(rnd, kind):
    """A property's value in dts syntax: a string, strings, cells, bytes or a flag (None)."""
    if kind == "string":
        return '"%s"' % _string(rnd)
    if kind == "strings":
        return ", ".join('"%s"' % _string(rnd) for _ in range(rnd.randint(2, 3)))
    if kind == "cells":             # the first below 0x100: NUL first, so never text; %02x
        cells = [rnd.randrange(0x100)] + [rnd.choice([rnd.randrange(0x10), rnd.getrandbits(32)])
                                          for _ in range(rnd.randint(0, 5))]
        return "<%s>" % " ".join("%#x" % c for c in cells)
    if kind == "bytes":             # not a multiple of 4, the first not printable: never text
        n = rnd.choice([1, 2, 3, 5, 6, 7, 9, 10, 11])
        data = [rnd.randrange(0x80, 0x100)] + [rnd.randrange(0x100) for _ in range(n - 1)]
        return "[%s]" % " ".join("%02x" % b for b in data)
    return None


def _prop(name, value, indent):
    return "%s%s%s;\n" % ("\t" * indent, name, "" if value is None else " = " + value)


def _lab_node(g):
    """The node /lab-TOKEN in dts syntax: every kind of value in a random order, and two
    children (one with properties and a child of its own, which the dump must not print)."""
    rnd = random.Random(g.token + "node")
    kinds = ["string", "strings", "cells", "bytes", "flag"] + \
        [rnd.choice(["string", "cells", "bytes"]) for _ in range(2)]
    rnd.shuffle(kinds)
    text = "\tlab-%s {\n" % g.token
    for i, kind in enumerate(kinds):
        text += _prop("%s-%d-%04x" % (kind, i, rnd.getrandbits(16)), _value(rnd, kind), 2)
    sub = "sub@%x" % rnd.getrandbits(12)
    text += "\t\t%s {\n%s\t\t\tleaf-%04x {\n%s\t\t\t};\n\t\t};\n" % (
        sub, _prop("inner-%04x" % rnd.getrandbits(16), _value(rnd, "cells"), 3),
        rnd.getrandbits(16), _prop("deep", _value(rnd, "string"), 4))
    text += "\t\tend-%04x {\n\t\t};\n\t};\n" % rnd.getrandbits(16)
    return text


def _extra(g, path):
    """The property the grader adds to a node the chapter's tree has: its name and dts value."""
    rnd = random.Random(g.token + path)
    return "lab-%s" % g.token[:6], _value(rnd, rnd.choice(["string", "cells", "bytes"]))


def _parse_dts(text):
    """dtc's output as {path: (property lines, child names)}, in the blob's order."""
    nodes, stack = {}, []
    for line in text.splitlines():
        s = line.strip()
        m = re.fullmatch(r"(?:[\w,.+-]+: )*([^\s{]+) \{", s)
        if m:
            name = m.group(1)
            path = "/" if name == "/" else (stack[-1] if stack[-1] != "/" else "") + "/" + name
            if stack:
                nodes[stack[-1]][1].append(name)
            stack.append(path)
            nodes[path] = ([], [])
        elif s == "};":
            stack.pop()
        elif stack and s.endswith(";"):
            nodes[stack[-1]][0].append(s)
    return nodes


def _make_dtb(g, smp, mem_mib):
    """Build the run's blob in build/lab-devicetree/; (its path, {path: (props, children)})."""
    if not shutil.which("dtc"):
        fail("dtc is not installed (tools/setup installs it: package device-tree-compiler)")
    d = os.path.join(g.tree, "build", "lab-devicetree")
    shutil.rmtree(d, ignore_errors=True)            # an earlier grade's
    os.makedirs(d)
    qemu_dtb, dts, dtb = (os.path.join(d, g.token + ext) for ext in ("-qemu.dtb", ".dts", ".dtb"))
    status, out = g.sh(f"qemu-system-riscv64 -machine virt,dumpdtb={qemu_dtb} -nographic "
                       f"-bios default -smp {smp} -m {mem_mib}M </dev/null", timeout=30)
    if status != 0:
        fail("QEMU did not dump its device tree: " + out.strip()[-300:])
    status, out = g.sh(f"dtc -q -I dtb -O dts {qemu_dtb}")
    if status != 0:
        fail("dtc could not read QEMU's device tree: " + out.strip()[-300:])
    smp_, mem_, hart, paths, args = _plan(g)
    extra = {path: _extra(g, path) for path in paths[:5]}   # the nodes the chapter's tree has
    lines, stack = [], []
    for line in out.splitlines(keepends=True):
        lines.append(line)
        m = re.fullmatch(r"(\t*)(?:[\w,.+-]+: )*([^\s{]+) \{\n", line)
        if m:
            name = m.group(2)
            stack.append("/" if name == "/" else (stack[-1].rstrip("/") + "/" + name))
            if stack[-1] in extra:
                lines.append(_prop(*extra.pop(stack[-1]), len(m.group(1)) + 1))
        elif line.strip() == "};":
            stack.pop()
    if extra:
        fail("QEMU's device tree has no node " + ", ".join(extra))
    text = "".join(lines)
    end = text.rindex("};")
    text = text[:end] + _lab_node(g) + text[end:]
    with open(dts, "w") as f:
        f.write(text)
    status, out = g.sh(f"dtc -q -I dts -O dtb -p 4096 -o {dtb} {dts} && dtc -q -I dtb -O dts {dtb}")
    if status != 0:
        fail("dtc could not build the lab's device tree: " + out.strip()[-300:])
    return dtb, _parse_dts(out)


def _boot(g):
    smp, mem_mib, hart, paths, args = _plan(g)
    dtb, tree = _make_dtb(g, smp, mem_mib)
    run = g.boot(args=args, smp=smp, mem=f"{mem_mib}M", timeout=15, qemu=("-dtb", dtb))
    run.dts = tree
    return run


def _setup(g):
    """The shared boot, the machine, and what dtc says of the blob it booted with."""
    run = g.shared("boot", lambda: _boot(g))
    smp, mem_mib, hart, paths, args = _plan(g)
    return run, smp, mem_mib, hart, args


def _block(run, path):
    """The lines between 'dt: PATH {' and its 'dt: };', without the 'dt: ' prefix."""
    m = run.expect(rf"^dt: {re.escape(path)} \{{\n((?:dt:   .*\n)*)dt: \}};$")
    return [line[len("dt: "):] for line in m.group(1).splitlines()]


def _has(lines, path, want):
    if want not in lines:
        fail(f"node {path}: no line '{want}' among:\n  " + "\n  ".join(lines))


def _has_extra(g, run, lines, path):
    """The property the grader added to this node, as dtc prints it."""
    key = _extra(g, path)[0]
    want = [p for p in run.dts[path][0] if p.startswith(key + " ")]
    _has(lines, path, "  " + want[0])


@test(10)
def memory_reg(g):
    run, smp, mem_mib, hart, args = _setup(g)
    run.expect_status(0)
    lines = _block(run, "/memory@80000000")
    _has(lines, "/memory@80000000", '  device_type = "memory";')
    _has(lines, "/memory@80000000", f"  reg = <0x00 0x80000000 0x00 {mem_mib << 20:#04x}>;")
    _has_extra(g, run, lines, "/memory@80000000")


@test(20)
def cpus_children(g):
    run, smp, mem_mib, hart, args = _setup(g)
    lines = _block(run, "/cpus")
    _has(lines, "/cpus", "  #address-cells = <0x01>;")
    _has(lines, "/cpus", "  timebase-frequency = <0x989680>;")
    _has_extra(g, run, lines, "/cpus")
    children = [l for l in lines if l.endswith(" {};")]
    want = [f"  cpu@{i} {{}};" for i in range(smp)] + ["  cpu-map {};"]
    if children != want:
        fail(f"/cpus with -smp {smp}: children {children}, want {want} (in tree order)")
    run.expect(rf"^dt: /cpus/cpu@{smp}: no such node$")


@test(15)
def strings_and_flags(g):
    run, smp, mem_mib, hart, args = _setup(g)
    path = f"/cpus/cpu@{hart}/interrupt-controller"
    lines = _block(run, path)
    _has(lines, path, "  interrupt-controller;")
    _has(lines, path, '  compatible = "riscv,cpu-intc";')
    _has(lines, path, "  #interrupt-cells = <0x01>;")
    _has_extra(g, run, lines, path)
    lines = _block(run, "/soc/plic@c000000")
    _has(lines, "/soc/plic@c000000", '  compatible = "sifive,plic-1.0.0\\0riscv,plic0";')
    _has_extra(g, run, lines, "/soc/plic@c000000")
    # two contexts (M and S) per hart, each a (phandle, cause) pair of cells
    ext = [l for l in lines if l.startswith("  interrupts-extended = <")]
    cells = re.findall(r"0x[0-9a-f]+", ext[0]) if ext else []
    if len(cells) != 4 * smp:
        fail(f"/soc/plic@c000000 with -smp {smp}: interrupts-extended has {len(cells)} "
             f"cells, want {4 * smp}: {ext}")


@test(15)
def chosen_bootargs(g):
    run, smp, mem_mib, hart, args = _setup(g)
    lines = _block(run, "/chosen")
    _has(lines, "/chosen", f'  bootargs = "{args}";')
    _has(lines, "/chosen", '  stdout-path = "/soc/serial@10000000";')
    _has_extra(g, run, lines, "/chosen")
    seed = [l for l in lines if re.fullmatch(r"  rng-seed = <(0x[0-9a-f]{2,8} ?){8}>;", l)]
    if not seed:
        fail("/chosen: no 'rng-seed = <...>;' line of 8 cells")


@test(30)
def lab_node_exact(g):
    """A node only this run's device tree has: its every line, exactly as dtc prints it."""
    run, smp, mem_mib, hart, args = _setup(g)
    path = f"/lab-{g.token}"
    props, children = run.dts[path]
    want = ["  " + p for p in props] + ["  %s {};" % c for c in children]
    got = _block(run, path)
    if got != want:
        fail(f"node {path} is\n  " + "\n  ".join(got or ["(no lines)"]) +
             "\nwant (as dtc prints the blob)\n  " + "\n  ".join(want))


@test(10, baseline=True)
def machine_summary_unchanged(g):
    run, smp, mem_mib, hart, args = _setup(g)
    run.expect_status(0)
    harts = " ".join(str(i) for i in range(smp))
    run.expect(rf"^harts: {harts} \({smp} found\), timebase 10000000 Hz$")
    end = 0x80000000 + (mem_mib << 20)
    run.expect(rf"^memory: 0x80000000-{end:#x} \({mem_mib} MiB\)$")
    run.expect(rf'^bootargs: "{re.escape(args)}"$')

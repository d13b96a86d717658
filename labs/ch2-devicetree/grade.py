# grade.py for ch2-devicetree: `dt=PATH,...` prints device tree nodes as dtc does. One boot
# with a random -smp, -m and hart serves every test (it is cached for the run); each node's
# block is checked line by line, and each block holds a value from this run's randomness.
import random
import re

_runs = {}


def _setup(g):
    """This run's machine, the paths asked for, and the boot (once per token)."""
    rnd = random.Random(g.token)
    smp = rnd.randint(2, 8)
    mem_mib = rnd.choice([64, 96, 160, 192, 256, 320, 384, 512])
    hart = rnd.randrange(smp)
    paths = ["/memory@80000000", "/cpus", f"/cpus/cpu@{hart}/interrupt-controller",
             "/soc/plic@c000000", "/chosen", f"/cpus/cpu@{smp}"]
    args = f"dt={','.join(paths)} labtoken={g.token}"
    key = (g.tree, g.token)
    if key not in _runs:
        _runs[key] = g.boot(args=args, smp=smp, mem=f"{mem_mib}M", timeout=15)
    else:
        g.log("== the boot of an earlier test, reused; its console:\n" + _runs[key].out)
    return _runs[key], smp, mem_mib, hart, args


def _block(run, path):
    """The lines between 'dt: PATH {' and its 'dt: };', without the 'dt: ' prefix."""
    m = run.expect(rf"^dt: {re.escape(path)} \{{\n((?:dt:   .*\n)*)dt: \}};$")
    return [line[len("dt: "):] for line in m.group(1).splitlines()]


def _has(lines, path, want):
    if want not in lines:
        fail(f"node {path}: no line '{want}' among:\n  " + "\n  ".join(lines))


@test(25)
def memory_reg(g):
    run, smp, mem_mib, hart, args = _setup(g)
    run.expect_status(0)
    lines = _block(run, "/memory@80000000")
    _has(lines, "/memory@80000000", '  device_type = "memory";')
    _has(lines, "/memory@80000000", f"  reg = <0x00 0x80000000 0x00 {mem_mib << 20:#04x}>;")


@test(25)
def cpus_children(g):
    run, smp, mem_mib, hart, args = _setup(g)
    lines = _block(run, "/cpus")
    _has(lines, "/cpus", "  #address-cells = <0x01>;")
    _has(lines, "/cpus", "  timebase-frequency = <0x989680>;")
    children = [l for l in lines if l.endswith(" {};")]
    want = [f"  cpu@{i} {{}};" for i in range(smp)] + ["  cpu-map {};"]
    if children != want:
        fail(f"/cpus with -smp {smp}: children {children}, want {want} (in tree order)")
    run.expect(rf"^dt: /cpus/cpu@{smp}: no such node$")


@test(20)
def strings_and_flags(g):
    run, smp, mem_mib, hart, args = _setup(g)
    path = f"/cpus/cpu@{hart}/interrupt-controller"
    lines = _block(run, path)
    _has(lines, path, "  interrupt-controller;")
    _has(lines, path, '  compatible = "riscv,cpu-intc";')
    _has(lines, path, "  #interrupt-cells = <0x01>;")
    lines = _block(run, "/soc/plic@c000000")
    _has(lines, "/soc/plic@c000000", '  compatible = "sifive,plic-1.0.0\\0riscv,plic0";')
    # two contexts (M and S) per hart, each a (phandle, cause) pair of cells
    ext = [l for l in lines if l.startswith("  interrupts-extended = <")]
    cells = re.findall(r"0x[0-9a-f]+", ext[0]) if ext else []
    if len(cells) != 4 * smp:
        fail(f"/soc/plic@c000000 with -smp {smp}: interrupts-extended has {len(cells)} "
             f"cells, want {4 * smp}: {ext}")


@test(20)
def chosen_bootargs(g):
    run, smp, mem_mib, hart, args = _setup(g)
    lines = _block(run, "/chosen")
    _has(lines, "/chosen", f'  bootargs = "{args}";')
    _has(lines, "/chosen", '  stdout-path = "/soc/serial@10000000";')
    seed = [l for l in lines if re.fullmatch(r"  rng-seed = <(0x[0-9a-f]{2,8} ?){8}>;", l)]
    if not seed:
        fail("/chosen: no 'rng-seed = <...>;' line of 8 cells")


@test(10, baseline=True)
def machine_summary_unchanged(g):
    run, smp, mem_mib, hart, args = _setup(g)
    run.expect_status(0)
    harts = " ".join(str(i) for i in range(smp))
    run.expect(rf"^harts: {harts} \({smp} found\), timebase 10000000 Hz$")
    end = 0x80000000 + (mem_mib << 20)
    run.expect(rf"^memory: 0x80000000-{end:#x} \({mem_mib} MiB\)$")
    run.expect(rf'^bootargs: "{re.escape(args)}"$')

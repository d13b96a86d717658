# hartos: every entry point a learner or CI uses.
#   make            build build/kernel.elf, build/kernel.bin and build/Image (the same bytes, named
#                   as U-Boot boots them; checks the tools first), and
#                   build/compile_commands.json for editors (clangd finds it there)
#   make qemu       install what is missing (Debian/Ubuntu), build, boot on QEMU virt
#                   (MACHINE=sifive_u: on QEMU's model of a HiFive Unleashed board, ch12)
#   make qemu-gdb   the same, halted at the first instruction, waiting for gdb on $(GDBPORT)
#   make gdb        gdb-multiarch attached to `make qemu-gdb` (run it in a second terminal)
#   make qemu-uboot the boot path of real boards: OpenSBI, then U-Boot (S-mode), which boots
#                   build/Image from build/disk.img (tools/mkdisk; ARGS go in its extlinux.conf)
#   make test       install what is missing, build, run every test: "N passed, N failed"
#   make soak       the race tests' repeats (tests/races.sh), SOAK_RUNS times each (500): hours
#   make bench      deterministic instruction counts under QEMU -icount: build/bench.txt, and
#                   how they grow drawn in build/bench-curves.svg (BENCH=GLOB: fewer benchmarks)
#   make trace      boot SCENARIO (demo, balance, fairness, shell, usertests, heap, init=NAME)
#                   with the flight recorder on: build/trace.json and build/trace.svg (ch11);
#                   make trace-pictures draws docs/img/ch11-*.svg, the guide's, again
#   make fuzz       fuzz the device tree parser, the heap and the ELF checks, FUZZSEC s each (60):
#                   a line each, "fuzz fdt: ok, N runs in 60 s" or FAILED naming the input saved
#   make chapters   list the chapters and tag them ch1..chN in this clone
#   make labs       the graded labs; make lab LAB=NAME starts one, make grade grades it, make
#                   handin packs it (labs/lab.mk, docs/labs.md); make test-labs checks their graders
#   make clean      remove build/
# Variables: MACHINE (virt or sifive_u), SMP (harts, 4; on sifive_u 5: hart 0 is a monitor core
# hartos leaves stopped), MEM (RAM, 128M), ARGS (kernel boot arguments), ICOUNT (1: QEMU
# -icount, a deterministic clock; the timed in-kernel tests need it), RACE=1 (the
# race-widening build, in build/race), LOAD_ADDR (link the kernel there, in build/load-ADDR:
# 0x40200000 for the VisionFive 2, whose RAM starts at 0x40000000; default 0x80200000),
# CROSS_COMPILE, GDBPORT, EXTRA_CFLAGS (test hooks; the tests build such kernels under
# build/variants/), KHEAP (which heap/list*.c the kernel links), FUZZERS (make fuzz's, "fdt heap
# elf"), FUZZFLAGS (more libFuzzer options).

MACHINE ?= virt
SMP  ?= $(if $(filter sifive_u,$(MACHINE)),5,4)
MEM  ?= 128M
ARGS ?=
ICOUNT ?=
# Two learners on one machine get different gdb ports: derive it from the user id.
GDBPORT ?= $(shell echo $$((25000 + $$(id -u) % 5000)))

CROSS_COMPILE ?= $(shell tools/setup prefix)
CC      := $(CROSS_COMPILE)gcc
OBJCOPY := $(CROSS_COMPILE)objcopy
NM      := $(CROSS_COMPILE)nm

BUILD := build
# RACE=1: the race-widening build (kernel/race.h, chapter 9), kept in its own folder:
# `make qemu RACE=1`, `make qemu-gdb RACE=1` + `make gdb RACE=1`.
ifeq ($(RACE),1)
BUILD := build/race
EXTRA_CFLAGS += -DHARTOS_RACE
endif
# LOAD_ADDR=ADDR: a kernel linked at ADDR instead of 0x80200000 (boot/kernel.ld), in its own
# folder, for a board whose RAM starts elsewhere: `make LOAD_ADDR=0x40200000` (VisionFive 2).
LOAD_ADDR ?=
ifneq ($(LOAD_ADDR),)
BUILD := $(BUILD)/load-$(LOAD_ADDR)
endif
KERNEL := $(BUILD)/kernel.elf

# Flags that work with Debian's riscv64-unknown-elf multilibs (DESIGN.md): ISA spec 2.2 keeps
# csr* and fence.i inside "i"; rv64imac/lp64 is integer-only; medany links at 0x80200000.
ARCHFLAGS := -misa-spec=2.2 -march=rv64imac -mabi=lp64 -mcmodel=medany
CFLAGS := $(ARCHFLAGS) -std=gnu11 -O2 -g -Wall -Wextra -Werror \
          -ffreestanding -fno-common -fno-builtin -fno-stack-protector -fno-pie \
          -fno-omit-frame-pointer -fno-asynchronous-unwind-tables -fno-unwind-tables \
          -I. -MMD -MP $(EXTRA_CFLAGS)
LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -T boot/kernel.ld
ifneq ($(LOAD_ADDR),)
LDFLAGS += -Wl,--defsym=KERNEL_BASE=$(LOAD_ADDR)
endif

# The kernel links one heap implementation (heap/list*.c); the others stay in the tree for the
# host tests and for comparison: `make bench KHEAP=heap/list_plain.c`.
KHEAP ?= heap/list.c
KERNEL_SRCS := $(wildcard boot/*.S kernel/*.S kernel/*.c task/*.S task/*.c tests/kernel/*.c \
                             tests/bench/*.c) \
               $(filter-out heap/list%.c, $(wildcard heap/*.c)) $(KHEAP)
# Objects keep their source's extension (kernel/trap.c and kernel/trap.S are different files).
# The user programs are embedded by one generated file (see "User programs" below).
KERNEL_OBJS := $(patsubst %,$(BUILD)/%.o,$(KERNEL_SRCS)) $(BUILD)/user_programs.S.o

# User programs: every user/NAME.c is one program, linked with user/lib and picolibc into
# build/user/NAME.elf (debug symbols, for gdb) and embedded stripped. Flags: the rv64imac/lp64
# multilib of picolibc, soft-float like the kernel.
# tests/user/NAME.c are programs too (the usertests, tests/user.sh), built and embedded alike;
# a name must be unique across both folders.
USER_PROGS := $(sort $(basename $(notdir $(wildcard user/*.c tests/user/*.c))))
USER_ELFS := $(USER_PROGS:%=$(BUILD)/user/%.elf)
USER_LIB_OBJS := $(patsubst %,$(BUILD)/%.o,$(wildcard user/lib/*.S user/lib/*.c))
USER_CFLAGS := $(ARCHFLAGS) --specs=picolibc.specs -std=gnu11 -O2 -g -Wall -Wextra -Werror \
               -fno-common -fno-pie -I. -MMD -MP
USER_LDFLAGS := -nostartfiles -static -no-pie -Wl,--build-id=none -T user/user.ld

# The command that compiles one source, $(call kernel_cc,OBJECT,SOURCE): the rules below run it
# and compile_commands.json lists it, so an editor sees exactly the flags of the build.
kernel_cc = $(CC) $(CFLAGS) -c -o $(1) $(2)
user_cc = $(CC) $(USER_CFLAGS) -c -o $(1) $(2)

.PHONY: FORCE all check-tools setup qemu qemu-uboot qemu-gdb gdb test soak bench trace trace-pictures fuzz kheap-name chapters clean \
        compile-commands

all: $(BUILD)/compile_commands.json $(KERNEL) $(BUILD)/kernel.bin $(BUILD)/Image $(USER_ELFS)

# The tool check runs before anything is compiled, so a missing or old tool is one clear line.
check-tools:
	@tools/setup check

setup:
	@tools/setup install

# Two links, so a panic can name functions without host tools: the first link (with an empty
# symbol table) gives `nm` the addresses, tools/ksyms turns them into build/ksyms.S, and the
# second link embeds that. The table sits in .rodata, after .text, so no code moves between the
# links; the last line checks that, because a table of wrong addresses would mislead.
$(BUILD)/ksyms-empty.S: tools/ksyms
	@mkdir -p $(dir $@)
	tools/ksyms </dev/null >$@

# Which heap the kernel links, as a file that changes only when KHEAP does, so that switching
# heaps relinks the kernel.
$(BUILD)/kheap-choice: FORCE
	@mkdir -p $(BUILD)
	@echo $(KHEAP) | cmp -s - $@ || echo $(KHEAP) >$@

$(BUILD)/kernel.pass1.elf: $(KERNEL_OBJS) $(BUILD)/ksyms-empty.S.o boot/kernel.ld $(BUILD)/kheap-choice
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/ksyms-empty.S.o

$(BUILD)/ksyms.S: $(BUILD)/kernel.pass1.elf tools/ksyms
	$(NM) -n $< | tools/ksyms >$@

$(KERNEL): $(KERNEL_OBJS) $(BUILD)/ksyms.S.o boot/kernel.ld $(BUILD)/kheap-choice
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/ksyms.S.o
	@$(NM) -n $(BUILD)/kernel.pass1.elf | grep ' [tTW] ' >$(BUILD)/text1.syms
	@$(NM) -n $@ | grep ' [tTW] ' | cmp -s - $(BUILD)/text1.syms || \
	    { echo "ksyms: code moved between the two links; the symbol table would be wrong"; \
	      rm -f $@; exit 1; }

$(BUILD)/kernel.bin: $(KERNEL)
	$(OBJCOPY) -O binary $< $@

# The raw image under the name bootloaders give it (U-Boot's booti, ch12): it starts with the
# RISC-V Linux image header that boot/entry.S writes.
$(BUILD)/Image: $(BUILD)/kernel.bin
	cp $< $@

$(BUILD)/%.c.o: %.c | check-tools
	@mkdir -p $(dir $@)
	$(call kernel_cc,$@,$<)

$(BUILD)/%.S.o: %.S | check-tools
	@mkdir -p $(dir $@)
	$(call kernel_cc,$@,$<)

# The generated symbol tables (see above).
$(BUILD)/%.S.o: $(BUILD)/%.S | check-tools
	$(call kernel_cc,$@,$<)

# User programs (see USER_CFLAGS). These rules are more specific than the kernel's above, so
# make picks them for everything under user/.
$(BUILD)/user/%.c.o: user/%.c | check-tools
	@mkdir -p $(dir $@)
	$(call user_cc,$@,$<)

$(BUILD)/user/%.c.o: tests/user/%.c | check-tools
	@mkdir -p $(dir $@)
	$(call user_cc,$@,$<)

$(BUILD)/user/%.S.o: user/%.S | check-tools
	@mkdir -p $(dir $@)
	$(call user_cc,$@,$<)

$(BUILD)/user/%.elf: $(BUILD)/user/%.c.o $(USER_LIB_OBJS) user/user.ld
	$(CC) $(USER_CFLAGS) $(USER_LDFLAGS) -o $@ $< $(USER_LIB_OBJS)

$(BUILD)/user/%.strip: $(BUILD)/user/%.elf
	$(OBJCOPY) --strip-all $< $@

# The table of embedded programs, rewritten only when the list of programs changes.
$(BUILD)/user_programs.S: tools/user-programs FORCE
	@mkdir -p $(dir $@)
	@tools/user-programs $(BUILD)/user $(USER_PROGS) | cmp -s - $@ || \
	    tools/user-programs $(BUILD)/user $(USER_PROGS) >$@

$(BUILD)/user_programs.S.o: $(USER_PROGS:%=$(BUILD)/user/%.strip)

# Keep the objects: make would otherwise delete them as intermediate files after each link.
.SECONDARY: $(USER_LIB_OBJS) $(USER_PROGS:%=$(BUILD)/user/%.c.o)

# Editors: every source's compile command (the kernel's, the user programs', tests/host's), in
# the JSON compilation database that clangd and other tools read. It is written first, so that
# an editor has it even while the build fails, and rewritten only when a command changes.
# .clangd drops the one GCC flag clang does not know.
$(BUILD)/compile_commands.json: tools/compile-commands FORCE
	@mkdir -p $(BUILD) && { $(MAKE) -s --no-print-directory compile-commands && \
	    $(MAKE) -s --no-print-directory -C tests/host compile-commands; } >$@.new
	@if [ -f $@ ] && cmp -s $@.new $@.lines; then rm $@.new; \
	else tools/compile-commands $@.new $@ && mv $@.new $@.lines; fi

# One line per source: the folder the command runs in, then the command, whose last word is
# the source; the generated symbol tables and program table too.
compile_lines = $(foreach s,$(2),$(info $(CURDIR) $(call $(1),$(3)$(s).o,$(s))))
compile-commands:
	@:$(call compile_lines,kernel_cc,$(KERNEL_SRCS),$(BUILD)/)
	@:$(call compile_lines,kernel_cc,$(addprefix $(BUILD)/,user_programs.S ksyms-empty.S ksyms.S))
	@:$(call compile_lines,user_cc,$(wildcard user/lib/*.S user/lib/*.c),$(BUILD)/)
	@:$(foreach s,$(wildcard user/*.c tests/user/*.c),\
	    $(info $(CURDIR) $(call user_cc,$(BUILD)/user/$(notdir $(s)).o,$(s))))

# qemu, qemu-gdb and test first install what is missing, then build in a fresh make, so the
# cross-compiler prefix is chosen after the install.
qemu: setup
	@$(MAKE) --no-print-directory all
	@echo "hartos: booting on QEMU $(MACHINE) (SMP=$(SMP) MEM=$(MEM)$(if $(ICOUNT), ICOUNT=$(ICOUNT))); Ctrl-A then X quits QEMU"
	@MACHINE=$(MACHINE) SMP=$(SMP) MEM=$(MEM) ARGS="$(ARGS)" ICOUNT=$(ICOUNT) KERNEL=$(KERNEL) \
	    tools/qemu

# ch12: as a VisionFive 2 boots. U-Boot needs 256M (it loads the image at 0x84000000 and keeps
# a device tree at 0x8c000000), so MEM's default here is 256M; ARGS go on the disk, since
# U-Boot, not QEMU, hands the kernel its boot arguments.
qemu-uboot: setup
	@[ -z "$(LOAD_ADDR)" ] || { echo "make qemu-uboot: QEMU virt's RAM starts at 0x80000000, so" \
	    "U-Boot puts the image at 0x80200000; a kernel linked at LOAD_ADDR=$(LOAD_ADDR) would stop"; \
	    exit 2; }
	@$(MAKE) --no-print-directory all
	@ARGS="$(ARGS)" tools/mkdisk $(BUILD)/Image $(BUILD)/disk.img
	@echo "hartos: booting through U-Boot on QEMU virt (SMP=$(SMP)); Ctrl-A then X quits QEMU"
	@BOOT=uboot DISK=$(BUILD)/disk.img SMP=$(SMP) ARGS= ICOUNT= \
	    MEM=$(if $(filter file,$(origin MEM)),256M,$(MEM)) tools/qemu

qemu-gdb: setup
	@$(MAKE) --no-print-directory all
	@echo "hartos: QEMU is halted at the first instruction, gdb stub on port $(GDBPORT)."
	@echo "hartos: in another terminal run 'make gdb'; Ctrl-A then X quits QEMU"
	@echo $(MACHINE) >$(BUILD)/qemu-gdb.machine
	@MACHINE=$(MACHINE) SMP=$(SMP) MEM=$(MEM) ARGS="$(ARGS)" ICOUNT=$(ICOUNT) KERNEL=$(KERNEL) \
	    tools/qemu --gdb $(GDBPORT) --pidfile $(BUILD)/qemu-gdb.pid

# GDBFLAGS lets scripts add commands, e.g. GDBFLAGS="-batch -ex continue -ex bt".
# tools/gdbinit kills QEMU when gdb quits; the pidfile is the fallback if gdb was killed. The
# machine (ch12) is the one the last `make qemu-gdb` booted.
gdb:
	@MACHINE=$$(cat $(BUILD)/qemu-gdb.machine 2>/dev/null || echo virt) GDBPORT=$(GDBPORT) \
	    KERNEL=$(KERNEL) gdb-multiarch -q -nx -x tools/gdbinit $(GDBFLAGS); \
	status=$$?; \
	if [ -f $(BUILD)/qemu-gdb.pid ]; then kill $$(cat $(BUILD)/qemu-gdb.pid) 2>/dev/null; fi; \
	exit $$status

test: setup
	@$(MAKE) --no-print-directory all
	@KHEAP=$(KHEAP) tests/run

# The repeats of tests/races.sh (the smp_* tests and stress_kill on 1..8 real parallel harts,
# the plain and the race-widening kernel in turn), run far longer than make test runs them:
# a race that shows once in a thousand runs. Not part of make test.
SOAK_RUNS ?= 500
soak: setup
	@$(MAKE) --no-print-directory all
	@KHEAP=$(KHEAP) REPEAT_RUNS=$(SOAK_RUNS) tests/run '*-repeat-*'

# Benchmarks: the kernel with `kbench` on one hart under -icount (instret then counts guest
# instructions exactly; sleep=off keeps idle time from varying), plus the host-side heap_frag.
# balance runs on four harts *without* -icount: under -icount the harts take turns on one host
# thread, so how work spreads over them would mean nothing. That one figure varies from run to
# run. Chapter 10's cost curves: kmalloc_par once per hart count in BENCH_HARTS (each
# `kmalloc_par_mean` becomes `kmalloc_pair_smpN`), then tools/bench-plot prints how each figure
# grows and draws build/bench-curves.svg. A curve with no figures fails the bench, after the
# rest is written (unless BENCH narrowed it on purpose).
# ch11: boot SCENARIO under -icount with the flight recorder on (trace=N), then draw the trace:
# build/trace.json (Perfetto, chrome://tracing, speedscope), build/trace.svg, and a line per hart
# (tools/trace-scenario lists the scenarios).
SCENARIO ?= demo
trace: setup
	@$(MAKE) --no-print-directory all
	@SMP=$(SMP) MEM=$(MEM) ARGS="$(ARGS)" KERNEL=$(KERNEL) tools/trace-scenario "$(SCENARIO)" \
	    $(BUILD)/trace

# The pictures in docs/ch11-seeing.md, made again from make trace's scenarios (under -icount,
# so the same kernel draws the same pictures).
trace-pictures: setup
	@$(MAKE) --no-print-directory all
	@set -e; d=$(BUILD)/pictures; mkdir -p $$d docs/img; \
	for s in demo balance shell; do \
	    SMP=4 KERNEL=$(KERNEL) tools/trace-scenario $$s $$d/$$s >/dev/null; \
	    cp $$d/$$s.svg docs/img/ch11-$$s.svg; done; \
	SMP=4 ARGS=balance=off KERNEL=$(KERNEL) tools/trace-scenario fairness $$d/before >/dev/null; \
	SMP=4 KERNEL=$(KERNEL) tools/trace-scenario fairness $$d/after >/dev/null; \
	cp $$d/before.svg docs/img/ch11-fairness-before.svg; \
	cp $$d/after.svg docs/img/ch11-fairness-after.svg; \
	if [ -x tools/heapmap ]; then \
	    SMP=4 KERNEL=$(KERNEL) tools/trace-scenario heap $$d/heap >/dev/null; \
	    for f in $$d/heap-heap-*.svg; do cp $$f docs/img/ch11-$${f##*/heap-}; done; fi; \
	ls -l docs/img/ch11-*.svg

BENCH_HARTS ?= 1 2 4 8
bench: setup
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory -s -C tests/host ../../build/host/heap_frag_$(notdir $(basename $(KHEAP)))
	@echo "bench: KHEAP=$(KHEAP)"
	@SMP=1 MEM=256M ARGS="kbench$(if $(BENCH),=$(BENCH))" tools/qemu --timeout 600 \
	    -- -icount shift=0,sleep=off >$(BUILD)/bench-smp1.log 2>&1 || \
	    { tail -20 $(BUILD)/bench-smp1.log; \
	      echo "bench: the kernel run failed (log: $(BUILD)/bench-smp1.log)"; exit 1; }
	@# syscall: measured by a user program itself (tests/user/bench_syscall.c)
	@SMP=1 ARGS="init=bench_syscall" tools/qemu --timeout 600 -- -icount shift=0,sleep=off \
	    >>$(BUILD)/bench-smp1.log 2>&1 || \
	    { tail -20 $(BUILD)/bench-smp1.log; \
	      echo "bench: the syscall run failed (log: $(BUILD)/bench-smp1.log)"; exit 1; }
	@# several harts under -icount: the boot argument icount makes a waiting hart end its turn
	@# (kernel/timer.c), so that a hart spinning for a lock does not starve its owner
	@for b in yield spawn_join fairness_6on4; do \
	    SMP=4 MEM=256M ARGS="icount kbench=$$b" tools/qemu --timeout 600 -- -icount shift=0,sleep=off \
	        || exit 1; done >$(BUILD)/bench-smp4.log 2>&1 || \
	    { tail -20 $(BUILD)/bench-smp4.log; \
	      echo "bench: the kernel run failed (log: $(BUILD)/bench-smp4.log)"; exit 1; }
	@# balance is measured in time, so it runs without -icount (see tests/bench/task_bench.c)
	@SMP=4 ARGS="kbench=balance" tools/qemu --timeout 600 >>$(BUILD)/bench-smp4.log 2>&1 || \
	    { tail -20 $(BUILD)/bench-smp4.log; \
	      echo "bench: the kernel run failed (log: $(BUILD)/bench-smp4.log)"; exit 1; }
	@# kmalloc_par at 1, 2, 4, 8 harts: a missing benchmark is named here, not skipped
	@rm -f $(BUILD)/bench-harts.txt; case kmalloc_par in $(or $(BENCH),*)) ;; *) exit 0 ;; esac; \
	for n in $(BENCH_HARTS); do \
	    log=$(BUILD)/bench-kmalloc-smp$$n.log; \
	    SMP=$$n MEM=256M ARGS="icount kbench=kmalloc_par" tools/qemu --timeout 600 \
	        -- -icount shift=0,sleep=off >$$log 2>&1; status=$$?; \
	    if grep -q '^# no benchmark matches' $$log; then \
	        echo "bench: this kernel has no kbench kmalloc_par (the heap's, issue 14):" \
	             "kmalloc_pair_smp* are missing, so make bench fails at the end" >&2; break; fi; \
	    harts=$$(tr -d '\r' <$$log | sed -n 's/^bench kmalloc_par_harts \([0-9]*\) .*/\1/p'); \
	    mean=$$(tr -d '\r' <$$log | sed -n 's/^bench kmalloc_par_mean \([0-9.]*\) .*/\1/p'); \
	    if [ $$status != 0 ] || [ "$$harts" != $$n ] || [ -z "$$mean" ]; then \
	        tail -20 $$log; echo "bench: kmalloc_par on $$n harts failed (status $$status," \
	             "ran on '$$harts' harts; log: $$log)" >&2; exit 1; fi; \
	    echo "bench kmalloc_pair_smp$$n $$mean instr" >>$(BUILD)/bench-harts.txt; \
	done
	@{ grep '^bench ' $(BUILD)/bench-smp1.log | tr -d '\r'; \
	   grep '^bench ' $(BUILD)/bench-smp4.log | tr -d '\r' | sed 's/^bench \([^ ]*\)/bench \1_smp4/'; \
	   cat $(BUILD)/bench-harts.txt 2>/dev/null; \
	   $(BUILD)/host/heap_frag_$(notdir $(basename $(KHEAP))); } | tee $(BUILD)/bench.txt
	@tools/bench-plot $(if $(BENCH),--partial) $(BUILD)/bench.txt $(BUILD)/bench-curves.svg
	@echo "bench: the curves are drawn in $(BUILD)/bench-curves.svg"

FUZZSEC ?= 60
fuzz: setup
	@$(MAKE) --no-print-directory -C tests/host fuzz FUZZSEC=$(FUZZSEC) KHEAP=$(KHEAP)

kheap-name:
	@echo $(KHEAP)

chapters:
	@tools/chapters list
	@tools/chapters tag

clean:
	rm -rf $(BUILD)

# The labs: make labs, make lab LAB=NAME, make grade, make handin (labs/lab.mk, docs/labs.md).
# make test-labs: every lab's grader against its start and its solution (make test runs these).
include labs/lab.mk

.PHONY: test-labs
test-labs: setup
	@$(MAKE) --no-print-directory all
	@tests/run 'lab-*'

-include $(KERNEL_OBJS:.o=.d) $(USER_LIB_OBJS:.o=.d) $(USER_PROGS:%=$(BUILD)/user/%.c.d)

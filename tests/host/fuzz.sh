#!/usr/bin/env bash
# tests/host/fuzz.sh: what `make fuzz` runs. Each fuzzer named (make fuzz-NAME, in this folder)
# runs in turn, its output in build/host/fuzz-NAME.log; one line says how it went, and a last
# line sums up. Exit status 1 if any failed: it found an input that crashes, leaks, hangs or
# runs out of memory (libFuzzer saves it), or it did not build.
#   MAKE=make tests/host/fuzz.sh fdt heap elf
set -u
cd "$(dirname "$0")" || exit 2
logs=build/host                         # from the top of the tree, where `make fuzz` is typed
mkdir -p "../../$logs"
ok=0
failed=()
for name in "$@"; do
    log=$logs/fuzz-$name.log
    if ${MAKE:-make} --no-print-directory "fuzz-$name" >"../../$log" 2>&1; then
        # libFuzzer's last line: "Done 980506 runs in 61 second(s)"
        runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' "../../$log")
        echo "fuzz $name: ok, ${runs:-no run count (see $log)}"
        ok=$((ok + 1))
    else
        # "Test unit written to ../../build/host/crash-<sha1>" (or leak-, timeout-, oom-)
        unit=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "../../$log" | tail -n 1)
        unit=${unit#../../}
        kind=${unit##*/}
        if [ -n "$unit" ]; then
            echo "fuzz $name: FAILED (${kind%%-*} saved to $unit; log: $log)"
        else
            echo "fuzz $name: FAILED (log: $log)"
        fi
        failed+=("$name")
    fi
done
if [ ${#failed[@]} = 0 ]; then
    echo "fuzz: $ok ok, 0 failed"
else
    echo "fuzz: $ok ok, ${#failed[@]} failed (${failed[*]})"
    exit 1
fi

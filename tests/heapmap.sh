# tests/heapmap.sh (ch11): the heap map and gdb's pictures. The kernel prints the heap map
# (heap/heapmap.c) around a replay of trace T1 (heapmap=t1) and tools/heapmap draws each map;
# a map that does not add up is refused and nothing is written. In one gdb session on that
# boot (with trace=N on): `kheap --svg` must write exactly the lines the kernel prints for the
# same heap, and `ktrace FILE` exactly the trace block the kernel prints at power-off, which
# tools/trace converts; with no heap yet and tracing off, both say so and write nothing.

# svg_blocks SVG: how many blocks the picture draws (one <path class="block ..."> each).
svg_blocks() {
    grep -o '<path class="block [ufc]"' "$1" | wc -l
}

# map_lines LOG LABEL: the lines of the map block labelled LABEL in LOG.
map_lines() {
    sed -n "/^hartos-heapmap 1 label=$2 /,/^hartos-heapmap-end /p" "$1"
}

test_heapmap_t1() {
    boot --args "heapmap=t1"
    expect_status 0
    expect_line '^heapmap: done, powering off$'
    local out=$TEST_DIR/$T_NAME.d/t1 label n
    rm -rf "$(dirname "$out")"
    tools/heapmap "$CONSOLE" -o "$out" || fail "tools/heapmap refused the kernel's maps"
    for label in before after drained; do
        [ -f "$out-$label.svg" ] || fail "no $out-$label.svg"
        python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' \
            "$out-$label.svg" || fail "$out-$label.svg is not XML"
        n=$(map_lines "$CONSOLE" "$label" | grep -c '^b ')
        [ "$(svg_blocks "$out-$label.svg")" = "$n" ] ||
            fail "$label: the picture draws $(svg_blocks "$out-$label.svg") blocks, the map has $n"
        echo "$label: $n blocks"
    done
    [ "$(map_lines "$CONSOLE" after | grep -c '^b ')" -gt 100 ] ||
        fail "the map after T1 has few blocks: T1 left no holes?"
    ! cmp -s "$out-before.svg" "$out-after.svg" || fail "before and after are the same picture"
    grep -q '^b [0-9a-f]* [0-9]* c 0$' <(map_lines "$CONSOLE" after) ||
        fail "no cached block in hart 0's cache after T1"
}
run_test heapmap-t1 test_heapmap_t1

# Each kind of broken map is refused, naming what is wrong, and nothing is written; an unknown
# heapmap= scenario is refused at boot and the boot goes on.
test_heapmap_bad_input() {
    local d=$TEST_DIR/$T_NAME.d f want out good
    rm -rf "$d" && mkdir -p "$d"
    good=$d/good.log
    cat >"$good" <<'EOF'
console text before
hartos-heapmap 1 label=before arenas=1 harts=2 classes=992
arena 0 base=0x80088000 size=1024 end=360 blocks=4
b 0 96 u
b 60 48 c 1
b 90 464 f
b 260 256 u
class 3 48 0 cached=0,1
class 29 464 1 cached=0,0
hartos-heapmap-end blocks=4 used=352 free=464 cached=48 largest=464
console text after
EOF
    tools/heapmap "$good" -o "$d/good" >/dev/null || fail "the good map is refused"
    [ "$(svg_blocks "$d/good-before.svg")" = 4 ] || fail "the good map does not draw 4 blocks"
    head -n 5 "$good" >"$d/truncated.log"
    sed 's/^b 90 464 f$/b 90 480 f/' "$good" >"$d/gap.log"
    sed 's/^hartos-heapmap 1 /hartos-heapmap 2 /' "$good" >"$d/version.log"
    sed 's/used=352/used=353/' "$good" >"$d/total.log"
    sed 's/^b 60 48 c 1$/b 60 48 c 2/' "$good" >"$d/hart.log"
    sed 's/^b 90 464 f$/b 90 zz f/' "$good" >"$d/number.log"
    sed 's/^class 29 464 1 /class 29 464 2 /' "$good" >"$d/lists.log"
    sed 's/label=before/label=..\/x/' "$good" >"$d/label.log"
    echo "hello" >"$d/none.log"
    while IFS='|' read -r f want; do
        out=$(tools/heapmap "$d/$f.log" -o "$d/$f" 2>&1) && fail "$f: tools/heapmap accepted it"
        echo "$f: $out"
        grep -qF -- "$want" <<<"$out" || fail "$f: tools/heapmap did not say '$want'"
        ! ls "$d/$f"-* 2>/dev/null || fail "$f: files were written"
    done <<'EOF'
truncated|line 6: arena 0 has 2 blocks of 4, then
gap|line 7: block at 0x260 (size 256) where the last ended at 0x270
version|version 2: this tools/heapmap reads version 1
total|the end line says used=353, the blocks give 352 (corrupted?)
hart|line 5: hart 2's cache, but the map has 2 harts
number|line 6: size 'zz' is not a number
lists|the free lists hold 2 blocks, the arenas 1 free ones
label|label '../x' cannot name a file
none|no hartos-heapmap block in
EOF
    boot --args "heapmap=t2 init=hello"
    expect_status 0
    expect_line "^heapmap: 'heapmap=t2' is not a scenario \(heapmap=t1\); no map$"
    expect_no_line '^hartos-heapmap '
}
run_test heapmap-bad-input test_heapmap_bad_input

# One gdb session for both gdb tests, on a heapmap=t1 boot with tracing on, two harts: at kmain
# (no heap, tracing off); where the kernel is about to print its map after T1 (kheap --svg,
# and ktrace in the middle of a run); and in trace_dump once the rings are frozen (ktrace),
# before the kernel prints the same rings itself.
heapmap_gdb_session() {
    wanted gdb-kheap-svg || wanted gdb-ktrace || return 0
    local d=$TEST_DIR/heapmap-gdb.d
    rm -rf "$d" && mkdir -p "$d"
    (
        T_NAME=heapmap-gdb
        set -eu
        ARGS="heapmap=t1 trace=4096" gdb_batch --smp 2 -- -ex c \
            -ex 'echo ==kmain\n' -ex "kheap --svg $d/early.svg" -ex "ktrace $d/off.trace" \
            -ex 'break kheap_print_map' -ex c -ex c \
            -ex 'echo ==svg\n' -ex "kheap --svg $d/gdb.svg" \
            -ex 'echo ==mid\n' -ex "ktrace $d/mid.trace" \
            -ex 'delete' -ex 'break smp_stop_others' -ex c \
            -ex 'echo ==end\n' -ex "ktrace $d/end.trace" -ex 'echo ==done\n' -ex 'delete' -ex c
    ) >"$TEST_DIR/heapmap-gdb.log" 2>&1 </dev/null
    tr -d '\r' <"$TEST_DIR/heapmap-gdb.qemu" >"$d/console.log"
}
heapmap_gdb_session

# gdb_out_section NAME: gdb_section on the session's saved output.
gdb_out_section() {
    GDB_OUT=$(cat "$TEST_DIR/heapmap-gdb.log") gdb_section "$1"
}

test_gdb_kheap_svg() {
    local d=$TEST_DIR/heapmap-gdb.d
    cat "$TEST_DIR/heapmap-gdb.log"
    gdb_out_section kmain | grep -qxF "kheap: the heap has no arena yet (kmain calls heap_init \
after frame_init); nothing written" || fail "kheap --svg at kmain does not say there is no heap"
    [ ! -e "$d/early.svg" ] || fail "kheap --svg wrote a file with no heap"
    gdb_out_section svg | grep -q "^heapmap gdb: [0-9]* blocks in 2 arenas" ||
        fail "kheap --svg did not report its picture"
    python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$d/gdb.svg" ||
        fail "$d/gdb.svg is not XML"
    # The kernel printed its map right after gdb drew it, of the same heap.
    map_lines "$d/console.log" after | sed '1s/label=after/label=gdb/' >"$d/kernel.txt"
    [ -s "$d/kernel.txt" ] || fail "the kernel printed no map after T1"
    diff -u "$d/kernel.txt" "$d/gdb.txt" || fail "gdb's map lines differ from the kernel's"
    [ "$(svg_blocks "$d/gdb.svg")" = "$(grep -c '^b ' "$d/gdb.txt")" ] ||
        fail "gdb's picture draws $(svg_blocks "$d/gdb.svg") blocks, its map has \
$(grep -c '^b ' "$d/gdb.txt")"
}
run_test gdb-kheap-svg test_gdb_kheap_svg

# block_body FILE: the trace block's lines that both writers share exactly: the hart sections,
# the events and the checksum (not the header's end=, nor the trace-task lines gdb adds).
block_body() {
    sed -n '/^hartos-trace 1 /,/^hartos-trace-end /p' "$1" | grep -v '^trace-task ' |
        sed '1s/ end=[0-9]*$//'
}

test_gdb_ktrace() {
    local d=$TEST_DIR/heapmap-gdb.d
    cat "$TEST_DIR/heapmap-gdb.log"
    gdb_out_section kmain | grep -qxF "ktrace: tracing is off (boot with trace=N, N events per \
hart); nothing written" || fail "ktrace at kmain does not say tracing is off"
    [ ! -e "$d/off.trace" ] || fail "ktrace wrote a file with tracing off"
    tools/trace "$d/mid.trace" -o "$d/mid" || fail "tools/trace refused gdb's trace of a running kernel"
    grep -q '^trace-task 1 main$' "$d/mid.trace" || fail "ktrace lists no task 'main'"
    tools/trace "$d/end.trace" -o "$d/end" || fail "tools/trace refused gdb's trace at power-off"
    block_body "$d/end.trace" >"$d/end.gdb"
    block_body "$d/console.log" >"$d/end.kernel"
    [ -s "$d/end.kernel" ] || fail "the kernel printed no trace block"
    diff -u "$d/end.kernel" "$d/end.gdb" ||
        fail "gdb's trace block differs from the one the kernel printed"
}
run_test gdb-ktrace test_gdb_ktrace

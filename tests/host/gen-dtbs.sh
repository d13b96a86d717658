#!/bin/sh
# gen-dtbs.sh OUTDIR -- generate the device trees fdt_test.c checks, from the installed QEMU
# (so the tests follow whatever QEMU the course uses) plus fdt_custom.dts through dtc.
# Each blob is cut to its header's totalsize: QEMU's dumpdtb pads the file to 1 MiB.
set -eu
out=${1:?usage: gen-dtbs.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# dump NAME MACHINE QEMU-ARGS...: QEMU writes its generated tree and exits without booting.
dump() {
	name=$1 machine=$2
	shift 2
	qemu-system-riscv64 -machine "$machine,dumpdtb=$tmp/$name.dtb" -nographic -bios none \
		"$@" >/dev/null 2>&1
	# totalsize is the big-endian word at offset 4 of the header.
	size=$(od -An -tx1 -j4 -N4 "$tmp/$name.dtb" | tr -d ' \n')
	head -c $((0x$size)) "$tmp/$name.dtb" >"$out/$name.dtb"
}

for smp in 1 4 8 20; do
	dump "virt-smp$smp" virt -smp "$smp" -m 128M
done
for mem in 64M 128M 1G; do
	dump "virt-m$mem" virt -smp 1 -m "$mem"
done
# -append needs -kernel; QEMU only loads the file, it never runs it.
printf '\163\000\120\020' >"$tmp/wfi.bin"
dump virt-bootargs virt -smp 2 -m 128M -kernel "$tmp/wfi.bin" -append "x y"
dump sifive_u sifive_u -m 128M
dtc -q -I dts -O dtb -o "$out/custom.dtb" "$here/fdt_custom.dts"
# ch12: a board-shaped tree, and two copies hartos cannot fully use: a UART of no known kind,
# and no hart with an MMU.
dtc -q -I dts -O dtb -o "$out/board.dtb" "$here/fdt_board.dts"
sed 's/"snps,dw-apb-uart"/"acme,uart9"/' "$here/fdt_board.dts" |
	dtc -q -I dts -O dtb -o "$out/board-unknown-uart.dtb" -
sed 's/mmu-type = "riscv,sv39"/mmu-type = "riscv,none"/' "$here/fdt_board.dts" |
	dtc -q -I dts -O dtb -o "$out/board-no-mmu.dtb" -
echo "gen-dtbs: wrote $(ls "$out"/*.dtb | wc -l) trees to $out"

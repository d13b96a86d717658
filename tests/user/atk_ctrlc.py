# atk_ctrlc.py SMP "ARGS": boot, type ^C when the guest prints "ctrlc: ready" (tests/user/atk_ctrlc.c).
# e.g. python3 tests/user/atk_ctrlc.py 1 "init=atk_ctrlc window"  (exit status: the guest's)
import subprocess, sys, os, time
smp, args = sys.argv[1], sys.argv[2]
env = dict(os.environ, SMP=smp, ARGS=args)
p = subprocess.Popen(["tools/qemu", "--timeout", "60"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=os.path.dirname(os.path.abspath(__file__)) + "/../..")
out = b""
sent = False
while True:
    line = p.stdout.readline()
    if not line: break
    out += line
    if not sent and b"ctrlc: ready" in line:
        p.stdin.write(b"\x03"); p.stdin.flush(); sent = True
rc = p.wait()
txt = out.decode(errors="replace")
print("\n".join(l for l in txt.splitlines() if "atk_ctrlc" in l or "^C" in l or "panic" in l or "FAIL" in l or "init:" in l))
print("rc=%d" % rc); sys.exit(rc)

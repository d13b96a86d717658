#!/usr/bin/env python3
"""tests/trace/chrome_check.py: check a JSON file tools/trace wrote as viewers will read it.

    tests/trace/chrome_check.py JSON HARTS

Checks the Trace Event format's shape (an object with traceEvents; every event with ph and
pid, and but for metadata a tid and a numeric ts; X slices a dur >= 0), a "hart N" thread per
hart, at least one task slice, slices on each track nested (a child within its parent, a
sibling after the one before) in the arithmetic of each viewer: Perfetto's (whole nanoseconds,
rounded), plain doubles (ts + dur), chrome://tracing's (milliseconds) and speedscope's (ts less
the track's earliest, then + dur); and every wake arrow one start and one end, the start not
after the end, the end where a task's slice begins. Prints what it counted; exit 1 and each
problem otherwise. Written apart from tools/trace, so that it checks it rather than repeats it.
"""
import collections
import json
import sys


def views(first):
    return {
        "Perfetto": lambda ts, dur: (round(ts * 1000), round(ts * 1000) + round(dur * 1000)),
        "doubles": lambda ts, dur: (ts, ts + dur),
        "chrome://tracing": lambda ts, dur: (ts / 1000, ts / 1000 + dur / 1000),
        "speedscope": lambda ts, dur: (ts - first, (ts - first) + dur),
    }


def main(path, harts):
    problems = []
    with open(path) as f:
        doc = json.load(f)
    events = doc["traceEvents"] if isinstance(doc, dict) else None
    if not isinstance(events, list) or doc.get("displayTimeUnit") != "ns":
        return ["not an object with a traceEvents list and displayTimeUnit ns"]
    for e in events:
        if "ph" not in e or "pid" not in e or (e["ph"] != "M" and (
                "tid" not in e or not isinstance(e.get("ts"), (int, float)))):
            problems.append("event without ph, pid, tid or a numeric ts: %s" % e)
        elif e["ph"] == "X" and not e.get("dur", -1) >= 0:
            problems.append("X slice without a dur >= 0: %s" % e)
    if problems:
        return problems
    threads = {e["tid"]: e["args"]["name"] for e in events
               if e["ph"] == "M" and e["name"] == "thread_name"}
    if threads != {h: "hart %d" % h for h in range(harts)}:
        problems.append("threads %s, not hart 0 to hart %d" % (threads, harts - 1))
    tracks = collections.defaultdict(list)
    for e in events:
        if e["ph"] == "X":
            tracks[e["tid"]].append(e)
    if not any(e.get("cat") == "task" for t in tracks.values() for e in t):
        problems.append("no task slice")
    for tid, xs in sorted(tracks.items()):
        first = min(e["ts"] for e in xs)
        for view, span in views(first).items():
            stack = []
            for e in sorted(xs, key=lambda e: (span(e["ts"], e["dur"])[0],
                                               -span(e["ts"], e["dur"])[1])):
                start, end = span(e["ts"], e["dur"])
                while stack and start >= stack[-1][1]:
                    stack.pop()
                if stack and end > stack[-1][1]:
                    problems.append("%s: hart %s: '%s' at %s ends after '%s' that holds it "
                                    "(by %g)" % (view, tid, e["name"], e["ts"],
                                                 stack[-1][0]["name"], end - stack[-1][1]))
                stack.append((e, end))
    flows = collections.defaultdict(dict)
    for e in events:
        if e["ph"] in "sf":
            if e["ph"] in flows[e["id"]]:
                problems.append("flow %s has two '%s' events" % (e["id"], e["ph"]))
            flows[e["id"]][e["ph"]] = e
    for fid, ends in sorted(flows.items()):
        s, f = ends.get("s"), ends.get("f")
        if not s or not f:
            problems.append("flow %s has no %s" % (fid, "start" if not s else "end"))
        elif s["ts"] > f["ts"]:
            problems.append("flow %s ends at %s, before it starts at %s" %
                            (fid, f["ts"], s["ts"]))
        elif not any(x["ts"] == f["ts"] and x.get("cat") == "task" for x in tracks[f["tid"]]):
            problems.append("flow %s ends at %s on hart %s, where no task's slice begins" %
                            (fid, f["ts"], f["tid"]))
    count = collections.Counter(e.get("cat") for t in tracks.values() for e in t)
    print("%s: %d harts, %d task slices, %d syscall slices, %d trap slices, %d wake arrows, "
          "%d instants" % (path, len(threads), count["task"], count["syscall"], count["trap"],
                           len(flows), sum(e["ph"] == "i" for e in events)))
    return problems


if __name__ == "__main__":
    found = main(sys.argv[1], int(sys.argv[2]))
    for p in found[:20]:
        print("chrome_check: " + p)
    sys.exit(1 if found else 0)

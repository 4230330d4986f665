"""Samples the peers of bench/run-peers.sh and prints their table.

  sample.py run PROCS SUBSCRIBER_FILE SINK_FILE WARMUP WINDOW OUT.json
      PROCS: lines "name pid start_ms" (name outpost, nodered or collectd). Waits until WARMUP
      seconds after the first start, then every 5 s for WINDOW seconds reads VmRSS and Threads from
      /proc/PID/status; CPU is utime + stime from /proc/PID/stat over the window; for outpost also
      write_bytes from /proc/PID/io and the telemetry messages the relay delivered. collectd's exec
      child (the reading script) is sampled separately.
  sample.py table OUT1.json OUT2.json ...
"""
import json, os, statistics, sys, time

HZ = os.sysconf("SC_CLK_TCK")
CHANNEL = {"outpost": "devices/outpost-1/events", "nodered": "devices/nodered-1/events"}


def status(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def write_bytes(pid):
    with open(f"/proc/{pid}/io") as f:
        return int(dict(l.split(": ") for l in f.read().splitlines())["write_bytes"])


def children(pid):
    kids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        kids.append(int(d))
            except OSError:
                pass
    return kids


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def run(procs_file, sub_file, sink_file, warmup, window, out):
    procs = {}
    with open(procs_file) as f:
        for line in f:
            name, pid, start = line.split()
            procs[name] = {"pid": int(pid), "start": int(start), "rss": [], "threads": []}
    if "collectd" in procs:
        kids = children(procs["collectd"]["pid"])
        if kids:
            procs["collectd-exec"] = {"pid": kids[0], "start": None, "rss": [], "threads": []}
    first_start = min(p["start"] for p in procs.values() if p["start"])
    time.sleep(max(0, first_start / 1000 + warmup - time.time()))
    t0 = time.monotonic()
    for p in procs.values():
        p["cpu0"] = cpu_ticks(p["pid"])
    wb0 = write_bytes(procs["outpost"]["pid"]) if "outpost" in procs else 0
    msgs0 = load(sub_file).get(CHANNEL["outpost"], {}).get("telemetry", 0)
    n = 0
    while True:
        for name, p in procs.items():
            p["rss"].append(status(p["pid"], "VmRSS") / 1024)
            p["threads"].append(status(p["pid"], "Threads"))
        n += 1
        if n * 5 > window:
            break
        time.sleep(max(0, t0 + n * 5 - time.monotonic()))
    elapsed = time.monotonic() - t0
    sub, sink = load(sub_file), load(sink_file)
    order = sorted((p["start"], n) for n, p in procs.items() if p["start"])
    result = {"window": round(elapsed, 1), "order": [n for _, n in order]}
    for name, p in procs.items():
        first = sink.get("first") if name == "collectd" else sub.get(CHANNEL.get(name), {}).get("first")
        result[name] = {
            "rss_median": statistics.median(p["rss"]),
            "rss_max": max(p["rss"]),
            "cpu_pct": 100 * (cpu_ticks(p["pid"]) - p["cpu0"]) / HZ / elapsed,
            "threads": statistics.median(p["threads"]),
            "first_s": (first - p["start"]) / 1000 if first and p["start"] else None,
        }
    if "outpost" in procs:
        wb = write_bytes(procs["outpost"]["pid"]) - wb0
        msgs = load(sub_file).get(CHANNEL["outpost"], {}).get("telemetry", 0) - msgs0
        result["outpost"].update(
            write_bytes=wb, messages=msgs,
            bytes_per_message=wb / msgs if msgs else None,
            mb_per_day_at_1_per_s=wb / msgs * 86400 / 1e6 if msgs else None)
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result))


def rng(values, fmt):
    lo, hi = fmt.format(min(values)), fmt.format(max(values))
    if lo == hi:
        return lo
    unit = " " + fmt.split(" ")[1] if " " in fmt else ""
    return lo.replace(unit, "") + "–" + hi


def table(files):
    runs = [load(f) for f in files]
    names = [("outpost", "Outpost `run`"), ("nodered", "Node-RED 4.1 (Node 20)"), ("collectd", "collectd 5.12")]
    rows = [("RSS median", "rss_median", "{:.1f} MiB"), ("CPU, % of one core", "cpu_pct", "{:.2f} %"),
            ("threads", "threads", "{:.0f}"), ("start to first message", "first_s", "{:.2f} s")]
    print("| | " + " | ".join(n for _, n in names) + " | Outpost ÷ Node-RED | Outpost ÷ collectd |")
    print("|---" * (len(names) + 3) + "|")
    for label, key, fmt in rows:
        cells = []
        for name, _ in names:
            vals = [r[name][key] for r in runs if r.get(name, {}).get(key) is not None]
            cells.append(rng(vals, fmt) if vals else "—")
        ratios = []
        for peer in ("nodered", "collectd"):
            vals = [r["outpost"][key] / r[peer][key] for r in runs
                    if r.get(peer, {}).get(key) and r.get("outpost", {}).get(key) is not None]
            ratios.append(rng(vals, "{:.1f}×") if vals else "—")
        print("| " + label + " | " + " | ".join(cells + ratios) + " |")
    for i, r in enumerate(runs, 1):
        o = r.get("outpost", {})
        extra = r.get("collectd-exec")
        print(f"run {i}: start order {', '.join(r['order'])}; window {r['window']} s; "
              f"Outpost write_bytes {o.get('write_bytes')} B for {o.get('messages')} telemetry messages"
              + (f" = {o['bytes_per_message']:.0f} B/message, {o['mb_per_day_at_1_per_s']:.0f} MB/day at one message a second"
                 if o.get("bytes_per_message") else "")
              + (f"; collectd's reading script (exec child, not in the table): RSS {extra['rss_median']:.1f} MiB, "
                 f"CPU {extra['cpu_pct']:.2f} %" if extra else ""))


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]), float(sys.argv[6]), sys.argv[7])
    else:
        table(sys.argv[2:])

"""Per-thread CPU and wake-ups of one process between two moments (bench/run-threads.sh).

  threads.py PID FROM TO START_EPOCH_S
      At START+FROM and START+TO seconds reads /proc/PID/task/*/schedstat (time on a CPU, ns) and
      voluntary_ctxt_switches (wake-ups: every park, wait, sleep or blocking call ends in one) from
      /proc/PID/task/*/status, and prints the difference per thread, busiest first, with totals,
      the thread count and VmRSS (anonymous / file-backed) at the end, and the median of VmRSS read
      every 5 s through the window.
"""
import os, statistics, sys, time


def snapshot(pid):
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
            name = stat[stat.index("(") + 1:stat.rindex(")")]
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                cpu_ns = int(f.read().split()[0])
            vol = invol = 0
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches"):
                        vol = int(line.split()[1])
                    elif line.startswith("nonvoluntary_ctxt_switches"):
                        invol = int(line.split()[1])
            threads[tid] = (name, cpu_ns, vol, invol)
        except OSError:
            pass  # a thread that ended meanwhile
    return threads


def memory_mib(pid):
    """VmRSS, RssAnon and RssFile + RssShmem of /proc/PID/status, in MiB."""
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key = line.split(":")[0]
            if key in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                values[key] = int(line.split()[1]) / 1024
    return values["VmRSS"], values["RssAnon"], values["RssFile"] + values["RssShmem"]


def main(pid, start_from, end_at, start):
    time.sleep(max(0, start + start_from - time.time()))
    before = snapshot(pid)
    # VmRSS every 5 s through the window: its median is steadier than the one reading at the end
    # (a young collection or a malloc trim moves it by a megabyte).
    rss = []
    while time.time() < start + end_at:
        rss.append(memory_mib(pid)[0])
        time.sleep(max(0, min(5, start + end_at - time.time())))
    after = snapshot(pid)
    rows = []
    for tid, (name, cpu, vol, invol) in after.items():
        _, cpu0, vol0, invol0 = before.get(tid, (name, 0, 0, 0))
        rows.append((cpu - cpu0, vol - vol0, invol - invol0, name))
    rows.sort(key=lambda r: (-r[0], -r[1]))
    window = end_at - start_from
    print(f"{'thread':28s} {'CPU':>9s} {'wake-ups':>9s} {'involuntary':>12s}   ({window:.0f} s window)")
    for cpu, vol, invol, name in rows:
        if cpu or vol:
            print(f"{name:28s} {cpu / 1e9:8.3f}s {vol:9d} {invol:12d}")
    total_cpu = sum(r[0] for r in rows) / 1e9
    print(f"{'total':28s} {total_cpu:8.3f}s {sum(r[1] for r in rows):9d}   "
          f"= {100 * total_cpu / window:.3f} % of one core; {len(after)} threads; "
          "VmRSS {:.1f} MiB (anon {:.1f}, file {:.1f}), median {:.1f} MiB over the window".format(
              *memory_mib(pid), statistics.median(rss or [memory_mib(pid)[0]])))


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]))

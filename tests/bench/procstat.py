"""What /proc says about processes and the machine, for the benchmarks in this directory.
Every reader returns a neutral value (None, 0, empty) when the process is gone."""

import os

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _stat_cpu_s(path):
    try:
        with open(path) as f:
            raw = f.read()
    except OSError:
        return None, None
    fields = raw.rsplit(")", 1)[1].split()
    return raw[raw.index("(") + 1:raw.rindex(")")], (int(fields[11]) + int(fields[12])) / CLK_TCK


def cpu_seconds(pid):
    """utime+stime of a process (all its threads) in seconds, or None if it is gone."""
    return _stat_cpu_s("/proc/%d/stat" % pid)[1]


def threads_cpu(pid):
    """{tid: (name, cpu seconds)} of a process's threads."""
    out = {}
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return out
    for tid in tids:
        name, cpu = _stat_cpu_s("/proc/%d/task/%s/stat" % (pid, tid))
        if cpu is not None:
            out[int(tid)] = (name, cpu)
    return out


def status_kb(pid, key):
    """A kB field of /proc/PID/status (VmRSS, VmHWM, ...), or 0."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def rollup_kb(pid):
    """{"rss", "pss", "anonymous", "uss"} in kB from /proc/PID/smaps_rollup (uss: private
    clean + dirty)."""
    out = {"rss": 0, "pss": 0, "anonymous": 0, "uss": 0}
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                key = line.split(":", 1)[0]
                if key in ("Rss", "Pss", "Anonymous"):
                    out[key.lower()] = int(line.split()[1])
                elif key in ("Private_Clean", "Private_Dirty"):
                    out["uss"] += int(line.split()[1])
    except OSError:
        pass
    return out


def resident_by_file(pid):
    """Resident kB per mapped file (anonymous mappings as [heap], [stack], [anon]), from
    /proc/PID/smaps."""
    files, name = {}, None
    try:
        with open("/proc/%d/smaps" % pid) as f:
            for line in f:
                parts = line.split()
                if "-" in parts[0] and ":" not in parts[0]:
                    name = os.path.basename(parts[5]) if len(parts) > 5 else "[anon]"
                elif parts[0] == "Rss:":
                    files[name] = files.get(name, 0) + int(parts[1])
    except OSError:
        pass
    return files


def wakeups(pid):
    """Voluntary context switches of all the process's threads (each one is a sleep that
    ended: a wake-up)."""
    n = 0
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return 0
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches:"):
                        n += int(line.split()[1])
        except OSError:
            pass
    return n


def udp_ports(pid):
    """Local UDP ports of a process (its socket inodes matched in its namespace's tables)."""
    inodes = set()
    try:
        fds = os.listdir("/proc/%d/fd" % pid)
    except OSError:
        return set()
    for fd in fds:
        try:
            link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    ports = set()
    for table in ("udp", "udp6"):
        try:
            with open("/proc/%d/net/%s" % (pid, table)) as f:
                next(f)
                for line in f:
                    cols = line.split()
                    if cols[9] in inodes:
                        ports.add(int(cols[1].split(":")[1], 16))
        except OSError:
            pass
    return ports


def machine_ticks():
    """(busy, total) jiffies of all CPUs from /proc/stat (idle and iowait are not busy)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return sum(v) - idle, sum(v)

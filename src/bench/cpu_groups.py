"""CPU-seconds per process group, from /proc (python3 standard library only), for the benchmarks.

A watcher samples every process every `period` seconds and appends one JSON line per sample to a file:
{"t": epoch s, "machine": s, "<group>": s, ...}, every value cumulative, so that the CPU of a window [t0, t1] is
the difference of the two values interpolated at t0 and t1 (`window`). The groups:

- a *tree* group (the service JVM, Dovecot) is every process below a root process, the root found by a
  substring of its command line. Its value is the sum over the live tree of utime + stime + cutime + cstime:
  when a process ends, its parent reaps it and the kernel adds its utime + stime + cutime + cstime to the
  parent's cutime + cstime, so a process that lived between two samples (Dovecot's imap-login and imap
  processes) is counted all the same, exactly. Roots that end keep their last value (a restarted Dovecot adds a
  new root).
- a *seen* group (the PostgreSQL backends of one database, the cluster's background processes) cannot use
  cutime: their parent, the postmaster, also reaps the backends of every other database on the cluster. Its
  value is the sum, over every process of the group ever seen, of its last sampled utime + stime. A process
  that ends loses at most its last `period` (the service keeps its backends in a pool: they rarely end); one
  that starts is counted from its birth.
- machine: /proc/stat's first line, user + nice + system + irq + softirq (not idle, iowait or steal), all cores.
- jit: the JIT compiler threads (C1, C2) of the root JVM of the first tree group, part of that group's figure: what
  a JVM spends compiling the code it has just started running, once per process.
"""
import json, os, time

TICK = os.sysconf("SC_CLK_TCK")
PG_BACKGROUND = ("checkpointer", "background writer", "walwriter", "autovacuum launcher",
                 "logical replication launcher", "archiver", "startup")


def machine_busy():
    """CPU-seconds the machine has been busy since boot, all cores (/proc/stat)."""
    with open("/proc/stat") as fh:
        user, nice, system, _idle, _iowait, irq, softirq = (int(x) for x in fh.readline().split()[1:8])
    return (user + nice + system + irq + softirq) / TICK


def processes():
    """{pid: (starttime, ppid, own_ticks, children_ticks)} of every process now (fields 14-17, 22 of /proc/PID/stat)."""
    out = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as fh:
                raw = fh.read()
        except OSError:
            continue  # ended meanwhile
        f = raw[raw.rindex(")") + 2:].split()  # after "pid (comm) ": f[0] is field 3 (state)
        out[int(name)] = (int(f[19]), int(f[1]), int(f[11]) + int(f[12]), int(f[13]) + int(f[14]))
    return out


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


class Watcher:
    """trees: {group: substring of the root's command line}; database: the PostgreSQL database (and role) whose
    backends form group "pg_db"; the cluster's background processes form "pg_bg"."""

    def __init__(self, trees, database):
        self.trees, self.database = trees, database
        self.cmd = {}          # (pid, starttime) -> command line, read once per process
        self.seen = {}         # (pid, starttime) -> (group, last own ticks), for the seen groups
        self.roots = {}        # (pid, starttime) -> (group, last tree ticks), for the tree groups
        self.jit = {}          # (pid, starttime) -> last ticks of its JIT compiler threads, for the first tree group

    def _group_of_seen(self, key, cmd, backends):
        if "/bin/postgres " in cmd:
            return "pg_bg"             # the postmaster itself (its own CPU: forking backends)
        if not cmd.startswith("postgres: "):
            return None
        title = cmd.split(": ", 2)[-1]   # "postgres: 15/main: <title>"
        words = title.split()
        if len(words) >= 2 and words[0] == self.database and words[1] == self.database:
            return "pg_db"             # "<role> <database> 127.0.0.1(port) <state>": the service's backends
        if title.startswith("autovacuum worker") and self.database in words:
            return "pg_db"
        if title.startswith("parallel worker for PID ") and int(words[-1]) in backends:
            return "pg_db"
        if title.startswith(PG_BACKGROUND):
            return "pg_bg"
        return None

    def _parent_cmd(self, pid, procs):
        """The parent's command line ("" if unknown): a root is the topmost process whose command line matches."""
        ppid = procs[pid][1]
        return self.cmd.get((ppid, procs[ppid][0]), "") if ppid in procs else ""

    def sample(self):
        procs = processes()
        children = {}
        for pid, (_, ppid, _, _) in procs.items():
            children.setdefault(ppid, []).append(pid)
        backends = set()
        for pid, (start, _, own, _) in procs.items():
            key = (pid, start)
            if key not in self.cmd or "/bin/postgres " in self.cmd[key]:
                # read once; a postmaster's child has its parent's command line until it sets its title
                self.cmd[key] = cmdline(pid)
            cmd = self.cmd[key]
            for group, needle in self.trees.items():
                if needle in cmd and needle not in self._parent_cmd(pid, procs):
                    self.roots[key] = (group, tree_ticks(pid, procs, children))
            group = self._group_of_seen(key, cmd, backends)
            if group:
                self.seen[key] = (group, own)
                if group == "pg_db":
                    backends.add(pid)
        first = next(iter(self.trees), None)
        for key, (group, _) in self.roots.items():
            if group == first and key[0] in procs and procs[key[0]][0] == key[1]:
                self.jit[key] = compiler_ticks(key[0])   # a root that ended keeps its last value
        values = {"t": time.time(), "machine": machine_busy(), "jit": sum(self.jit.values()) / TICK}
        for group in list(self.trees) + ["pg_db", "pg_bg"]:
            values[group] = 0.0
        for group, ticks in list(self.roots.values()) + list(self.seen.values()):
            values[group] += ticks / TICK
        return values


def compiler_ticks(pid):
    """utime + stime of a JVM's JIT compiler threads (named "C1 CompilerThre", "C2 CompilerThre")."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as fh:
                raw = fh.read()
        except OSError:
            continue
        if raw[raw.index("(") + 1:raw.rindex(")")].startswith(("C1 CompilerThre", "C2 CompilerThre")):
            f = raw[raw.rindex(")") + 2:].split()
            total += int(f[11]) + int(f[12])
    return total


def tree_ticks(root, procs, children):
    """utime + stime + cutime + cstime summed over root and every live process below it."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        _, _, own, reaped = procs[pid]
        total += own + reaped
        todo += children.get(pid, [])
    return total


def watch(out, trees, database, period, stop_file):
    """Samples every `period` seconds into `out` (JSON lines) until `stop_file` exists."""
    w = Watcher(trees, database)
    with open(out, "a") as fh:
        while True:
            v = w.sample()
            fh.write(json.dumps({k: round(x, 3) for k, x in v.items()}) + "\n")
            fh.flush()
            if os.path.exists(stop_file):
                break
            time.sleep(max(0.0, period - (time.time() - v["t"])))


def load(path):
    with open(path) as fh:
        return [json.loads(line) for line in fh if line.strip()]


def at(samples, t):
    """The cumulative values at time t, linearly interpolated between the two samples around it."""
    if t <= samples[0]["t"]:
        return samples[0]
    for a, b in zip(samples, samples[1:]):
        if a["t"] <= t <= b["t"]:
            f = (t - a["t"]) / (b["t"] - a["t"]) if b["t"] > a["t"] else 0
            return {k: a[k] + f * (b[k] - a[k]) for k in a}
    return samples[-1]


def window(samples, t0, t1):
    """CPU-seconds per group between t0 and t1."""
    a, b = at(samples, t0), at(samples, t1)
    return {k: round(b[k] - a[k], 2) for k in a if k != "t"}

"""metrics.py - benchmark 12: the metrics engine with 1,000 running sim VMs.

1,000 VMs (6 vCPUs, 64 MiB each: 10 data sources each, cpu0..cpu5, memory,
memory_target, memory_internal_free, memory_internal_used) are started on
the sim backend; xapid samples them every 5 s and archives them with its own
round-robin engine (in memory; a file per VM and a journal on disk). Figures:
  - CPU time of the sampler thread ("xd-metrics": sampling + archiving)
    over WINDOW seconds, as a share of one core (target <= 1 %);
  - GET /rrd_updates for the 1,000 VMs and the host over the last hour
    (start = now - 3600, JSON), median of 5 (target <= 200 ms);
  - disk per archived object (its file; the journal's share) and xapid's
    VmRSS per VM;
  - the reference: the same archive layout kept by rrdtool's own command
    line tools (`rrdtool update` per object per round) for a few objects,
    CPU per update, scaled to 1,000 objects per 5 s.
"""
import os
import shutil
import subprocess
import time
import urllib.request

import benchlib as B

KEY = "metrics"
VCPUS = 6
MiB = 1 << 20


def title(ctx):
    return "12. Metrics: sampling and archiving {:,} VMs x 10 data sources".format(ctx.metric_vms)


def thread_cpu(pid, name):
    """utime + stime (s) of the thread of pid called name."""
    hz = os.sysconf("SC_CLK_TCK")
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                if f.read().strip() != name:
                    continue
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / hz
        except OSError:
            continue
    raise B.BenchError("no thread %s in xapid" % name)


def vm_record(i):
    rec = B.vm_record("metrics VM %05d" % i)
    sz = str(64 * MiB)
    rec.update({"memory_static_max": sz, "memory_dynamic_max": sz, "memory_dynamic_min": sz,
                "memory_static_min": sz, "VCPUs_max": str(VCPUS),
                "VCPUs_at_startup": str(VCPUS)})
    return rec


def rrdtool_reference(workdir, objects, rounds):
    """CPU seconds per `rrdtool update` of one object (10 sources, xapi's
    12 archives), the work done by rrdtool's own tools."""
    rras = ["RRA:%s:0.5:%d:%d" % (cf, steps, rows) for steps, rows in
            ((1, 120), (12, 120), (720, 168), (17280, 366)) for cf in ("AVERAGE", "MIN", "MAX")]
    dss = ["DS:ds%d:GAUGE:15:U:U" % i for i in range(10)]
    t0 = int(time.time()) - rounds * 5 - 10
    files = []
    for k in range(objects):
        f = os.path.join(workdir, "ref%d.rrd" % k)
        subprocess.run(["rrdtool", "create", f, "--step", "5", "--start", str(t0)] + dss + rras,
                       check=True)
        files.append(f)
    before = os.times()
    for r in range(rounds):
        t = t0 + 5 * (r + 1)
        for f in files:
            subprocess.run(["rrdtool", "update", f, "%d:%s" % (t, ":".join(["0.5"] * 10))],
                           check=True)
    after = os.times()
    cpu = (after.children_user - before.children_user) + \
          (after.children_system - before.children_system)
    return cpu / (objects * rounds), os.path.getsize(files[0])


def run(ctx, sec):
    n = ctx.metric_vms
    window = 30 if ctx.quick else 60
    workdir = ctx.cleanup.tempdir("metrics")
    state = os.path.join(workdir, "state")
    users = B.users_file(workdir)
    x = B.Xapid(ctx.cleanup, ctx.builddir, state, users,
                config={"sim_memory": str(n * 64 * MiB * 2)}).start()
    try:
        c = B.HttpConn(x.port)
        session = B.login(c)
        rss0 = x.rss()["VmRSS"]
        took, refs = B.create_many(x.port, session, "VM.create", vm_record, n)
        starts = [B.xmlrpc_body("VM.start", session, r, False, False) for r in refs]
        t0 = time.monotonic()
        for body in starts:
            resp = c.roundtrip(body)
            if b"Success" not in resp.body[:200]:
                raise B.BenchError("VM.start failed: %r" % resp.body[:300])
        sec.note("%d VMs created (%.1f s) and started (%.1f s), %d vCPUs each"
                 % (n, took, time.monotonic() - t0, VCPUS))
        # two rounds to create every file, then the measured window
        time.sleep(12)
        cpu0 = thread_cpu(x.proc.pid, "xd-metrics")
        time.sleep(window)
        cpu = thread_cpu(x.proc.pid, "xd-metrics") - cpu0
        share = 100.0 * cpu / window
        sec.figure("sampler thread CPU over %d s (s)" % window, "%.2f" % cpu)
        sec.figure("CPU share of one core (%)", "%.2f" % share)
        sec.target("sampling + archiving of %d VMs x 10 sources" % n, "<= 1 % of a core",
                   "%.2f %%" % share, share <= 1.0)
        times = []
        body = None
        for _ in range(5):
            q = "/rrd_updates?session_id=%s&start=%d&host=true&json=true" % (
                session, int(time.time()) - 3600)
            t1 = time.monotonic()
            with urllib.request.urlopen("http://%s:%d%s" % (B.HOST, x.port, q),
                                        timeout=60) as r:
                status, body = r.status, r.read()
            times.append(time.monotonic() - t1)
            if status != 200:
                raise B.BenchError("/rrd_updates: %d %r" % (status, body[:200]))
        med = B.median(times) * 1000
        sec.figure("/rrd_updates, last hour, %d VMs + host, JSON: bytes" % n, "%d" % len(body))
        sec.figure("/rrd_updates median of 5 (ms)", "%.1f" % med)
        sec.target("/rrd_updates of %d VMs over the last hour" % n, "<= 200 ms",
                   "%.0f ms" % med, med <= 200)
        rrd_dir = os.path.join(state, "rrd")
        files = [f for f in os.listdir(rrd_dir) if f.startswith("vm-") and f.endswith(".rrd")]
        size = sum(os.path.getsize(os.path.join(rrd_dir, f)) for f in files)
        sec.figure("archive files of VMs; bytes per VM on disk", "%d; %d" % (len(files),
                                                                          size // max(1, len(files))))
        journal = sum(os.path.getsize(os.path.join(rrd_dir, f)) for f in os.listdir(rrd_dir)
                      if f.startswith("journal-"))
        sec.figure("journal on disk (bytes; per VM)", "%d; %d" % (journal, journal // n))
        rss = x.rss()["VmRSS"]
        sec.figure("xapid VmRSS before the VMs / with them sampled (MB)", "%.0f / %.0f"
                   % (rss0, rss))
        sec.figure("VmRSS per VM (kB, VM records and metrics together)",
                   "%.1f" % ((rss - rss0) * 1000.0 / n))
    finally:
        x.stop()
    if shutil.which("rrdtool"):
        per, fsize = rrdtool_reference(workdir, 5, 6 if ctx.quick else 20)
        sec.figure("rrdtool CLI: CPU per `rrdtool update` of one object (ms)", "%.2f" % (per * 1000))
        sec.figure("rrdtool CLI: the same %d objects every 5 s, share of a core (%%)" % n,
                   "%.1f" % (100.0 * per * n / 5))
        sec.figure("rrdtool CLI: file size per object (bytes)", "%d" % fsize)
    else:
        sec.note("rrdtool not installed: no command-line reference")
    ctx.cleanup.forget_dir(workdir)

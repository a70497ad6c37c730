"""get_all_records.py - benchmark 2: VM.get_all_records with 10,000 VMs.

The VMs are created through the API (VM.create with a full record, XML-RPC,
8 keep-alive connections in parallel); the creation rate is reported but is
not a target. Then VM.get_all_records is timed from the first request byte
sent to the last response byte received (one untimed warm-up, median of 5),
and the very same response bytes are fetched from nginx (a static file
answered to POST, same client, same connection reuse, median of 5).
VmRSS is read before each timed call and the peak during it (VmHWM, reset
before the call). Targets (issue 17): xapid <= 1.2x nginx, and the peak
RSS during a call <= the RSS before it + 64 MB (the answer is streamed).

The state dir with the VMs is left to benchmark 4 (ctx.shared["vm_state"]).
"""
import os
import re

import benchlib as B

RUNS = 5


def populate_vms(ctx, x, count):
    """Creates count VMs through the API on the running xapid x; returns
    (seconds, session)."""
    c = B.HttpConn(x.port)
    session = B.login(c)
    c.close()
    took, _ = B.create_many(x.port, session, "VM.create",
                            lambda i: B.vm_record("bench VM %05d" % i), count)
    return took, session


def state_with_vms(ctx, sec, tag):
    """(state dir, users file) holding ctx.vms VMs, xapid stopped: benchmark
    2's when it ran in this bench/run, else made here the same way."""
    prev = ctx.shared.get("vm_state")
    if prev and prev[3] == ctx.vms:
        sec.note("VMs: the %d created through the API by benchmark 2" % ctx.vms)
        return prev[1], prev[2]
    workdir = ctx.cleanup.tempdir(tag)
    state = os.path.join(workdir, "state")
    users = B.users_file(workdir)
    x = B.Xapid(ctx.cleanup, ctx.builddir, state, users).start()
    took, _ = populate_vms(ctx, x, ctx.vms)
    x.stop()
    sec.note("VMs: %d created through the API here (%.1f s)" % (ctx.vms, took))
    ctx.shared["vm_state"] = (workdir, state, users, ctx.vms)
    return state, users


KEY = "get_all_records"


def title(ctx):
    return "2. VM.get_all_records with {:,} VMs: time against nginx, memory".format(ctx.vms)


def run(ctx, sec):
    workdir = ctx.cleanup.tempdir("gar")
    state = os.path.join(workdir, "state")
    users = B.users_file(workdir)
    x = B.Xapid(ctx.cleanup, ctx.builddir, state, users).start()
    took, session = populate_vms(ctx, x, ctx.vms)
    sec.figure("VM.create x %d, 8 connections (s; calls/s)" % ctx.vms,
               "%.2f; %.0f" % (took, ctx.vms / took))

    c = B.HttpConn(x.port)
    body = B.xmlrpc_body("VM.get_all_records", session)
    _, warm = c.timed_roundtrip(body)
    if warm.status != 200 or b"Success" not in warm.body[:300]:
        raise B.BenchError("get_all_records failed: %r" % warm.body[:300])
    answer = warm.body
    # Top-level struct keys are the refs (a VM record has no ref-keyed map).
    nrec = len(re.findall(rb"<member><name>OpaqueRef:", answer))
    times, before, peak = [], [], []
    for _ in range(RUNS):
        before.append(x.rss()["VmRSS"])
        B.reset_peak_rss(x.proc.pid)
        t, r = c.timed_roundtrip(body)
        peak.append(x.rss()["VmHWM"])
        times.append(t)
    c.close()
    growth = max(p - b for p, b in zip(peak, before))
    xt = B.median(times)
    sec.figure("response size (MB; records)", "%.1f; %d" % (len(answer) / 1e6, nrec))
    sec.figure("xapid VM.get_all_records, median of %d (ms)" % RUNS, "%.0f" % (xt * 1e3))
    sec.figure("xapid runs (ms)", ", ".join("%.0f" % (t * 1e3) for t in times))
    sec.figure("VmRSS before a call; peak (VmHWM) during it, largest growth of %d (MB)" % RUNS,
               "%.0f; %.0f (+%.0f)" % (before[0], max(peak), growth))

    ng = B.Nginx(ctx.cleanup, answer, static=True).start()
    nc = B.HttpConn(ng.port)
    _, first = nc.timed_roundtrip(body)
    if first.body != answer:
        sec.note("nginx did not return the same bytes")
    ntimes = []
    for _ in range(RUNS):
        t, _ = nc.timed_roundtrip(body)
        ntimes.append(t)
    nc.close()
    ng.stop()
    nt = B.median(ntimes)
    sec.figure("nginx, same bytes (static file), median of %d (ms)" % RUNS, "%.1f" % (nt * 1e3))
    sec.target("xapid / nginx time", "<= 1.2", "%.2f" % (xt / nt), xt / nt <= 1.2)
    sec.target("peak RSS during the call - RSS before it", "<= 64 MB", "%.0f MB" % growth,
               growth <= 64)

    x.stop()
    ctx.shared["vm_state"] = (workdir, state, users, ctx.vms)

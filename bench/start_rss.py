"""start_rss.py - benchmark 4: start time and memory with 10,000 VMs and
50,000 VDIs in the database.

The VMs come through the API (benchmark 2's state dir when it ran in the
same bench/run, else created here the same way). The VDIs need an SR: if the
API can make one (SR.introduce) and VDI.create works on it, they are created
through the API; otherwise bench/gen_db.c writes one SR and the VDIs with
the daemon's own db layer (linked against the build's libxapid) while xapid
is stopped. The section says which way was used.

Then 3 starts: time from exec to the "xapid ready on" line (median of 3);
VmRSS right after the start, then after a VM.get_all_records VmRSS and VmHWM
(peak) from /proc/PID/status (the largest of the 3 starts is reported). Targets: start <= 2 s,
RSS <= 300 MB.
"""
import os
import re
import subprocess

import benchlib as B
import get_all_records

STARTS = 3


def make_vars(builddir):
    """The variables configure wrote into the build's Makefile."""
    out = {}
    with open(os.path.join(builddir, "Makefile")) as f:
        for line in f:
            m = re.match(r"^([A-Z_]+) = (.*)$", line.rstrip("\n"))
            if m:
                out[m.group(1)] = m.group(2)
    return out


def build_gen_db(builddir):
    lib = os.path.join(builddir, ".libs", "libxapid.a")
    if not os.path.exists(lib):
        raise B.BenchError("no %s (build first)" % lib)
    v = make_vars(builddir)
    flags = ["-I" + os.path.join(B.TOP, "core"), "-I" + os.path.join(B.TOP, "sdk", "include"),
             "-pthread"] + v.get("SAN_CFLAGS", "").split() + [lib]
    for k in ("XMLRPC_LIBS", "SQLITE_LIBS", "JSONC_LIBS", "PAM_LIBS", "CRYPT_LIBS",
              "XEN_LIBS", "LIBS"):
        flags += v.get(k, "").split()
    return B.compile_c(builddir, "gen_db", flags)


def vdi_record(sr):
    def make(i):
        return {"name_label": "bench VDI %06d" % i, "name_description": "bench",
                "SR": sr, "virtual_size": str(10 << 30), "type": "user",
                "sharable": False, "read_only": False, "other_config": {"bench": "true"},
                "xenstore_data": {}, "sm_config": {}, "tags": []}
    return make


def vdis_through_api(ctx, state, users, n, sec):
    """True if the VDIs were created through the API."""
    x = B.Xapid(ctx.cleanup, ctx.builddir, state, users).start()
    try:
        c = B.HttpConn(x.port)
        session = B.login(c)
        try:
            sr = B.call(c, "SR.introduce", session, "", "bench SR", "bench", "file",
                        "user", False, {})
            B.call(c, "VDI.create", session, vdi_record(sr)(n))
        except B.BenchError as e:
            sec.note("VDIs not created through the API (%s); bench/gen_db wrote them "
                     "with the db layer" % str(e)[:160])
            return False
        took, _ = B.create_many(x.port, session, "VDI.create", vdi_record(sr), n - 1)
        sec.figure("VDI.create x %d through the API (s)" % n, "%.2f" % took)
        return True
    finally:
        x.stop()


KEY = "start_rss"


def title(ctx):
    return "4. Start time and RSS with {:,} VMs and {:,} VDIs".format(ctx.vms, ctx.vdis)


def run(ctx, sec):
    state, users = get_all_records.state_with_vms(ctx, sec, "start")

    if not vdis_through_api(ctx, state, users, ctx.vdis, sec):
        gen = build_gen_db(ctx.builddir)
        r = subprocess.run([gen, os.path.join(state, "xapi.db"), str(ctx.vdis)],
                           capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            raise B.BenchError("gen_db failed: %s" % (r.stderr or r.stdout)[-500:])
    size = sum(os.path.getsize(os.path.join(state, f)) for f in os.listdir(state)
               if f.startswith("xapi.db"))
    sec.figure("database files (MB)", "%.0f" % (size / 1e6))

    starts, stops, rss, hwm, idle, counts = [], [], [], [], [], None
    for _ in range(STARTS):
        x = B.Xapid(ctx.cleanup, ctx.builddir, state, users).start()
        starts.append(x.start_seconds)
        idle.append(x.rss())
        c = B.HttpConn(x.port)
        session = B.login(c)
        counts = (len(B.call(c, "VM.get_all", session)), len(B.call(c, "VDI.get_all", session)))
        t, r = c.timed_roundtrip(B.xmlrpc_body("VM.get_all_records", session))
        if r.status != 200 or b"Success" not in r.body[:300]:
            raise B.BenchError("get_all_records failed: %r" % r.body[:300])
        st = x.rss()
        rss.append(st["VmRSS"])
        hwm.append(st["VmHWM"])
        c.close()
        stops.append(x.stop())
    med = B.median(starts)
    sec.figure("objects after start (VMs incl. first boot's; VDIs)", "%d; %d" % counts)
    sec.figure("start: exec -> ready line, median of %d (s)" % STARTS, "%.2f" % med)
    sec.figure("start runs (s)", ", ".join("%.2f" % s for s in starts))
    sec.figure("stop on SIGTERM, median (s)", "%.2f" % B.median(stops))
    sec.figure("VmRSS / VmHWM right after start, max of %d (MB)" % STARTS,
               "%.0f / %.0f" % (max(i["VmRSS"] for i in idle), max(i["VmHWM"] for i in idle)))
    sec.figure("VmRSS after VM.get_all_records, max of %d (MB)" % STARTS, "%.0f" % max(rss))
    sec.figure("VmHWM (peak RSS), max of %d (MB)" % STARTS, "%.0f" % max(hwm))
    sec.target("start time", "<= 2 s", "%.2f s" % med, med <= 2.0)
    sec.target("VmRSS after get_all_records", "<= 300 MB", "%.0f MB" % max(rss), max(rss) <= 300)
    sec.target("VmHWM (peak)", "<= 300 MB", "%.0f MB" % max(hwm), max(hwm) <= 300)
    # the VDIs added make it no longer benchmark 2's state: not shared on
    ctx.shared.pop("vm_state", None)
    ctx.cleanup.forget_dir(os.path.dirname(state))

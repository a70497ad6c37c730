"""c_bindings.py - benchmark 13: VM.get_all_records with 10,000 VMs through
libxenserver (doc/c-bindings.md) against the same call through the Python
binding and against the raw transport, in one run.

The VMs are benchmark 2's when it ran in the same bench/run, else created
here the same way. Three clients of the same xapid, each with one keep-alive
connection, median of 5 after a warm-up:
  raw     - the request bytes posted and the response bytes read (benchlib's
            HttpConn), no parsing: the floor any binding stands on;
  C       - bench/c_bindings_get_all.c: xen_vm_get_all_records over the
            library's libcurl transport, to the parsed xen_vm_xen_vm_record_map;
  Python  - tests/integration/xenapi_client.py (a XenAPI.py-like client on
            xmlrpc.client): session.xenapi.VM.get_all_records(), to dicts.
Figures: the three times and the ratios C/raw, Python/raw, Python/C. No
target: the issue asks for the ratios.
"""
import os
import re
import subprocess
import sys
import time

import benchlib as B
import get_all_records

RUNS = 5
KEY = "c_bindings"
TIME_LIMIT_S = 600


def title(ctx):
    return "15. C bindings: xen_vm_get_all_records with {:,} VMs".format(ctx.vms)


def build_client(builddir):
    lib = os.path.join(builddir, "clients", "c", ".libs")
    if not os.path.exists(os.path.join(lib, "libxenserver.so")):
        raise B.BenchError("no libxenserver.so in %s (tools/build makes it)" % lib)
    return B.compile_c(builddir, "c_bindings_get_all", [
        "-I", os.path.join(B.TOP, "clients", "c", "include"),
        "-I", os.path.join(builddir, "clients", "c", "gen", "include"),
        os.path.join(lib, "libxenserver.so"), "-Wl,-rpath," + lib])


def run(ctx, sec):
    prog = build_client(ctx.builddir)
    state, users = get_all_records.state_with_vms(ctx, sec, "cbind")
    x = B.Xapid(ctx.cleanup, ctx.builddir, state, users).start()

    c = B.HttpConn(x.port)
    session = B.login(c)
    body = B.xmlrpc_body("VM.get_all_records", session)
    _, warm = c.timed_roundtrip(body)
    if warm.status != 200 or b"Success" not in warm.body[:300]:
        raise B.BenchError("get_all_records failed: %r" % warm.body[:300])
    raw = B.median([c.timed_roundtrip(body)[0] for _ in range(RUNS)])
    c.close()

    r = subprocess.run([prog, "http://127.0.0.1:%d/" % x.port, B.PASSWORD, str(RUNS)],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise B.BenchError("c_bindings_get_all failed: %s" % r.stderr[-500:])
    runs = [(float(ms), int(n)) for ms, n in re.findall(r"^RUN (\S+) (\d+)$", r.stdout, re.M)]
    frees = [float(ms) for ms in re.findall(r"^FREE (\S+)$", r.stdout, re.M)]
    if not runs or any(n < ctx.vms for _, n in runs):
        raise B.BenchError("the C client saw %r records" % [n for _, n in runs])
    ct = B.median([ms for ms, _ in runs]) / 1e3

    sys.path.insert(0, os.path.join(B.TOP, "tests", "integration"))
    import xenapi_client  # noqa: E402
    py = xenapi_client.Session("http://127.0.0.1:%d/" % x.port, timeout=600)
    py.login_with_password("root", B.PASSWORD, "1.0", "xapi-c bench")
    py.xenapi.VM.get_all_records()
    ptimes = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        n = len(py.xenapi.VM.get_all_records())
        ptimes.append(time.perf_counter() - t0)
    py.logout()
    pt = B.median(ptimes)
    x.stop()

    sec.figure("records (VMs, incl. the control domain and templates)", "%d" % n)
    sec.figure("raw transport: request out, response bytes in, median of %d (ms)" % RUNS,
               "%.0f" % (raw * 1e3))
    sec.figure("C: xen_vm_get_all_records to the parsed map, median of %d (ms)" % RUNS,
               "%.0f" % (ct * 1e3))
    sec.figure("C: freeing the map (ms)", "%.0f" % B.median(frees))
    sec.figure("Python: VM.get_all_records to dicts, median of %d (ms)" % RUNS,
               "%.0f" % (pt * 1e3))
    sec.figure("C / raw", "%.2f" % (ct / raw))
    sec.figure("Python / raw", "%.2f" % (pt / raw))
    sec.figure("Python / C", "%.1f" % (pt / ct))

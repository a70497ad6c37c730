"""vm_lifecycle.py - benchmark 6: the VM lifecycle on the sim backend.

1,000 VMs go through VM.create, VM.start, VM.clean_shutdown and VM.destroy
over XML-RPC: first from one client (one keep-alive connection, one call at
a time), then from 8 clients at once (8 connections, the VMs shared out
between them). Each phase (all creates, then all starts...) is timed from
the first request sent to the last answer received; the request bodies are
built before the clock starts. The VMs are HVM guests of 64 MiB on a
simulated host with room for all of them (sim_memory), so that nothing but
the toolstack is measured. Target: the whole lifecycle of the 1,000 VMs in
at most 10 s, with one client and with 8.
"""
import re
import threading
import time

import benchlib as B

KEY = "vm_lifecycle"
TARGET_S = 10.0
MiB = 1 << 20
PHASES = ("VM.create", "VM.start", "VM.clean_shutdown", "VM.destroy")


def title(ctx):
    return "6. VM lifecycle: create, start, clean_shutdown, destroy of {:,} VMs".format(vm_count(ctx))


def vm_count(ctx):
    return 200 if ctx.quick else 1000


def vm_record(i):
    rec = B.vm_record("bench lifecycle %04d" % i)
    m = str(64 * MiB)
    rec.update({"memory_static_max": m, "memory_dynamic_max": m, "memory_dynamic_min": m,
                "memory_static_min": m})
    return rec


def run_calls(port, bodies, conns):
    """Posts every body, over `conns` keep-alive connections (one thread
    each, taking the next body as they go). Returns (seconds, [Value])."""
    values = [None] * len(bodies)
    errors = []
    nxt = [0]
    lock = threading.Lock()
    go = threading.Event()

    def worker(c):
        go.wait()
        try:
            while not errors:
                with lock:
                    i = nxt[0]
                    nxt[0] += 1
                if i >= len(bodies):
                    break
                r = c.roundtrip(bodies[i])
                # cheap check instead of a full parse: the answers are a ref or ""
                m = re.search(rb"<name>Status</name><value>(?:<string>)?Success<", r.body)
                if r.status != 200 or not m:
                    errors.append(r.body[:400].decode(errors="replace"))
                    break
                v = re.search(rb"<name>Value</name><value>(?:<string>)?([^<]*)<", r.body)
                values[i] = v.group(1).decode() if v else ""
        except Exception as e:  # reported below
            errors.append(repr(e))

    clients = [B.HttpConn(port) for _ in range(conns)]
    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    t0 = time.monotonic()
    go.set()
    for t in threads:
        t.join()
    took = time.monotonic() - t0
    for c in clients:
        c.close()
    if errors:
        raise B.BenchError("call failed: %s" % errors[0])
    return took, values


def lifecycle(port, session, n, conns, tag):
    """The four phases for n VMs; returns {phase: seconds}."""
    took = {}
    bodies = [B.xmlrpc_body("VM.create", session, vm_record(i)) for i in range(n)]
    took["VM.create"], vms = run_calls(port, bodies, conns)
    for phase, extra in (("VM.start", (False, False)), ("VM.clean_shutdown", ()),
                         ("VM.destroy", ())):
        bodies = [B.xmlrpc_body(phase, session, vm, *extra) for vm in vms]
        took[phase], _ = run_calls(port, bodies, conns)
    return took


def report(sec, n, conns, took):
    total = sum(took.values())
    who = "1 client" if conns == 1 else "%d clients" % conns
    for phase in PHASES:
        sec.figure("%s, %s (s; calls/s)" % (phase, who),
                   "%.2f; %.0f" % (took[phase], n / took[phase]))
    sec.figure("the whole lifecycle, %s (s; ms per VM)" % who,
               "%.2f; %.2f" % (total, total * 1e3 / n))
    return total


def run(ctx, sec):
    n = vm_count(ctx)
    workdir = ctx.cleanup.tempdir("vmlc")
    users = B.users_file(workdir)
    # room for every VM at once, whatever the machine has
    x = B.Xapid(ctx.cleanup, ctx.builddir, workdir + "/state", users,
                config={"sim_memory": str(n * 64 * MiB * 2)}).start()
    c = B.HttpConn(x.port)
    session = B.login(c)
    # warm-up: the first calls pay for lazy set-ups, not the lifecycle
    warm = B.call(c, "VM.create", session, vm_record(-1))
    for m, extra in (("VM.start", (False, False)), ("VM.clean_shutdown", ()), ("VM.destroy", ())):
        B.call(c, m, session, warm, *extra)
    c.close()

    one = report(sec, n, 1, lifecycle(x.port, session, n, 1, "one"))
    eight = report(sec, n, 8, lifecycle(x.port, session, n, 8, "eight"))
    sec.target("%d VMs, 1 client (s)" % n, "<= %.0f" % TARGET_S, "%.2f" % one,
               one <= TARGET_S)
    sec.target("%d VMs, 8 clients (s)" % n, "<= %.0f" % TARGET_S, "%.2f" % eight,
               eight <= TARGET_S)
    sec.note("each VM: HVM, 64 MiB, 1 vCPU, no disks or NICs; sim backend with "
             "sim_memory = %d MiB; xapid --log-level warn" % (n * 64 * 2))
    x.stop()

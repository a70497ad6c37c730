"""rpc_throughput.py - benchmark 1: calls/s of one XML-RPC call,
VM.get_name_label(session, vm), posted again and again by wrk over keep-alive
connections, against three servers in the same run:

  nginx    the same response bytes as xapid's, answered by nginx-light
           (the HTTP limit of this machine)
  xmlrpc-c bench/trivial_xmlrpc_server.c, xmlrpc-c's Abyss server with one
           handler returning {Status, Value} (the stock library path)
  xapid    the real call: session check, db read, encode

wrk -t1 -c1 (one keep-alive connection, the figure DESIGN §10 is about) and
wrk -t2 -c8. Targets: xapid >= 0.5x nginx (DESIGN §10), >= 0.9x xmlrpc-c.
"""
import os
import re
import subprocess

import benchlib as B

WRK_CONFIGS = [(1, 1), (2, 8)]


def wrk(port, body_file, threads, conns, seconds, scheme="http"):
    env = dict(os.environ, BENCH_BODY_FILE=body_file, BENCH_CONTENT_TYPE="text/xml")
    argv = ["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % seconds,
            "-s", os.path.join(B.BENCH, "wrk_post.lua"), "%s://%s:%d/" % (scheme, B.HOST, port)]
    r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=seconds + 30)
    m = re.search(r"Requests/sec:\s+([\d.]+)", r.stdout)
    if r.returncode != 0 or not m:
        raise B.BenchError("wrk failed: %s %s" % (r.stdout[-300:], r.stderr[-300:]))
    bad = 0
    m2 = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", r.stdout)
    if m2:
        bad += int(m2.group(1))
    m3 = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", r.stdout)
    if m3:
        bad += sum(int(x) for x in m3.groups())
    lat = re.search(r"Latency\s+(\S+)", r.stdout)
    return float(m.group(1)), bad, lat.group(1) if lat else "?"


KEY = "rpc_throughput"


def title(ctx):
    return "1. RPC throughput: VM.get_name_label over keep-alive"


def the_call(ctx, tag):
    """A xapid, a VM, and the VM.get_name_label request wrk posts (also
    written to a file for it): (xapid, open connection, body, body file)."""
    workdir = ctx.cleanup.tempdir(tag)
    x = B.Xapid(ctx.cleanup, ctx.builddir, os.path.join(workdir, "state"),
                B.users_file(workdir)).start()
    c = B.HttpConn(x.port)
    session = B.login(c)
    vm = B.call(c, "VM.create", session, B.vm_record("bench VM"))
    body = B.xmlrpc_body("VM.get_name_label", session, vm)
    body_file = os.path.join(workdir, "request.xml")
    with open(body_file, "wb") as f:
        f.write(body)
    return x, c, body, body_file


def run(ctx, sec):
    seconds = ctx.wrk_seconds
    x, c, body, body_file = the_call(ctx, "rpc")
    answer = c.roundtrip(body)
    name = B.xmlrpc_value(answer)
    c.close()
    sec.figure("request / response size (bytes)", "%d / %d" % (len(body), len(answer.body)))

    ng = B.Nginx(ctx.cleanup, answer.body).start()
    nc = B.HttpConn(ng.port)
    same = nc.roundtrip(body).body == answer.body
    nc.close()
    if not same:
        sec.note("nginx did not return xapid's exact bytes")
    sec.note("nginx answers with `%s` (worker_processes auto)" % ng.how)

    triv_bin = B.compile_c(ctx.builddir, "trivial_xmlrpc_server",
                           B.shell_words("xmlrpc-c-config abyss-server --cflags --libs"))
    triv = TrivialServer(ctx.cleanup, triv_bin, name).start()

    servers = [("nginx", ng.port), ("xmlrpc-c", triv.port), ("xapid", x.port)]
    results = {}
    for threads, conns in WRK_CONFIGS:
        for label, port in servers:
            rps, bad, lat = wrk(port, body_file, threads, conns, seconds)
            results[(label, conns)] = rps
            sec.figure("%s, wrk -t%d -c%d -d%ds (calls/s; mean latency)"
                       % (label, threads, conns, seconds), "%.0f; %s" % (rps, lat))
            if bad:
                sec.note("%s -c%d: %d non-2xx responses or socket errors" % (label, conns, bad))
    for threads, conns in WRK_CONFIGS:
        xr, nr, tr = results[("xapid", conns)], results[("nginx", conns)], results[("xmlrpc-c", conns)]
        primary = conns == 1
        sec.target("xapid / nginx, -c%d%s" % (conns, "" if primary else " (informative)"),
                   ">= 0.50", "%.2f" % (xr / nr), xr / nr >= 0.5)
        sec.target("xapid / xmlrpc-c, -c%d%s" % (conns, "" if primary else " (informative)"),
                   ">= 0.90", "%.2f" % (xr / tr), xr / tr >= 0.9)
    triv.stop()
    ng.stop()
    x.stop()


class TrivialServer:
    def __init__(self, cleanup, binary, value):
        self.cleanup = cleanup
        self.argv = [binary, value]
        self.proc = None
        self.port = None

    def start(self):
        self.proc = self.cleanup.spawn(self.argv, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        line = self.proc.stderr.readline().decode()
        m = re.search(r"ready on [^ ]*:(\d+)", line)
        if not m:
            raise B.BenchError("trivial_xmlrpc_server did not start: %s" % line)
        self.port = int(m.group(1))
        return self

    def stop(self):
        self.cleanup.stop(self.proc)

"""pool.py - benchmark 13: the pool database, commit latency and writes per
second of the object store on dqlite against local sqlite, in one run.

bench/pool_db.c (linked against the build's libxapid, the daemon's own db
layer) rewrites one VM's name_label N times from one thread (each write
committed on return: one commit each), then N times from 8 threads (the
writer thread groups concurrent writes into one commit), on: local sqlite
(WAL, synchronous=NORMAL: the one-host default), one dqlite node (a one-host
pool: Raft with quorum 1, fsync per commit) and three dqlite voters on
loopback (the db's node and two more in the same process). Figures only:
the issue asks for them against the study's table
(/work/shared/reference/pool-db-engine.md). Join time and forwarding
overhead come with pool.join (not yet).
"""
import os
import subprocess

import benchlib as B
import start_rss

KEY = "pool"
MODES = [("sqlite", "local sqlite"), ("dqlite1", "dqlite, 1 node"),
         ("dqlite3", "dqlite, 3 voters")]


def title(ctx):
    return "16. Pool database: commits on dqlite against local sqlite"


def build(builddir):
    lib = os.path.join(builddir, ".libs", "libxapid.a")
    if not os.path.exists(lib):
        raise B.BenchError("no %s (build first)" % lib)
    v = start_rss.make_vars(builddir)
    flags = ["-I" + os.path.join(B.TOP, "core"), "-I" + os.path.join(B.TOP, "lib"),
             "-pthread"] + v.get("SAN_CFLAGS", "").split() + [lib]
    for k in ("XMLRPC_LIBS", "SQLITE_LIBS", "JSONC_LIBS", "PAM_LIBS", "CRYPT_LIBS",
              "XEN_LIBS", "DQLITE_LIBS", "LIBS"):
        flags += v.get(k, "").split()
    return B.compile_c(builddir, "pool_db", flags)


def run(ctx, sec):
    exe = build(ctx.builddir)
    n = 400 if ctx.quick else 2000
    for mode, label in MODES:
        d = ctx.cleanup.tempdir("pooldb-" + mode)
        r = subprocess.run([exe, mode, d, str(n)], capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise B.BenchError("pool_db %s failed: %s" % (mode, r.stderr[-500:]))
        f = dict(line.split() for line in r.stdout.splitlines() if line.strip())
        sec.figure("%s: write latency, 1 thread, mean / p99 / max (ms)" % label,
                   "%s / %s / %s" % (f["mean_ms"], f["p99_ms"], f["max_ms"]))
        sec.figure("%s: writes/s, 1 thread (one commit each)" % label, f["per_s"])
        sec.figure("%s: writes/s, 8 threads (group commit)" % label, f["per_s_8"])
    sec.note("%d single-field writes per configuration, each returned once committed "
             "(sqlite: on the local disk; dqlite: on a quorum's disks)" % n)

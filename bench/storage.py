"""storage.py - benchmark 5: the file SR driver through the API.

xapid runs with the `file` SR driver enabled (the build's plugin and
plugin worker) and one SR of type file in a temp dir on the same
filesystem as everything else here.

1. Snapshot and clone time of a 1 GiB and a 100 GiB VDI (both sparse, in
   the same run, interleaved): VDI.snapshot and VDI.clone over XML-RPC,
   median of RUNS each; every new VDI is destroyed before the next call
   (untimed). Target: the 100 GiB figure within 1.5x of the 1 GiB one
   (the issue: "the same time").
2. VDI.create rate: VDI.create of 1 GiB VDIs one after the other on one
   connection, then over 8 connections in parallel (the driver takes one
   call at a time, so this measures the queueing too); VDI.destroy rate.
3. VDI.copy throughput against cp: a VDI filled with COPY_MIB of random
   data through PUT /import_raw_vdi (its rate reported), then
   VDI.copy(vdi, sr) timed (NBD to NBD through xapid; the new VDI's
   export is checked against the data, untimed), against `cp` of a raw
   file of the same data on the same filesystem, with and without the
   fsync of the copy (`sync FILE`), which VDI.copy pays when its
   destination's qemu-nbd stops; and against `qemu-img convert` of the
   same data between two qemu-nbd servers started as the driver starts
   them (the tools' figure for the same datapaths, flush included).
   Target: VDI.copy at least half as fast as that qemu-img convert.
"""
import hashlib
import http.client
import os
import statistics
import subprocess
import time
import urllib.parse

import benchlib as B

KEY = "storage"
GIB = 1 << 30
MIB = 1 << 20


def title(ctx):
    return "5. Storage: snapshot and clone of 1 GiB vs 100 GiB, VDI.create rate, VDI.copy vs cp"


def plugin_config(builddir, workdir):
    """xapid config keys enabling the build's file driver: the build dir as
    an install (plugins/<name>.so and the worker, as the tests run it)."""
    confd = os.path.join(workdir, "plugins.d")
    os.makedirs(confd, exist_ok=True)
    with open(os.path.join(confd, "file.conf"), "w") as f:
        f.write("enabled = true\n")
    return {
        "plugin_dir": os.path.join(builddir, "plugins"),
        "plugins_conf_dir": confd,
        "plugin_worker": os.path.join(builddir, "xapid-plugin-worker"),
    }


def vdi_record(sr, size, name):
    return {"name_label": name, "name_description": "bench", "SR": sr,
            "virtual_size": str(size), "type": "user", "sharable": False,
            "read_only": False, "other_config": {}, "xenstore_data": {}, "sm_config": {},
            "tags": []}


def timed(c, method, *args):
    t0 = time.monotonic()
    v = B.call(c, method, *args)
    return time.monotonic() - t0, v


def http_put_file(port, session, vdi, path):
    size = os.path.getsize(path)
    q = urllib.parse.urlencode({"vdi": vdi, "session_id": session, "format": "raw"})
    c = http.client.HTTPConnection(B.HOST, port, timeout=600)
    try:
        c.putrequest("PUT", "/import_raw_vdi?" + q)
        c.putheader("Content-Length", str(size))
        c.endheaders()
        with open(path, "rb") as f:
            while True:
                b = f.read(4 * MIB)
                if not b:
                    break
                c.send(b)
        r = c.getresponse()
        body = r.read()
        if r.status != 200:
            raise B.BenchError("import_raw_vdi: HTTP %d %r" % (r.status, body[:200]))
    finally:
        c.close()


def http_get_hash(port, session, vdi):
    q = urllib.parse.urlencode({"vdi": vdi, "session_id": session, "format": "raw"})
    c = http.client.HTTPConnection(B.HOST, port, timeout=600)
    try:
        c.request("GET", "/export_raw_vdi?" + q)
        r = c.getresponse()
        if r.status != 200:
            raise B.BenchError("export_raw_vdi: HTTP %d %r" % (r.status, r.read()[:200]))
        return B.sha256_of(r)
    finally:
        c.close()


def file_hash(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(4 * MIB)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def snapshot_clone(ctx, sec, c, session, sr):
    runs = 3 if ctx.quick else 7
    vdis = {}
    for label, size in (("1 GiB", GIB), ("100 GiB", 100 * GIB)):
        vdis[label] = B.call(c, "VDI.create", session, vdi_record(sr, size, "bench " + label))
    times = {(op, label): [] for op in ("snapshot", "clone") for label in vdis}
    for _ in range(runs):
        for op in ("snapshot", "clone"):
            for label, vdi in vdis.items():
                t, new = timed(c, "VDI." + op, session, vdi, {})
                times[(op, label)].append(t)
                B.call(c, "VDI.destroy", session, new)
    med = {k: statistics.median(v) for k, v in times.items()}
    for op in ("snapshot", "clone"):
        for label in vdis:
            sec.figure("VDI.%s of a %s VDI, median of %d (ms)" % (op, label, runs),
                       "%.1f" % (med[(op, label)] * 1000))
    for op in ("snapshot", "clone"):
        ratio = med[(op, "100 GiB")] / med[(op, "1 GiB")]
        sec.target("VDI.%s: 100 GiB / 1 GiB time" % op, "<= 1.5x", "%.2fx" % ratio,
                   ratio <= 1.5)
    for vdi in vdis.values():
        B.call(c, "VDI.destroy", session, vdi)


def create_rate(ctx, sec, x, c, session, sr):
    n = 30 if ctx.quick else 100
    t0 = time.monotonic()
    made = [B.call(c, "VDI.create", session, vdi_record(sr, GIB, "bench create %d" % i))
            for i in range(n)]
    took = time.monotonic() - t0
    sec.figure("VDI.create of 1 GiB x %d, one connection (calls/s)" % n, "%.0f" % (n / took))
    n8 = 2 * n
    took8, refs = B.create_many(x.port, session, "VDI.create",
                                lambda i: vdi_record(sr, GIB, "bench par %d" % i), n8)
    sec.figure("VDI.create of 1 GiB x %d, 8 connections (calls/s)" % n8, "%.0f" % (n8 / took8))
    t0 = time.monotonic()
    for v in made + refs:
        B.call(c, "VDI.destroy", session, v)
    took = time.monotonic() - t0
    sec.figure("VDI.destroy x %d, one connection (calls/s)" % len(made + refs),
               "%.0f" % (len(made + refs) / took))


def copy_vs_cp(ctx, sec, x, c, session, sr, workdir):
    mib = 256 if ctx.quick else 1024
    size = mib * MIB
    data = os.path.join(workdir, "data.raw")
    with open(data, "wb") as f:
        for _ in range(mib):
            f.write(os.urandom(MIB))
    want = file_hash(data)
    vdi = B.call(c, "VDI.create", session, vdi_record(sr, size, "bench copy source"))
    t0 = time.monotonic()
    http_put_file(x.port, session, vdi, data)
    t_imp = time.monotonic() - t0
    sec.figure("PUT /import_raw_vdi of %d MiB of random data (MiB/s)" % mib,
               "%.0f" % (mib / t_imp))

    t_copy, new = timed(c, "VDI.copy", session, vdi, sr, "OpaqueRef:NULL", "OpaqueRef:NULL")
    t0 = time.monotonic()
    got = http_get_hash(x.port, session, new)
    t_exp = time.monotonic() - t0
    if got != want:
        raise B.BenchError("the copy's data differs from the source's")
    sec.figure("GET /export_raw_vdi of the copy (MiB/s)", "%.0f" % (mib / t_exp))

    dst = os.path.join(workdir, "data-copy.raw")
    t0 = time.monotonic()
    subprocess.run(["cp", data, dst], check=True)
    t_cp = time.monotonic() - t0
    subprocess.run(["sync", dst], check=True)
    t_cp_sync = time.monotonic() - t0
    os.unlink(dst)
    sec.figure("VDI.copy of %d MiB (s; MiB/s)" % mib, "%.2f; %.0f" % (t_copy, mib / t_copy))
    sec.figure("cp of the same data as a raw file (s; MiB/s)",
               "%.2f; %.0f" % (t_cp, mib / t_cp))
    sec.figure("cp + fsync of the copy (s; MiB/s)", "%.2f; %.0f" % (t_cp_sync, mib / t_cp_sync))
    t_qemu = qemu_img_copy(ctx, workdir, data, size)
    sec.figure("qemu-img convert between two qemu-nbd of the driver (s; MiB/s)",
               "%.2f; %.0f" % (t_qemu, mib / t_qemu))
    sec.figure("VDI.copy throughput / (cp + fsync)", "%.2fx" % (t_cp_sync / t_copy))
    ratio = t_qemu / t_copy
    sec.target("VDI.copy throughput / qemu-img convert NBD to NBD", ">= 0.5x", "%.2fx" % ratio,
               ratio >= 0.5)
    for v in (vdi, new):
        B.call(c, "VDI.destroy", session, v)
    os.unlink(data)


def nbd_server(ctx, workdir, name, size):
    """A qemu-nbd on a new qcow2, started as the file driver starts it
    (plugins/storage/file/file_nbd.c) but in the foreground; its socket."""
    img = os.path.join(workdir, name + ".qcow2")
    sock = os.path.join(workdir, name + ".sock")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", img, str(size)], check=True)
    p = ctx.cleanup.spawn(["qemu-nbd", "--socket=" + sock, "--format=qcow2", "--persistent",
                           "--shared=0", "--discard=unmap", "--detect-zeroes=unmap", img],
                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not os.path.exists(sock):
        if p.poll() is not None or time.monotonic() > deadline:
            raise B.BenchError("qemu-nbd did not start")
        time.sleep(0.01)
    return p, img, sock


def qemu_img_copy(ctx, workdir, data, size):
    """Seconds qemu-img takes to copy the data from one driver-like NBD
    server to another: what the tools do with the same datapaths."""
    src, src_img, src_sock = nbd_server(ctx, workdir, "ref-src", size)
    dst, dst_img, dst_sock = nbd_server(ctx, workdir, "ref-dst", size)
    uri = "nbd+unix:///?socket=%s"
    subprocess.run(["qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", data,
                    uri % src_sock], check=True)
    t0 = time.monotonic()
    subprocess.run(["qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", uri % src_sock,
                    uri % dst_sock], check=True)
    ctx.cleanup.stop(dst)  # qemu-nbd flushes when it stops, as after VDI.copy
    took = time.monotonic() - t0
    ctx.cleanup.stop(src)
    for f in (src_img, dst_img):
        os.unlink(f)
    return took


def run(ctx, sec):
    workdir = ctx.cleanup.tempdir("storage")
    state = os.path.join(workdir, "state")
    users = B.users_file(workdir)
    x = B.Xapid(ctx.cleanup, ctx.builddir, state, users,
                config=plugin_config(ctx.builddir, workdir)).start()
    c = B.HttpConn(x.port)
    session = B.login(c)
    host = B.call(c, "host.get_all", session)[0]
    srdir = os.path.join(workdir, "srs")
    sr = B.call(c, "SR.create", session, host, {"location": srdir}, "0", "bench file SR", "",
                "file", "user", False, {})
    fs = subprocess.run(["df", "--output=fstype", srdir], capture_output=True,
                        text=True).stdout.split()[-1]
    sec.note("SR of type file in %s (%s); qemu-img %s" % (
        srdir, fs, subprocess.run(["qemu-img", "--version"], capture_output=True,
                                  text=True).stdout.split()[2]))
    snapshot_clone(ctx, sec, c, session, sr)
    create_rate(ctx, sec, x, c, session, sr)
    copy_vs_cp(ctx, sec, x, c, session, sr, workdir)
    for p in B.call(c, "SR.get_PBDs", session, sr):
        B.call(c, "PBD.unplug", session, p)
    B.call(c, "SR.destroy", session, sr)
    c.close()
    x.stop()
    ctx.cleanup.forget_dir(workdir)

"""transfers.py - benchmark 11: VDI and VM transfers through the HTTP data
paths (doc/transfers.md) against the tools' floor on the same disk.

xapid runs with the `file` SR driver and one SR in a temp dir. The source is
a sparse raw file of DISK bytes holding DATA bytes of random data (four
runs spread over the disk). Each transfer is timed from the first request
byte to the last response byte, with its result written to (export) or
read from (import) a file on the same filesystem:

1. import and export of the VDI in raw, chunked raw (import: the sparse
   stream of the data runs), VHD, each against `qemu-img convert` of the
   same data to the same format on the same disk (raw -> raw, raw -> vpc,
   vpc -> raw) and qcow2 (raw -> qcow2, qcow2 -> raw), the floor; the figure
   is our time / the floor's time.
2. A 10 GiB VDI holding 100 MiB exported as VHD: time proportional to the
   data (reported with the full disk's 4 GiB VHD export above).
3. VM export and import (XVA) of a VM with two such disks against `tar
   --sparse` of the two raw files (create, then extract).

Targets: every transfer within 3x of its floor (the issue asks for the
ratios; 3x is this benchmark's bar), the 10 GiB / 100 MiB VHD export
within 2x of the time of 100 MiB at the 4 GiB VHD export's rate.
"""
import http.client
import os
import struct
import subprocess
import time
import urllib.parse

import benchlib as B
from storage import plugin_config, vdi_record

KEY = "transfers"
TIME_LIMIT_S = 900
MIB = 1 << 20
GIB = 1 << 30


def title(ctx):
    return "11. Transfers: raw, chunked, VHD, qcow2 and XVA against qemu-img convert and tar"


def sizes(ctx):
    return (1 * GIB, 256 * MIB) if ctx.quick else (4 * GIB, 1 * GIB)


def make_source(path, disk, data):
    """The sparse raw file: four runs of data/4 random bytes."""
    runs = []
    with open(path, "wb") as f:
        f.truncate(disk)
        for i in range(4):
            off = i * (disk // 4)
            f.seek(off)
            left = data // 4
            while left:
                n = min(left, 16 * MIB)
                f.write(os.urandom(n))
                left -= n
            runs.append((off, data // 4))
    return runs


def timed_run(argv):
    t0 = time.monotonic()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - t0


def put(port, session, path_query, body_iter, length):
    c = http.client.HTTPConnection(B.HOST, port, timeout=900)
    t0 = time.monotonic()
    try:
        c.putrequest("PUT", path_query + "&session_id=" + session)
        if length is not None:
            c.putheader("Content-Length", str(length))
        c.endheaders()
        for b in body_iter:
            c.send(b)
        r = c.getresponse()
        body = r.read()
        if r.status != 200:
            raise B.BenchError("PUT %s: HTTP %d %r" % (path_query, r.status, body[:200]))
        return time.monotonic() - t0, r.getheader("task-id")
    finally:
        c.close()


def get(port, session, path_query, out_path):
    c = http.client.HTTPConnection(B.HOST, port, timeout=900)
    t0 = time.monotonic()
    try:
        c.request("GET", path_query + "&session_id=" + session)
        r = c.getresponse()
        if r.status != 200:
            raise B.BenchError("GET %s: HTTP %d %r" % (path_query, r.status, r.read()[:200]))
        with open(out_path, "wb") as f:
            while True:
                b = r.read(4 * MIB)
                if not b:
                    break
                f.write(b)
        return time.monotonic() - t0
    finally:
        c.close()


def file_pieces(path):
    with open(path, "rb") as f:
        while True:
            b = f.read(4 * MIB)
            if not b:
                return
            yield b


def chunked_pieces(path, runs):
    with open(path, "rb") as f:
        for off, length in runs:
            yield struct.pack("<QI", off, length)
            f.seek(off)
            left = length
            while left:
                b = f.read(min(left, 4 * MIB))
                left -= len(b)
                yield b
    yield struct.pack("<QI", 0, 0)


def wait_task(c, session, task):
    while True:
        st = B.call(c, "task.get_status", session, task)
        if st not in ("pending", "cancelling"):
            if st != "success":
                raise B.BenchError("task %s: %s %r" % (task, st,
                                                        B.call(c, "task.get_error_info",
                                                               session, task)))
            return B.call(c, "task.get_result", session, task)
        time.sleep(0.05)


def ratio(sec, label, ours, floor, limit=3.0):
    r = ours / floor if floor > 0 else float("inf")
    sec.figure("%s: xapid / floor" % label, "%.2f s / %.2f s = %.2fx" % (ours, floor, r))
    sec.target("%s within %.0fx of its floor" % (label, limit), "<= %.0fx" % limit,
               "%.2fx" % r, r <= limit)


def run(ctx, sec):
    disk, data = sizes(ctx)
    workdir = ctx.cleanup.tempdir("transfers")
    state = os.path.join(workdir, "state")
    users = B.users_file(workdir)
    x = B.Xapid(ctx.cleanup, ctx.builddir, state, users,
                config=plugin_config(ctx.builddir, workdir)).start()
    c = B.HttpConn(x.port)
    s = B.login(c)
    host = B.call(c, "host.get_all", s)[0]
    sr = B.call(c, "SR.create", s, host, {"location": os.path.join(workdir, "srs")}, "0",
                "bench", "", "file", "user", False, {})
    sec.note("a %d GiB VDI holding %d MiB of random data in four runs; files on the same "
             "filesystem as the SR; qemu-img %s" % (disk // GIB, data // MIB, subprocess.run(
                 ["qemu-img", "--version"], capture_output=True, text=True).stdout.split()[2]))
    src = os.path.join(workdir, "src.raw")
    runs = make_source(src, disk, data)

    def new_vdi(size=disk):
        return B.call(c, "VDI.create", s, vdi_record(sr, size, "bench"))

    f = lambda name: os.path.join(workdir, name)  # noqa: E731
    # floors
    floor_raw = timed_run(["qemu-img", "convert", "-f", "raw", "-O", "raw", src, f("floor.raw")])
    floor_vhd_out = timed_run(["qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o",
                               "subformat=dynamic,force_size=on", src, f("floor.vhd")])
    floor_vhd_in = timed_run(["qemu-img", "convert", "-f", "vpc", "-O", "raw", f("floor.vhd"),
                              f("floor2.raw")])
    # ours
    vdi = new_vdi()
    t_raw_in, _ = put(x.port, s, "/import_raw_vdi?vdi=%s" % vdi, file_pieces(src), disk)
    ratio(sec, "raw import", t_raw_in, floor_raw)
    t_raw_out = get(x.port, s, "/export_raw_vdi?vdi=%s" % vdi, f("out.raw"))
    ratio(sec, "raw export", t_raw_out, floor_raw)
    v2 = new_vdi()
    t_chunked, _ = put(x.port, s, "/import_raw_vdi?vdi=%s&chunked=true" % v2,
                       chunked_pieces(src, runs), None)
    ratio(sec, "chunked raw import", t_chunked, floor_raw)
    t_vhd_out = get(x.port, s, "/export_raw_vdi?vdi=%s&format=vhd" % vdi, f("out.vhd"))
    ratio(sec, "VHD export", t_vhd_out, floor_vhd_out)
    v3 = new_vdi()
    t_vhd_in, _ = put(x.port, s, "/import_raw_vdi?vdi=%s&format=vhd" % v3,
                      file_pieces(f("out.vhd")), os.path.getsize(f("out.vhd")))
    ratio(sec, "VHD import", t_vhd_in, floor_vhd_in)
    floor_q_out = timed_run(["qemu-img", "convert", "-f", "raw", "-O", "qcow2", src,
                             f("floor.qcow2")])
    floor_q_in = timed_run(["qemu-img", "convert", "-f", "qcow2", "-O", "raw", f("floor.qcow2"),
                            f("floor3.raw")])
    t_q_out = get(x.port, s, "/export_raw_vdi?vdi=%s&format=qcow2" % vdi, f("out.qcow2"))
    ratio(sec, "qcow2 export", t_q_out, floor_q_out)
    v4 = new_vdi()
    t_q_in, _ = put(x.port, s, "/import_raw_vdi?vdi=%s&format=qcow2" % v4,
                    file_pieces(f("out.qcow2")), os.path.getsize(f("out.qcow2")))
    ratio(sec, "qcow2 import", t_q_in, floor_q_in)
    for p in ("out.raw", "floor.raw", "floor2.raw", "floor.vhd", "floor.qcow2", "floor3.raw",
              "out.qcow2"):
        os.unlink(f(p))
    # 10 GiB with 100 MiB: proportional to the data
    big = new_vdi(10 * GIB)
    small = os.path.join(workdir, "small.bin")
    with open(small, "wb") as fh:
        fh.write(os.urandom(100 * MIB))
    with open(small, "rb") as fh:
        stream = [struct.pack("<QI", 5 * GIB, 100 * MIB), fh.read(), struct.pack("<QI", 0, 0)]
    put(x.port, s, "/import_raw_vdi?vdi=%s&chunked=true" % big, iter(stream), None)
    t_sparse = get(x.port, s, "/export_raw_vdi?vdi=%s&format=vhd" % big, f("big.vhd"))
    expect = t_vhd_out * (100 * MIB) / data
    sec.figure("VHD export of a 10 GiB VDI holding 100 MiB", "%.2f s (%.1f MiB file)"
               % (t_sparse, os.path.getsize(f("big.vhd")) / MIB))
    sec.target("10 GiB / 100 MiB VHD export proportional to the data",
               "<= 2x %.2f s" % expect, "%.2f s" % t_sparse, t_sparse <= 2 * expect + 0.2)
    os.unlink(f("big.vhd"))
    B.call(c, "VDI.destroy", s, big)
    # a VM with two such disks
    vm = B.call(c, "VM.create", s, B.vm_record("bench-xva"))
    for i, d in enumerate((vdi, v3)):
        B.call(c, "VBD.create", s, {"VM": vm, "VDI": d, "userdevice": str(i), "bootable": False,
                                    "mode": "RW", "type": "Disk", "empty": False,
                                    "other_config": {}, "qos_algorithm_type": "",
                                    "qos_algorithm_params": {}})
    t_xva_out = get(x.port, s, "/export?ref=%s" % vm, f("vm.xva"))
    # a copy, not a link: tar would store a second link to the same file once
    subprocess.run(["cp", "--sparse=always", src, f("disk1.raw")], check=True)
    t_tar_c = timed_run(["tar", "-C", workdir, "--sparse", "-cf", f("floor.tar"), "src.raw",
                         "disk1.raw"])
    ratio(sec, "VM export (XVA)", t_xva_out, t_tar_c)
    t_xva_in, task = put(x.port, s, "/import?sr_id=%s" % sr, file_pieces(f("vm.xva")),
                         os.path.getsize(f("vm.xva")))
    t0 = time.monotonic()
    wait_task(c, s, task)
    t_xva_in += time.monotonic() - t0
    os.makedirs(f("untar"))
    t_tar_x = timed_run(["tar", "-C", f("untar"), "--sparse", "-xf", f("floor.tar")])
    ratio(sec, "VM import (XVA)", t_xva_in, t_tar_x)
    sec.note("XVA %.0f MiB; tar --sparse %.0f MiB" % (os.path.getsize(f("vm.xva")) / MIB,
                                                     os.path.getsize(f("floor.tar")) / MIB))
    c.close()
    x.stop()
    ctx.cleanup.forget_dir(workdir)

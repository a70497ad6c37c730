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

Each HTTP path is also timed against its wire floor: the same client
sending (import) or receiving (export) the same bytes over loopback HTTP
to bench/xfer_wire_floor.c, which only writes them to a file or reads them
from one. The first ratio is the issue's; the second is what xapid, the
datapath and the storage add to the bytes that have to cross the wire.

Targets: every transfer within 3x of its tools' floor where the format
allows it (a raw transfer moves every byte of the disk, holes included,
where qemu-img moves only the data: its ratio is reported, without a
target), every HTTP path within 1.5x of its wire floor, the 10 GiB / 100
MiB VHD export within 2x of the time of 100 MiB at the 4 GiB VHD export's
rate.
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


ZEROS = bytes(4 * MIB)


def write_sparse(f, b):
    """b at f's position, a piece of zeros as a hole (as `cp --sparse`):
    what lands on the disk is the data, on both sides of every ratio, so
    that the machine's disk writeback is not what the figures measure."""
    if b == (ZEROS if len(b) == len(ZEROS) else bytes(len(b))):
        f.seek(len(b), os.SEEK_CUR)
    else:
        f.write(b)


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
                write_sparse(f, b)
            f.truncate()
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


def compare(sec, label, ours, floor, wire, floor_target=True, tool="qemu-img"):
    """Our time against the tools' floor (the issue's ratio) and against the
    wire floor (the same client, the same bytes, a receiver doing nothing but
    file I/O: what xapid itself adds). floor_target: whether the format lets
    a transfer come within 3x of the tools' floor at all."""
    r = ours / floor if floor > 0 else float("inf")
    w = ours / wire if wire > 0 else float("inf")
    sec.figure("%s: xapid / %s" % (label, tool), "%.2f s / %.2f s = %.2fx" % (ours, floor, r))
    sec.figure("%s: xapid / wire floor" % label, "%.2f s / %.2f s = %.2fx" % (ours, wire, w))
    if floor_target:
        sec.target("%s within 3x of %s" % (label, tool), "<= 3x", "%.2fx" % r, r <= 3.0)
    sec.target("%s within 1.5x of the wire floor" % label, "<= 1.5x", "%.2fx" % w, w <= 1.5)


class WireFloor:
    """bench/xfer_wire_floor.c serving the files of a directory."""

    def __init__(self, ctx, directory):
        exe = B.compile_c(ctx.builddir, "xfer_wire_floor", [])
        self.proc = ctx.cleanup.spawn([exe, directory], stdout=subprocess.PIPE)
        self.port = int(self.proc.stdout.readline())
        self.dir = directory

    def put(self, session, name, body_iter, length, sparse=False):
        t, _ = put(self.port, session, "/put?name=%s%s" % (name, "&sparse=1" if sparse else ""),
                   body_iter, length)
        os.unlink(os.path.join(self.dir, name))
        return t

    def get(self, session, name):
        out = os.path.join(self.dir, "wire.out")
        t = get(self.port, session, "/get?name=%s" % name, out)
        os.unlink(out)
        return t


def loadavg():
    with open("/proc/loadavg") as fh:
        return fh.read().split()[0]


def run(ctx, sec):
    disk, data = sizes(ctx)
    load0 = loadavg()
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
    wire = WireFloor(ctx, workdir)
    # ours, each followed by its wire floor
    vdi = new_vdi()
    t_raw_in, _ = put(x.port, s, "/import_raw_vdi?vdi=%s" % vdi, file_pieces(src), disk)
    w_raw_in = wire.put(s, "wire.raw", file_pieces(src), disk)
    # a raw transfer moves every byte of the disk (xapi's wire format), qemu-img only the data
    compare(sec, "raw import", t_raw_in, floor_raw, w_raw_in, floor_target=False)
    t_raw_out = get(x.port, s, "/export_raw_vdi?vdi=%s" % vdi, f("out.raw"))
    compare(sec, "raw export", t_raw_out, floor_raw, wire.get(s, "out.raw"), floor_target=False)
    v2 = new_vdi()
    t_chunked, _ = put(x.port, s, "/import_raw_vdi?vdi=%s&chunked=true" % v2,
                       chunked_pieces(src, runs), None)
    compare(sec, "chunked raw import", t_chunked, floor_raw,
            wire.put(s, "wire.raw", chunked_pieces(src, runs), None, sparse=True))
    t_vhd_out = get(x.port, s, "/export_raw_vdi?vdi=%s&format=vhd" % vdi, f("out.vhd"))
    compare(sec, "VHD export", t_vhd_out, floor_vhd_out, wire.get(s, "out.vhd"))
    v3 = new_vdi()
    t_vhd_in, _ = put(x.port, s, "/import_raw_vdi?vdi=%s&format=vhd" % v3,
                      file_pieces(f("out.vhd")), os.path.getsize(f("out.vhd")))
    compare(sec, "VHD import", t_vhd_in, floor_vhd_in,
            wire.put(s, "wire.vhd", file_pieces(f("out.vhd")), os.path.getsize(f("out.vhd"))))
    floor_q_out = timed_run(["qemu-img", "convert", "-f", "raw", "-O", "qcow2", src,
                             f("floor.qcow2")])
    floor_q_in = timed_run(["qemu-img", "convert", "-f", "qcow2", "-O", "raw", f("floor.qcow2"),
                            f("floor3.raw")])
    t_q_out = get(x.port, s, "/export_raw_vdi?vdi=%s&format=qcow2" % vdi, f("out.qcow2"))
    compare(sec, "qcow2 export", t_q_out, floor_q_out, wire.get(s, "out.qcow2"))
    v4 = new_vdi()
    t_q_in, _ = put(x.port, s, "/import_raw_vdi?vdi=%s&format=qcow2" % v4,
                    file_pieces(f("out.qcow2")), os.path.getsize(f("out.qcow2")))
    compare(sec, "qcow2 import", t_q_in, floor_q_in,
            wire.put(s, "wire.qcow2", file_pieces(f("out.qcow2")),
                     os.path.getsize(f("out.qcow2"))))
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
    compare(sec, "VM export (XVA)", t_xva_out, t_tar_c, wire.get(s, "vm.xva"), tool="tar")
    t_xva_in, task = put(x.port, s, "/import?sr_id=%s" % sr, file_pieces(f("vm.xva")),
                         os.path.getsize(f("vm.xva")))
    t0 = time.monotonic()
    wait_task(c, s, task)
    t_xva_in += time.monotonic() - t0
    os.makedirs(f("untar"))
    t_tar_x = timed_run(["tar", "-C", f("untar"), "--sparse", "-xf", f("floor.tar")])
    w_xva_in = wire.put(s, "wire.xva", file_pieces(f("vm.xva")), os.path.getsize(f("vm.xva")))
    compare(sec, "VM import (XVA)", t_xva_in, t_tar_x, w_xva_in, tool="tar")
    sec.note("XVA %.0f MiB; tar --sparse %.0f MiB" % (os.path.getsize(f("vm.xva")) / MIB,
                                                     os.path.getsize(f("floor.tar")) / MIB))
    # the two CPUs are shared: what else ran says how far to trust the figures
    sec.note("load average (1 min) %s at the start, %s at the end, on %d CPUs"
             % (load0, loadavg(), os.cpu_count()))
    c.close()
    x.stop()
    ctx.cleanup.stop(wire.proc)
    ctx.cleanup.forget_dir(workdir)

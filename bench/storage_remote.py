"""storage_remote.py - benchmark 8: the nfs and lvmoiscsi SR drivers
against real servers (the test fixtures: nfs-ganesha + rpcbind in a network
namespace, tgtd on 127.0.0.1 with a file-backed LUN), through the API.

Per driver, in one run:
1. VDI.create rate (64 MiB VDIs, one after the other) and VDI.snapshot
   rate (of one 64 MiB VDI holding data; each snapshot kept until the end).
2. Import and export throughput (PUT /import_raw_vdi, GET /export_raw_vdi
   of COPY_MIB of random data, checked) against the raw floor of the same
   transport: libnfs's own nfs-cp of the same bytes to and from the export
   (nfs), QEMU's libiscsi client (qemu-img convert -n) to and from the LUN
   (iscsi: libiscsi-bin has no copy tool). The ratio is the figure.
3. SR.scan with 1,000 VDIs: the VDIs are put on the storage directly (copies
   of one qcow2 image on the export; slots written into the LUN's backing
   file), then one SR.scan that introduces them all is timed, and a second
   one that finds them known.

xapid runs with the nfs driver in the NFS server's namespace and with the
lvmoiscsi driver on the host; both are reached through their unix socket.
"""
import http.client
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid as uuidlib
import xmlrpc.client

import benchlib as B

sys.path.insert(0, os.path.join(B.TOP, "tests", "integration"))
from iscsi_target import TgtTarget  # noqa: E402
from nfs_server import NfsServer  # noqa: E402
from xenapi_client import UnixHTTPConnection, UnixTransport  # noqa: E402

KEY = "storage_remote"
MIB = 1 << 20
CREATE_N = 20
SNAP_N = 10
SCAN_N = 1000
TIME_LIMIT_S = 600  # two real servers, 2,000 VDIs scanned: more than bench/run's 150 s


def title(ctx):
    return "10. Remote storage: the nfs and lvmoiscsi drivers (create, snapshot, data vs raw floor, scan of 1,000 VDIs)"


class UnixXapid:
    """xapid with one SR driver enabled, maybe in a network namespace,
    reached over its unix socket."""

    def __init__(self, ctx, workdir, plugin, settings, netns=None):
        self.dir = workdir
        self.sock = os.path.join(workdir, "xapi.sock")
        confd = os.path.join(workdir, "plugins.d")
        os.makedirs(confd, exist_ok=True)
        with open(os.path.join(confd, plugin + ".conf"), "w") as f:
            f.write("enabled = true\n")
            for k, v in settings.items():
                f.write("%s = %s\n" % (k, v))
        users = B.users_file(workdir)
        argv = ([] if not netns else ["ip", "netns", "exec", netns]) + [
            os.path.join(ctx.builddir, "xapid"), "-f", "--listen", "127.0.0.1:0",
            "--listen-tls", "127.0.0.1:0",
            "--socket", self.sock, "--state-dir", os.path.join(workdir, "state"),
            "--users", users, "--backend", "sim", "--log-level", "warn",
            "--plugin-dir", os.path.join(ctx.builddir, "plugins"),
            "--plugins-conf-dir", confd,
            "--plugin-worker", os.path.join(ctx.builddir, "xapid-plugin-worker")]
        os.makedirs(os.path.join(workdir, "state"), exist_ok=True)
        self.proc = ctx.cleanup.spawn(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE)
        ready = threading.Event()

        def reader(pipe):
            for raw in pipe:
                if b"xapid ready on" in raw:
                    ready.set()
            ready.set()

        threading.Thread(target=reader, args=(self.proc.stderr,), daemon=True).start()
        ready.wait(60)
        if self.proc.poll() is not None:
            raise B.BenchError("xapid did not start")
        self.proxy = xmlrpc.client.ServerProxy("http://localhost/",
                                               transport=UnixTransport(self.sock, 600),
                                               allow_none=True)
        self.session = self.call("session.login_with_password", "root", B.PASSWORD)

    def call(self, method, *args):
        fn = self.proxy
        for part in method.split("."):
            fn = getattr(fn, part)
        if method != "session.login_with_password":
            args = (self.session,) + args
        r = fn(*args)
        if r.get("Status") != "Success":
            raise B.BenchError("%s: %r" % (method, r.get("ErrorDescription")))
        return r.get("Value")

    def put(self, vdi, path):
        size = os.path.getsize(path)
        c = UnixHTTPConnection(self.sock, timeout=600)
        q = urllib.parse.urlencode({"vdi": vdi, "session_id": self.session})
        with open(path, "rb") as f:
            c.request("PUT", "/import_raw_vdi?" + q, body=f,
                      headers={"Content-Length": str(size)})
            r = c.getresponse()
            body = r.read()
        c.close()
        if r.status != 200:
            raise B.BenchError("import_raw_vdi: HTTP %d %r" % (r.status, body[:200]))

    def get_hash(self, vdi):
        c = UnixHTTPConnection(self.sock, timeout=600)
        q = urllib.parse.urlencode({"vdi": vdi, "session_id": self.session})
        c.request("GET", "/export_raw_vdi?" + q)
        r = c.getresponse()
        if r.status != 200:
            raise B.BenchError("export_raw_vdi: HTTP %d" % r.status)
        try:
            return B.sha256_of(r)
        finally:
            c.close()


def short_dir(ctx):
    """A directory for NBD sockets whose path leaves room for their names
    (a unix socket path holds 107 bytes)."""
    d = tempfile.mkdtemp(prefix="xbn-")
    ctx.cleanup.dirs.append(d)
    return d


def vdi_record(sr, size, name):
    return {"name_label": name, "name_description": "bench", "SR": sr,
            "virtual_size": str(size), "type": "user", "sharable": False, "read_only": False,
            "other_config": {}}


def file_hash(path):
    with open(path, "rb") as f:
        return B.sha256_of(f)


def timed(fn, *args):
    t0 = time.monotonic()
    v = fn(*args)
    return time.monotonic() - t0, v


def rates(sec, label, x, sr, data):
    took, _ = timed(lambda: [x.call("VDI.create", vdi_record(sr, 64 * MIB, "bench %d" % i))
                             for i in range(CREATE_N)])
    sec.figure("%s: VDI.create of 64 MiB VDIs (%d, one after the other)" % (label, CREATE_N),
               "%.1f/s" % (CREATE_N / took))
    src = x.call("VDI.create", vdi_record(sr, 64 * MIB, "bench snap source"))
    x.put(src, data)
    took, _ = timed(lambda: [x.call("VDI.snapshot", src, {}) for i in range(SNAP_N)])
    sec.figure("%s: VDI.snapshot of a 64 MiB VDI (%d)" % (label, SNAP_N),
               "%.1f/s" % (SNAP_N / took))


def throughput(sec, label, x, sr, data, size, floor_in, floor_out):
    vdi = x.call("VDI.create", vdi_record(sr, size, "bench data"))
    t_in, _ = timed(x.put, vdi, data)
    t_out, h = timed(x.get_hash, vdi)
    if h != file_hash(data):
        raise B.BenchError("%s: the export differs from the import" % label)
    f_in, _ = timed(floor_in)
    f_out, _ = timed(floor_out)
    mib = size / MIB
    sec.figure("%s: import %d MiB" % (label, mib), "%.0f MiB/s (raw floor %.0f MiB/s, ratio %.2f)"
               % (mib / t_in, mib / f_in, f_in / t_in))
    sec.figure("%s: export %d MiB" % (label, mib), "%.0f MiB/s (raw floor %.0f MiB/s, ratio %.2f)"
               % (mib / t_out, mib / f_out, f_out / t_out))


def scan(sec, label, x, sr):
    t1, _ = timed(x.call, "SR.scan", sr)
    n = len(x.call("SR.get_VDIs", sr))
    t2, _ = timed(x.call, "SR.scan", sr)
    sec.figure("%s: SR.scan introducing %d VDIs" % (label, SCAN_N), "%.2f s" % t1)
    sec.figure("%s: SR.scan again (%d VDIs known)" % (label, n), "%.2f s" % t2)


def run_nfs(ctx, sec, workdir, small, data, size):
    srv = NfsServer()
    try:
        x = UnixXapid(ctx, os.path.join(workdir, "nfs"), "nfs",
                      {"nbd_dir": short_dir(ctx)}, netns=srv.netns)
        host = x.call("host.get_all")[0]
        dc = {"server": "127.0.0.1", "serverpath": srv.export}
        sr = x.call("SR.create", host, dc, "0", "bench nfs", "", "nfs", "user", True, {})
        rates(sec, "nfs", x, sr, small)
        url = "nfs://127.0.0.1%s/floor.raw" % srv.export
        out = os.path.join(workdir, "floor-out.raw")
        throughput(sec, "nfs", x, sr, data, size,
                   lambda: srv.ns("nfs-cp", data, url),
                   lambda: srv.ns("nfs-cp", url, out))
        os.unlink(out)
        # what the datapath is made of: QEMU's own libnfs client, reading the
        # same bytes (the raw file just written) without NBD or xapid
        took, _ = timed(srv.ns, "qemu-img", "convert", "-f", "raw", "-O", "raw", url, out)
        sec.figure("nfs: qemu-img convert from nfs:// (QEMU's client, %d MiB)" % (size // MIB),
                   "%.0f MiB/s" % (size / MIB / took))
        os.unlink(out)
        # 1,000 VDIs on the export: copies of one fresh qcow2 image
        srdir = os.path.join(srv.export, x.call("SR.get_uuid", sr))
        seed = os.path.join(workdir, "seed.qcow2")
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", seed, "1G"], check=True)
        for i in range(SCAN_N):
            shutil.copyfile(seed, os.path.join(srdir, "%s.qcow2" % uuidlib.uuid4()))
        scan(sec, "nfs", x, sr)
        x.proc.terminate()
        x.proc.wait(30)
    finally:
        srv.cleanup()


def lun_slots(lun_file, n):
    """n VDI slots of 4 MiB each written straight into the LUN's backing
    file, in the driver's format (plugins/storage/iscsi/iscsi_meta.c)."""
    with open(lun_file, "r+b") as f:
        for i in range(n):
            slot = bytearray(512)
            slot[0:8] = b"XAPIVDI1"
            slot[8:44] = str(uuidlib.uuid4()).encode()
            struct.pack_into("<QQQQ", slot, 48, 4 * MIB, 1000 + i, 1, 0)
            f.seek((1 << 20) + (100 + i) * 512)
            f.write(slot)


def run_iscsi(ctx, sec, workdir, small, data, size):
    tgt = TgtTarget()
    try:
        iqn = tgt.add_target(luns_mib=[8192])
        x = UnixXapid(ctx, os.path.join(workdir, "iscsi"), "lvmoiscsi",
                      {"nbd_dir": short_dir(ctx)})
        host = x.call("host.get_all")[0]
        dc = {"target": "127.0.0.1", "port": str(tgt.port), "targetIQN": iqn}
        try:
            x.call("SR.probe", host, dc, "lvmoiscsi", {})
            raise B.BenchError("SR.probe without SCSIid did not list the LUNs")
        except B.BenchError as e:
            # SR_BACKEND_FAILURE_107 with the LUNs' XML, as xapi's
            dc["SCSIid"] = str(e).split("<SCSIid>")[1].split("</SCSIid>")[0]
        sr = x.call("SR.create", host, dc, "0", "bench iscsi", "", "lvmoiscsi", "user", True, {})
        rates(sec, "lvmoiscsi", x, sr, small)
        url = "iscsi://127.0.0.1:%d/%s/2" % (tgt.port, iqn)
        floor_lun = os.path.join(tgt.dir, "floor.img")
        with open(floor_lun, "wb") as f:
            f.truncate(size)
        tgt.adm("--op", "new", "--mode", "logicalunit", "--tid", "1", "--lun", "2", "-b",
                floor_lun)
        out = os.path.join(workdir, "floor-out.raw")
        throughput(sec, "lvmoiscsi", x, sr, data, size,
                   lambda: subprocess.run(["qemu-img", "convert", "-n", "-f", "raw", "-O", "raw",
                                           data, url], check=True),
                   lambda: subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "raw", url,
                                           out], check=True))
        os.unlink(out)
        lun_slots(tgt.lun_file(iqn), SCAN_N)
        scan(sec, "lvmoiscsi", x, sr)
        x.proc.terminate()
        x.proc.wait(30)
    finally:
        tgt.cleanup()


def run(ctx, sec):
    workdir = ctx.cleanup.tempdir("storage-remote")
    size = (64 if ctx.quick else 256) * MIB
    data = os.path.join(workdir, "data.raw")
    with open(data, "wb") as f:
        f.write(os.urandom(size))
    small = os.path.join(workdir, "small.raw")
    with open(small, "wb") as f:
        f.write(os.urandom(64 * MIB))
    sec.note("nfs: nfs-ganesha %s (VFS FSAL) in a network namespace, xapid in it; lvmoiscsi: "
             "tgtd on 127.0.0.1, one file-backed 8 GiB LUN; data: %d MiB of random bytes"
             % (subprocess.run(["dpkg-query", "-W", "-f=${Version}", "nfs-ganesha"],
                               capture_output=True, text=True).stdout or "?", size // MIB))
    run_nfs(ctx, sec, workdir, small, data, size)
    run_iscsi(ctx, sec, workdir, small, data, size)
    ctx.cleanup.forget_dir(workdir)

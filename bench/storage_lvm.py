"""storage_lvm.py - benchmark 8: the lvm SR driver through the API, on a
sparse file behind a loop device, LVM with a configuration private to it
(tests/integration/lvm_fixture.py), no device-mapper (LVs reached through
loop devices at their offsets, as the driver does here).

1. VDI.create rate (16 MiB VDIs, one connection) and VDI.snapshot rate
   (full copies of a 64 MiB VDI holding random data).
2. Import and export throughput (PUT /import_raw_vdi, GET
   /export_raw_vdi of COPY_MIB of random data) against the raw floor of
   the same device: `dd` of the same bytes onto and off the disk's loop
   device (4 MiB blocks, conv=fsync / iflag=direct), as a ratio.
3. SR.scan time with 1,000 VDIs: the LVs are written into the VG's
   metadata in one `vgcfgrestore` (1,000 lvcreates would take minutes and
   measure LVM, not the scan), then SR.scan, median of 3 (the first one
   introduces the 1,000 records).
"""
import os
import re
import statistics
import subprocess
import sys
import time
import uuid

import benchlib as B
import storage as S

sys.path.insert(0, os.path.join(B.TOP, "tests", "integration"))
import lvm_fixture  # noqa: E402

KEY = "storage_lvm"
MIB = 1 << 20


def title(ctx):
    return "9. Storage, lvm driver: VDI.create and snapshot rates, import/export vs dd, " \
        "SR.scan of 1,000 VDIs"


def config(builddir, workdir, run_dir):
    conf = S.plugin_config(builddir, workdir)
    with open(os.path.join(conf["plugins_conf_dir"], "lvm.conf"), "w") as f:
        f.write("enabled = true\nrun_dir = %s\n" % run_dir)
    os.unlink(os.path.join(conf["plugins_conf_dir"], "file.conf"))
    return conf


def rates(ctx, sec, c, session, sr):
    n = 10 if ctx.quick else 30
    t0 = time.monotonic()
    made = [B.call(c, "VDI.create", session, S.vdi_record(sr, 16 * MIB, "bench %d" % i))
            for i in range(n)]
    took = time.monotonic() - t0
    sec.figure("VDI.create of 16 MiB x %d, one connection (calls/s)" % n, "%.1f" % (n / took))
    for v in made:
        B.call(c, "VDI.destroy", session, v)
    return n


def snapshots(ctx, sec, x, c, session, sr, workdir):
    n = 5 if ctx.quick else 10
    data = os.path.join(workdir, "snap.raw")
    with open(data, "wb") as f:
        f.write(os.urandom(64 * MIB))
    vdi = B.call(c, "VDI.create", session, S.vdi_record(sr, 64 * MIB, "bench snap source"))
    S.http_put_file(x.port, session, vdi, data)
    times = []
    for _ in range(n):
        t, snap = S.timed(c, "VDI.snapshot", session, vdi, {})
        times.append(t)
        B.call(c, "VDI.destroy", session, snap)
    sec.figure("VDI.snapshot of a 64 MiB VDI of random data (full copy), median of %d (ms; "
               "snapshots/s)" % n, "%.0f; %.1f" % (statistics.median(times) * 1000,
                                                  1 / statistics.median(times)))
    B.call(c, "VDI.destroy", session, vdi)
    os.unlink(data)


def throughput(ctx, sec, x, c, session, sr, disk, workdir):
    mib = 128 if ctx.quick else 512
    data = os.path.join(workdir, "data.raw")
    with open(data, "wb") as f:
        for _ in range(mib):
            f.write(os.urandom(MIB))
    want = S.file_hash(data)
    vdi = B.call(c, "VDI.create", session, S.vdi_record(sr, mib * MIB, "bench io"))
    t0 = time.monotonic()
    S.http_put_file(x.port, session, vdi, data)
    t_imp = time.monotonic() - t0
    t0 = time.monotonic()
    got = S.http_get_hash(x.port, session, vdi)
    t_exp = time.monotonic() - t0
    if got != want:
        raise B.BenchError("the export differs from the import")
    B.call(c, "VDI.destroy", session, vdi)
    # the floor: dd of the same bytes onto and off the disk itself, past the
    # LVM metadata (offset 64 MiB), where the VDI's extents were
    t0 = time.monotonic()
    subprocess.run(["dd", "if=" + data, "of=" + disk.dev, "bs=4M", "seek=16", "conv=fsync",
                    "status=none"], check=True)
    t_ddw = time.monotonic() - t0
    t0 = time.monotonic()
    subprocess.run(["dd", "if=" + disk.dev, "of=/dev/null", "bs=4M", "skip=16",
                    "count=%d" % (mib // 4), "iflag=direct", "status=none"], check=True)
    t_ddr = time.monotonic() - t0
    os.unlink(data)
    sec.figure("PUT /import_raw_vdi of %d MiB of random data (MiB/s)" % mib,
               "%.0f" % (mib / t_imp))
    sec.figure("dd onto the loop device, conv=fsync (MiB/s)", "%.0f" % (mib / t_ddw))
    sec.figure("import / dd", "%.2fx" % (t_ddw / t_imp))
    sec.figure("GET /export_raw_vdi (MiB/s)", "%.0f" % (mib / t_exp))
    sec.figure("dd off the loop device, iflag=direct (MiB/s)", "%.0f" % (mib / t_ddr))
    sec.figure("export / dd", "%.2fx" % (t_ddr / t_exp))


def thousand_lvs(disk, vg, count):
    """Adds count LVs named as the driver names VDIs (one extent each) to
    vg's metadata with one vgcfgrestore."""
    meta = os.path.join(disk.tmp, "meta")
    disk.lvm("vgcfgbackup", "-f", meta, vg)
    text = open(meta).read()
    used = sum(int(n) for n in re.findall(r"extent_count = (\d+)", text))
    lvs = []
    for i in range(count):
        lvid = uuid.uuid4().hex[:32]
        lvid = "-".join([lvid[:6], lvid[6:10], lvid[10:14], lvid[14:18], lvid[18:22],
                         lvid[22:26], lvid[26:32]])
        lvs.append('LV-%s {\nid = "%s"\nstatus = ["READ", "WRITE", "VISIBLE"]\nflags = []\n'
                   'segment_count = 1\nsegment1 {\nstart_extent = 0\nextent_count = 1\n'
                   'type = "striped"\nstripe_count = 1\nstripes = ["pv0", %d]\n}\n}\n'
                   % (uuid.uuid4(), lvid, used + i))
    block = "logical_volumes {\n%s}\n" % "".join(lvs)
    if "logical_volumes {" in text:
        text = text.replace("logical_volumes {", block[:-2], 1)
    else:
        # after the physical_volumes section: the last "}" closing the VG
        end = text.rindex("}")
        text = text[:end] + block + text[end:]
    with open(meta, "w") as f:
        f.write(text)
    disk.lvm("vgcfgrestore", "-f", meta, vg)


def scan(ctx, sec, c, session, sr, disk):
    n = 1000
    vg = "VG_XenStorage-" + B.call(c, "SR.get_uuid", session, sr)
    thousand_lvs(disk, vg, n)
    times = []
    for _ in range(3):
        t, _ = S.timed(c, "SR.scan", session, sr)
        times.append(t)
    found = len(B.call(c, "SR.get_VDIs", session, sr))
    if found != n:
        raise B.BenchError("SR.scan found %d VDIs, want %d" % (found, n))
    sec.figure("SR.scan with %d VDIs: the first (introduces them) (s)" % n, "%.2f" % times[0])
    sec.figure("SR.scan with %d VDIs, the next two, median (s)" % n,
               "%.2f" % statistics.median(times[1:]))
    for v in B.call(c, "SR.get_VDIs", session, sr):
        B.call(c, "VDI.forget", session, v)
    disk.lvm("vgcfgrestore", "-f", os.path.join(disk.tmp, "meta.orig"), vg)


def run(ctx, sec):
    why = lvm_fixture.available()
    if why:
        raise B.BenchError("LVM on loop devices: %s" % why)
    workdir = ctx.cleanup.tempdir("storage-lvm")
    disk = lvm_fixture.LoopDisk(8 << 30)
    try:
        x = B.Xapid(ctx.cleanup, ctx.builddir, os.path.join(workdir, "state"),
                    B.users_file(workdir),
                    config=config(ctx.builddir, workdir, disk.run_dir)).start()
        c = B.HttpConn(x.port)
        session = B.login(c)
        host = B.call(c, "host.get_all", session)[0]
        sr = B.call(c, "SR.create", session, host, {"device": disk.dev}, "0", "bench lvm SR",
                    "", "lvm", "user", False, {})
        sec.note("SR of type lvm on %s (a sparse 8 GiB file on %s), no device-mapper: LVs "
                 "through loop devices; %s" % (
                     disk.dev, subprocess.run(["df", "--output=fstype", disk.tmp],
                                              capture_output=True, text=True).stdout.split()[-1],
                     # (not `lvm version`: libdevmapper would make a /dev/mapper/control
                     # node on a kernel without device-mapper)
                     "lvm2 " + subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "lvm2"],
                                              capture_output=True, text=True).stdout))
        rates(ctx, sec, c, session, sr)
        snapshots(ctx, sec, x, c, session, sr, workdir)
        throughput(ctx, sec, x, c, session, sr, disk, workdir)
        vg = "VG_XenStorage-" + B.call(c, "SR.get_uuid", session, sr)
        disk.lvm("vgcfgbackup", "-f", os.path.join(disk.tmp, "meta.orig"), vg)
        scan(ctx, sec, c, session, sr, disk)
        for p in B.call(c, "SR.get_PBDs", session, sr):
            B.call(c, "PBD.unplug", session, p)
        B.call(c, "SR.destroy", session, sr)
        c.close()
        x.stop()
    finally:
        disk.cleanup()
    ctx.cleanup.forget_dir(workdir)

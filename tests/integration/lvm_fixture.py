"""LVM on a loop device for the tests (doc: tests/integration/README.md):
a sparse file, a loop device over it, and LVM run with a private
configuration whose filter admits only that loop device, so that the
machine's own disks and VGs are never seen. Without device-mapper, an LV's
data is read through a loop device over the PV at the LV's offset.

    with LoopDisk(256 * MIB) as disk:    # disk.dev: /dev/loopN
        disk.lvm("vgcreate", "vg-x", disk.dev)
        disk.lv_bytes("VG_XenStorage-<sr>", "LV-<vdi>") -> the LV's data

Everything is removed at exit, also when the test fails: the loop devices
over the disk (the driver's, if a test left some), the disk's loop device,
the file. Names are unique per run (tempfile)."""

import os
import re
import shutil
import subprocess
import tempfile

MIB = 1 << 20


def available():
    """Why LVM tests cannot run here, or None."""
    if os.geteuid() != 0:
        return "not root"
    if not shutil.which("lvm") or not shutil.which("losetup"):
        return "lvm2 or losetup missing"
    if not os.path.exists("/dev/loop-control"):
        return "no loop devices"
    return None


def loops_over(dev):
    """The loop devices whose backing file is dev, [(\"/dev/loopN\", offset)]."""
    out = []
    for name in os.listdir("/sys/block"):
        if not name.startswith("loop"):
            continue
        try:
            with open("/sys/block/%s/loop/backing_file" % name) as f:
                back = f.read().strip()
            with open("/sys/block/%s/loop/offset" % name) as f:
                off = int(f.read().strip())
        except OSError:
            continue
        if back == dev:
            out.append(("/dev/" + name, off))
    return out


class LoopDisk:
    def __init__(self, size):
        self.tmp = tempfile.mkdtemp(prefix="xapid-it-lvm-")
        self.file = os.path.join(self.tmp, "disk")
        self.sysdir = os.path.join(self.tmp, "lvm")
        os.makedirs(self.sysdir)
        with open(self.file, "wb") as f:
            f.truncate(size)
        self.dev = subprocess.run(["losetup", "--find", "--show", self.file], check=True,
                                  stdout=subprocess.PIPE, text=True).stdout.strip()
        self.run_dir = os.path.join(self.tmp, "run")   # the driver's run_dir setting

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()

    def cleanup(self):
        for dev, _ in loops_over(self.dev):
            subprocess.run(["losetup", "--detach", dev], stderr=subprocess.DEVNULL)
        if self.dev:
            subprocess.run(["losetup", "--detach", self.dev], stderr=subprocess.DEVNULL)
            self.dev = None
        shutil.rmtree(self.tmp, True)

    def config(self):
        return ('devices{filter=["a|^%s$|","r|.*|"] global_filter=["a|^%s$|","r|.*|"] '
                'use_devicesfile=0 obtain_device_list_from_udev=0 hints="none"} '
                'global{use_lvmlockd=0 locking_dir="%s" event_activation=0 activation=0} '
                'activation{udev_sync=0 udev_rules=0 monitoring=0} backup{backup=0 archive=0}'
                % (self.dev, self.dev, self.sysdir))

    def lvm(self, cmd, *args, check=True):
        """Runs `lvm cmd --config <private> args`; its stdout."""
        env = dict(os.environ, LVM_SYSTEM_DIR=self.sysdir, LVM_SUPPRESS_FD_WARNINGS="1")
        p = subprocess.run(["lvm", cmd, "--config", self.config()] + list(args), env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if check and p.returncode != 0:
            raise AssertionError("lvm %s %s: %s" % (cmd, " ".join(args), p.stderr))
        return p.stdout

    def report(self, cmd, fields, *args, check=True):
        """Rows of an lvm report as dicts (field names lower case, no LVM2_)."""
        out = self.lvm(cmd, "--noheadings", "--nameprefixes", "--units", "b", "--nosuffix",
                       "-o", fields, *args, check=check)
        rows = []
        for line in out.splitlines():
            pairs = re.findall(r"LVM2_([A-Z_]+)='([^']*)'", line)
            if pairs:
                rows.append({k.lower(): v for k, v in pairs})
        return rows

    def vg_of_pv(self):
        """The VG on the disk's PV ("" if none); None if the disk is no PV."""
        rows = self.report("pvs", "pv_name,vg_name", self.dev, check=False)
        return rows[0]["vg_name"] if rows else None

    def lvs(self, vg):
        return {r["lv_name"]: r for r in self.report("lvs", "lv_name,lv_size,lv_tags", vg)}

    def lv_place(self, vg, lv):
        """(offset, size) of a single-segment LV on the disk."""
        segs = [r for r in self.report("pvs", "vg_name,lv_name,pe_start,pvseg_start,"
                                       "vg_extent_size,lv_size", "--segments", self.dev)
                if r["vg_name"] == vg and r["lv_name"] == lv]
        assert len(segs) == 1, "LV %s/%s has %d segments" % (vg, lv, len(segs))
        s = segs[0]
        off = int(s["pe_start"]) + int(s["pvseg_start"]) * int(s["vg_extent_size"])
        return off, int(s["lv_size"])

    def lv_bytes(self, vg, lv):
        """The LV's data, read through a loop device of our own over the
        disk at the LV's offset (no device-mapper, nothing of the driver)."""
        off, size = self.lv_place(vg, lv)
        loop = subprocess.run(["losetup", "--find", "--show", "--read-only", "--offset",
                               str(off), "--sizelimit", str(size), self.dev], check=True,
                              stdout=subprocess.PIPE, text=True).stdout.strip()
        try:
            with open(loop, "rb") as f:
                return f.read(size)
        finally:
            subprocess.run(["losetup", "--detach", loop])

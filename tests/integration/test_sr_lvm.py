"""The `lvm` SR driver (plugins/storage/lvm) through the wire, on a loop
device with LVM's configuration private to it (lvm_fixture.py): the
conformance kit, the data of VDIs read back through LVM's own layout,
probe, scan reconciling LVs made or removed behind xapid's back, and the
bad inputs and faults of issue 11 with xapi's SR_BACKEND_FAILURE codes."""

import os
import re
import subprocess
import sys
import time
import unittest
import uuid

import harness
import lvm_fixture
from harness import NULL_REF, ROOT_PASSWORD, ROOT_USER, vbd_record
from lvm_fixture import LoopDisk
from storage_util import MIB, StorageTestCase, pattern

KIT = harness.REPO / "sdk" / "conformance" / "xapi-sr-conformance"
SUMMARY_RE = re.compile(r"^conformance: (\S+): (\d+) passed, (\d+) failed, (\d+) skipped",
                        re.M)
WHY_NOT = lvm_fixture.available()


@unittest.skipIf(WHY_NOT, "LVM on loop devices: %s" % WHY_NOT)
class LvmTestCase(StorageTestCase):
    """A daemon with the lvm driver; each test gets its own loop disk."""

    disk_size = 256 * MIB

    @classmethod
    def setUpClass(cls):
        # one run_dir for the class: the driver's private LVM directories
        cls.run_root = LoopDisk(MIB)
        cls.addClassCleanup(cls.run_root.cleanup)
        cls.daemon_plugins = {"lvm": {"run_dir": cls.run_root.run_dir}, "file": {}}
        super().setUpClass()

    def setUp(self):
        super().setUp()
        self.disk = LoopDisk(self.disk_size)
        self.addCleanup(self.disk.cleanup)

    def create_lvm_sr(self, name="it-lvm-sr", dconf=None):
        return self.x.SR.create(self.host, dconf if dconf is not None else {"device": self.disk.dev}, "0", name,
                                "made by the tests", "lvm", "user", False, {})

    def vg(self, sr):
        return "VG_XenStorage-" + self.x.SR.get_uuid(sr)

    def lv(self, vdi):
        return "LV-" + self.x.VDI.get_uuid(vdi)

    def destroy_sr(self, sr):
        for v in self.x.SR.get_VDIs(sr):
            if self.x.VDI.get_managed(v):
                self.x.VDI.destroy(v)
        for p in self.x.SR.get_PBDs(sr):
            self.x.PBD.unplug(p)
        self.x.SR.destroy(sr)


class LvmConformanceTest(LvmTestCase):
    def test_conformance_kit(self):
        p = subprocess.run([sys.executable, str(KIT), "--type", "lvm",
                            "--device-config", "device=%s" % self.disk.dev, "--size-mib", "16",
                            "--url", self.daemon.url, "-u", ROOT_USER, "-pw", ROOT_PASSWORD],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=600)
        m = SUMMARY_RE.search(p.stdout)
        self.assertTrue(m, "no summary line:\n" + p.stdout[-3000:])
        failed = [l for l in p.stdout.splitlines() if l.startswith("FAIL")]
        self.assertEqual(failed, [], p.stdout + self.log_tail(40))
        self.assertEqual(p.returncode, 0, p.stdout)
        skipped = [l for l in p.stdout.splitlines() if l.startswith("SKIP")]
        for name in ("vdi.data.zeros", "vdi.data.roundtrip", "vdi.snapshot", "vdi.clone",
                     "vdi.resize", "vdi.introduce", "sr.probe.finds_it", "vdi.destroy"):
            self.assertFalse([l for l in skipped if (" %s:" % name) in l], p.stdout)
            self.assertRegex(p.stdout, r"(?m)^PASS  %s\b" % re.escape(name))
        # nothing left: no SR, no PV label, no loop device over the disk
        self.assertEqual([s for s in self.x.SR.get_all_records().values()
                          if s["type"] == "lvm"], [])
        self.assertIsNone(self.disk.vg_of_pv())
        self.assertEqual(lvm_fixture.loops_over(self.disk.dev), [])


if __name__ == "__main__":
    unittest.main()


class LvmDataTest(LvmTestCase):
    """What xapid writes is in the LVs, where LVM's metadata says they are."""

    def test_sr_is_the_vg_and_vdis_are_lvs(self):
        sr = self.create_lvm_sr()
        vg = self.vg(sr)
        self.assertEqual(self.disk.vg_of_pv(), vg)
        size = int(self.disk.report("vgs", "vg_size,vg_free", vg)[0]["vg_size"])
        self.assertEqual(int(self.x.SR.get_physical_size(sr)), size)
        self.assertEqual(int(self.x.SR.get_physical_utilisation(sr)), 0)
        vdi = self.create_vdi(sr, size=10 * MIB)  # rounded up to the 4 MiB extent
        lv = self.lv(vdi)
        self.assertEqual(self.x.VDI.get_location(vdi), self.x.VDI.get_uuid(vdi))
        self.assertEqual(int(self.disk.lvs(vg)[lv]["lv_size"]), 12 * MIB)
        self.assertEqual(int(self.x.VDI.get_virtual_size(vdi)), 12 * MIB)
        self.x.SR.update(sr)
        self.assertEqual(int(self.x.SR.get_physical_utilisation(sr)), 12 * MIB)
        self.x.VDI.destroy(vdi)
        self.assertNotIn(lv, self.disk.lvs(vg))
        self.destroy_sr(sr)
        self.assertIsNone(self.disk.vg_of_pv())

    def test_import_snapshot_clone_resize_data(self):
        sr = self.create_lvm_sr()
        vg = self.vg(sr)
        vdi = self.create_vdi(sr, size=16 * MIB)
        one, two = pattern(16 * MIB, 1), pattern(16 * MIB, 2)
        self.import_raw(vdi, one)
        self.assertEqual(self.disk.lv_bytes(vg, self.lv(vdi)), one)
        snap = self.x.VDI.snapshot(vdi, {})
        self.assertTrue(self.x.VDI.get_is_a_snapshot(snap))
        self.assertEqual(self.disk.lvs(vg)[self.lv(snap)]["lv_tags"],
                         "snapshot_of=" + self.x.VDI.get_uuid(vdi))
        self.import_raw(vdi, two)
        self.assertEqual(self.disk.lv_bytes(vg, self.lv(snap)), one)
        self.assertEqual(self.disk.lv_bytes(vg, self.lv(vdi)), two)
        self.assertEqual(self.export_raw(snap), one)
        clone = self.x.VDI.clone(snap, {})
        self.assertFalse(self.x.VDI.get_is_a_snapshot(clone))
        self.assertEqual(self.export_raw(clone), one)
        # a scan keeps what a snapshot is (the LV's tag)
        self.x.VDI.forget(snap)
        self.x.SR.scan(sr)
        again = [v for v in self.x.SR.get_VDIs(sr)
                 if self.x.VDI.get_location(v) == self.x.VDI.get_uuid(v) and
                 self.x.VDI.get_is_a_snapshot(v)]
        self.assertEqual(len(again), 1)
        # resize: the old bytes, then zeros (the new extents are zeroed)
        self.x.VDI.destroy(clone)
        self.x.VDI.destroy(again[0])
        self.x.VDI.resize(vdi, str(32 * MIB))
        self.assertEqual(self.export_raw(vdi), two + bytes(16 * MIB))

    def test_new_vdi_reads_zeros_where_an_old_one_was(self):
        sr = self.create_lvm_sr()
        vg = self.vg(sr)
        old = self.create_vdi(sr, size=8 * MIB)
        place = self.disk.lv_place(vg, self.lv(old))
        self.import_raw(old, pattern(8 * MIB, 7))
        self.x.VDI.destroy(old)
        new = self.create_vdi(sr, size=8 * MIB)
        self.assertEqual(self.disk.lv_place(vg, self.lv(new)), place)  # the same extents
        self.assertEqual(self.export_raw(new), bytes(8 * MIB))

    def test_probe(self):
        host = self.host
        empty = self.x.SR.probe(host, {"device": self.disk.dev}, "lvm", {})
        self.assertNotIn("<UUID>", empty)
        self.assertIn("SRlist", empty)
        sr = self.create_lvm_sr()
        found = self.x.SR.probe(host, {"device": self.disk.dev}, "lvm", {})
        self.assertIn("<UUID>%s</UUID>" % self.x.SR.get_uuid(sr), found)
        ext = self.x.SR.probe_ext(host, {"device": self.disk.dev}, "lvm", {})
        self.assertEqual([r["sr"]["uuid"] for r in ext], [self.x.SR.get_uuid(sr)])

    def test_scan_reconciles_with_lvm(self):
        sr = self.create_lvm_sr()
        vg = self.vg(sr)
        gone = self.create_vdi(sr, size=4 * MIB)
        # an LV named as the driver names VDIs, and one that is no VDI
        new_uuid = str(uuid.uuid4())
        self.disk.lvm("lvcreate", "-an", "-Zn", "-y", "-n", "LV-" + new_uuid, "-L", "8m", vg)
        self.disk.lvm("lvcreate", "-an", "-Zn", "-y", "-n", "scratch", "-L", "4m", vg)
        self.disk.lvm("lvremove", "-f", "%s/%s" % (vg, self.lv(gone)))
        self.x.SR.scan(sr)
        by_loc = {self.x.VDI.get_location(v): v for v in self.x.SR.get_VDIs(sr)}
        self.assertEqual(sorted(by_loc), [new_uuid])
        self.assertEqual(self.x.VDI.get_uuid(by_loc[new_uuid]), new_uuid)
        self.assertEqual(int(self.x.VDI.get_virtual_size(by_loc[new_uuid])), 8 * MIB)
        self.assertIn("scratch", self.disk.lvs(vg))  # left alone
        self.disk.lvm("lvremove", "-f", "%s/scratch" % vg)


class LvmUseTest(LvmTestCase):
    """LVM VDIs used by the rest of xapid: a running VM's disk (snapshotted
    while attached), VDI.copy between a file SR and an LVM SR."""

    daemon_config = {"sim_memory": str(4 << 30)}

    def test_vm_disk_attached_snapshot_and_detached(self):
        sr = self.create_lvm_sr()
        vdi = self.create_vdi(sr, size=8 * MIB)
        data = pattern(8 * MIB, 11)
        self.import_raw(vdi, data)
        vm = self.create_vm("it-lvm-vm")
        self.x.VBD.create(vbd_record(vm, vdi, "0", bootable=True))
        self.x.VM.start(vm, False, False)
        # the running disk is a loop device over the PV at the LV's offset
        off, _ = self.disk.lv_place(self.vg(sr), self.lv(vdi))
        self.assertIn(off, [o for _, o in lvm_fixture.loops_over(self.disk.dev)])
        snap = self.x.VDI.snapshot(vdi, {})
        self.assertEqual(self.export_raw(snap), data)
        self.assertIn(off, [o for _, o in lvm_fixture.loops_over(self.disk.dev)],
                      "the snapshot detached the running VM's disk")
        self.x.VM.hard_shutdown(vm)
        self.assertEqual(lvm_fixture.loops_over(self.disk.dev), [])
        self.x.VM.destroy(vm)
        self.x.VDI.destroy(snap)
        self.destroy_sr(sr)

    def test_copy_between_a_file_sr_and_an_lvm_sr(self):
        sr = self.create_lvm_sr()
        fsr, _ = self.create_sr("it-file-for-lvm")
        src = self.create_vdi(fsr, size=12 * MIB)
        data = pattern(12 * MIB, 12)
        self.import_raw(src, data)
        onto_lvm = self.x.VDI.copy(src, sr, NULL_REF, NULL_REF)
        self.assertEqual(self.x.VDI.get_SR(onto_lvm), sr)
        self.assertEqual(self.disk.lv_bytes(self.vg(sr), self.lv(onto_lvm)), data)
        back = self.x.VDI.copy(onto_lvm, fsr, NULL_REF, NULL_REF)
        self.assertEqual(self.export_raw(back), data)
        within = self.x.VDI.copy(onto_lvm, sr, NULL_REF, NULL_REF)
        self.assertEqual(self.export_raw(within), data)
        for v in (src, back):
            self.x.VDI.destroy(v)
        self.destroy_sr(sr)


class LvmIsolationTest(LvmTestCase):
    """Another VG on another device (as the host's own) is never seen nor
    touched by the driver: its private LVM configuration admits the SR's
    device only."""

    def test_other_vg_untouched(self):
        other = LoopDisk(64 * MIB)
        self.addCleanup(other.cleanup)
        vg = "it-host-vg-%s" % uuid.uuid4().hex[:8]
        other.lvm("pvcreate", "-y", other.dev)
        other.lvm("vgcreate", vg, other.dev)
        other.lvm("lvcreate", "-an", "-Zn", "-y", "-n", "root", "-L", "8m", vg)
        before = other.report("lvs", "lv_name,lv_size,lv_uuid", vg)
        sr = self.create_lvm_sr()
        vdi = self.create_vdi(sr, size=8 * MIB)
        self.import_raw(vdi, pattern(8 * MIB, 21))
        self.x.VDI.snapshot(vdi, {})
        probe = self.x.SR.probe(self.host, {"device": self.disk.dev}, "lvm", {})
        self.assertEqual(re.findall(r"<UUID>([^<]*)</UUID>", probe), [self.x.SR.get_uuid(sr)])
        self.assertNotIn(vg, probe)
        self.destroy_sr(sr)
        # the other VG is as it was, and no loop device of the driver is over it
        self.assertEqual(other.report("lvs", "lv_name,lv_size,lv_uuid", vg), before)
        self.assertEqual(other.vg_of_pv(), vg)
        self.assertEqual(lvm_fixture.loops_over(other.dev), [])
        # creating an SR on it is refused, and leaves it as it is
        self.assertFailure("SR_BACKEND_FAILURE_77", self.create_lvm_sr, "it-lvm-host",
                           {"device": other.dev})
        self.assertEqual(other.report("lvs", "lv_name,lv_size,lv_uuid", vg), before)


class LvmBadInputTest(LvmTestCase):
    """Each bad input or fault: xapi's error, nothing left behind, the
    daemon still serving, other VDIs untouched."""

    def counts(self):
        return len(self.x.SR.get_all()), len(self.x.PBD.get_all())

    def refused(self, expected, dconf):
        before = self.counts()
        self.assertFailure(expected, self.create_lvm_sr, "it-lvm-bad", dconf)
        self.assertEqual(self.counts(), before)

    def test_missing_or_misspelt_device(self):
        want = ["SR_BACKEND_FAILURE_90", "", "The request is missing the device parameter", ""]
        self.refused(want, {})
        self.refused(want, {"devcie": self.disk.dev})
        self.refused(want, {"device": ""})

    def test_no_such_device(self):
        dev = "/dev/xapid-it-no-such-%s" % uuid.uuid4().hex[:8]
        self.refused(["SR_BACKEND_FAILURE_19", "",
                      "No such device [opterr=Device %s does not exist]" % dev, ""],
                     {"device": dev})

    def test_not_a_block_device(self):
        self.refused(["SR_BACKEND_FAILURE_91", "", "The device is not a valid path "
                      "[opterr=%s is not a block device]" % self.disk.file, ""],
                     {"device": self.disk.file})

    def test_a_list_of_devices(self):
        dev = "%s,%s" % (self.disk.dev, self.disk.dev)
        self.refused(["SR_BACKEND_FAILURE_1", "", "Invalid argument [opterr=the lvm driver "
                      "takes one device, not a list: '%s']" % dev, ""], {"device": dev})

    def test_device_holding_an_sr(self):
        sr = self.create_lvm_sr()
        vg = self.vg(sr)
        self.refused(["SR_BACKEND_FAILURE_42", "", "The SR already exists [opterr=%s already "
                      "holds the volume group %s (SR.probe finds it, SR.introduce attaches "
                      "it)]" % (self.disk.dev, vg), ""], {"device": self.disk.dev})
        self.assertEqual(self.disk.vg_of_pv(), vg)
        self.destroy_sr(sr)

    def test_device_holding_another_vg(self):
        vg = "it-vg-%s" % uuid.uuid4().hex[:8]
        self.disk.lvm("pvcreate", "-y", self.disk.dev)
        self.disk.lvm("vgcreate", vg, self.disk.dev)
        self.disk.lvm("lvcreate", "-an", "-Zn", "-y", "-n", "keep", "-L", "4m", vg)
        self.refused(["SR_BACKEND_FAILURE_77", "", "Logical Volume group creation failed "
                      "[opterr=%s already belongs to the volume group %s]" % (self.disk.dev, vg),
                      ""], {"device": self.disk.dev})
        self.assertEqual(self.disk.vg_of_pv(), vg)
        self.assertIn("keep", self.disk.lvs(vg))
        # and probe does not call it an SR
        self.assertNotIn("<UUID>", self.x.SR.probe(self.host, {"device": self.disk.dev},
                                                   "lvm", {}))

    def test_full_sr_and_bad_sizes(self):
        sr = self.create_lvm_sr()
        keep = self.create_vdi(sr, size=8 * MIB)
        data = pattern(8 * MIB, 3)
        self.import_raw(keep, data)
        before = set(self.x.SR.get_VDIs(sr))
        free = int(self.x.SR.get_physical_size(sr)) - int(self.x.SR.get_physical_utilisation(sr))
        self.assertFailure(["SR_FULL", str(1 << 30), str(free)], self.create_vdi, sr, 1 << 30)
        self.assertEqual(set(self.x.SR.get_VDIs(sr)), before)
        e = self.assertFailure("SR_FULL", self.x.VDI.resize, keep, str(1 << 30))
        self.assertFailure(["SR_BACKEND_FAILURE_79", "", "VDI Invalid size [opterr=shrinking "
                            "not allowed (%d < %d bytes)]" % (4 * MIB, 8 * MIB), ""],
                           self.x.VDI.resize, keep, str(4 * MIB))
        self.assertEqual(int(self.x.VDI.get_virtual_size(keep)), 8 * MIB)
        self.assertEqual(self.export_raw(keep), data)
        del e

    def test_resize_needs_contiguous_space_without_device_mapper(self):
        sr = self.create_lvm_sr()
        first = self.create_vdi(sr, size=8 * MIB)
        self.create_vdi(sr, size=8 * MIB)  # right after it
        e = self.assertFailure("SR_BACKEND_FAILURE_110", self.x.VDI.resize, first,
                               str(16 * MIB))
        self.assertIn("contiguous", e[2])
        self.assertEqual(int(self.x.VDI.get_virtual_size(first)), 8 * MIB)

    def test_snapshot_cancelled_leaves_nothing(self):
        self.disk = LoopDisk(512 * MIB)  # room for the VDI and its copy
        self.addCleanup(self.disk.cleanup)
        sr = self.create_lvm_sr()
        vg = self.vg(sr)
        vdi = self.create_vdi(sr, size=128 * MIB)
        data = pattern(128 * MIB, 31)  # no zero chunks: every chunk is copied
        self.import_raw(vdi, data)
        lvs = set(self.disk.lvs(vg))
        task = self.x.Async.VDI.snapshot(vdi, {})
        # cancel once the copy is under way (its progress moves)
        deadline = time.monotonic() + 30
        while self.x.task.get_progress(task) <= 0.0 and time.monotonic() < deadline:
            if self.x.task.get_status(task) != "pending":
                self.assertEqual(self.x.task.get_status(task), "success",
                                 self.x.task.get_error_info(task))
                self.skipTest("the snapshot ended before it could be cancelled")
            time.sleep(0.02)
        self.x.task.cancel(task)
        rec = self.wait_task(task, timeout=60)
        if rec["status"] == "success":
            self.skipTest("the snapshot ended before the cancel reached it")
        self.assertEqual(rec["status"], "cancelled", rec["error_info"])
        self.assertEqual(set(self.disk.lvs(vg)), lvs)  # the half-made LV is gone
        self.assertEqual(lvm_fixture.loops_over(self.disk.dev), [])
        self.assertEqual([v for v in self.x.SR.get_VDIs(sr) if v != vdi], [])
        self.assertEqual(self.export_raw(vdi), data)

    def test_device_gone_and_back(self):
        # the SR's device is a name in /dev (as /dev/disk/by-id/... are)
        # that goes away and comes back: no other test can take it meanwhile
        link = "/dev/xapid-it-lvm-%s" % uuid.uuid4().hex[:12]
        os.symlink(self.disk.dev, link)
        self.addCleanup(lambda: os.path.lexists(link) and os.unlink(link))
        sr = self.create_lvm_sr(dconf={"device": link})
        vdi = self.create_vdi(sr, size=8 * MIB)
        data = pattern(8 * MIB, 5)
        self.import_raw(vdi, data)
        pbd = self.pbd_of(sr)
        self.x.PBD.unplug(pbd)
        os.unlink(link)
        self.assertFailure(["SR_BACKEND_FAILURE_19", "",
                            "No such device [opterr=Device %s does not exist]" % link, ""],
                           self.x.PBD.plug, pbd)
        self.assertFalse(self.x.PBD.get_currently_attached(pbd))
        os.symlink(self.disk.dev, link)
        self.x.PBD.plug(pbd)
        self.assertEqual(self.export_raw(vdi), data)
        self.destroy_sr(sr)

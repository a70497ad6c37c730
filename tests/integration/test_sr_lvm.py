"""The `lvm` SR driver (plugins/storage/lvm) through the wire, on a loop
device with LVM's configuration private to it (lvm_fixture.py): the
conformance kit, the data of VDIs read back through LVM's own layout,
probe, scan reconciling LVs made or removed behind xapid's back, and the
bad inputs and faults of issue 11 with xapi's SR_BACKEND_FAILURE codes."""

import re
import subprocess
import sys
import unittest
import uuid

import harness
import lvm_fixture
from harness import ROOT_PASSWORD, ROOT_USER
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
        cls.daemon_plugins = {"lvm": {"run_dir": cls.run_root.run_dir}}
        super().setUpClass()

    def setUp(self):
        super().setUp()
        self.disk = LoopDisk(self.disk_size)
        self.addCleanup(self.disk.cleanup)

    def create_lvm_sr(self, name="it-lvm-sr", dconf=None):
        return self.x.SR.create(self.host, dconf or {"device": self.disk.dev}, "0", name,
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

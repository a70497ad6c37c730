"""The `lvmoiscsi` SR driver against a real target: tgtd on 127.0.0.1 with
file-backed LUNs (one target with CHAP), through the wire. Probe (IQNs and
LUNs as xapi's XML in the error, the SR once made), the conformance kit,
data integrity across snapshot / clone / resize, and the faults: a wrong
CHAP secret, a target that does not answer, a target killed during a
VDI.copy, a LUN holding another SR, a full SR, keys missing."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import xml.dom.minidom

import harness
from harness import Failure, ROOT_PASSWORD, ROOT_USER
from iscsi_target import TgtTarget, free_port, have_tgtd
from storage_util import MIB, StorageTestCase, pattern

KIT = harness.REPO / "sdk" / "conformance" / "xapi-sr-conformance"
SUMMARY_RE = re.compile(r"^conformance: (\S+): (\d+) passed, (\d+) failed, (\d+) skipped", re.M)
CHAP = ("xapi-c-user", "xapi-c-secret-1")


@unittest.skipUnless(have_tgtd(), "tgtd (Debian package tgt) is not installed")
class IscsiTestCase(StorageTestCase):

    @classmethod
    def setUpClass(cls):
        cls.nbd_dir = tempfile.mkdtemp(prefix="xit-nbd-")
        cls.addClassCleanup(shutil.rmtree, cls.nbd_dir, True)
        cls.tgt = TgtTarget()
        cls.addClassCleanup(cls.tgt.cleanup)
        cls.iqn = cls.tgt.add_target(luns_mib=[512, 64])
        # not thin: the driver zeroes with WRITE SAME without UNMAP there
        cls.chap_iqn = cls.tgt.add_target(luns_mib=[256], chap=CHAP, thin=False)
        # io_timeout: how long a silent target may take to fail a call
        cls.daemon_plugins = {"lvmoiscsi": {"nbd_dir": cls.nbd_dir, "io_timeout": "5"}}
        # and how long a transfer may wait for a silent datapath
        cls.daemon_config = {"datapath_timeout": "5"}
        super().setUpClass()

    def dc(self, iqn=None, lun=1, **extra):
        iqn = iqn or self.iqn
        d = {"target": "127.0.0.1", "port": str(self.tgt.port), "targetIQN": iqn,
             "SCSIid": self.scsi_id(iqn, lun)}
        if iqn == self.chap_iqn:
            d.update(chapuser=CHAP[0], chappassword=CHAP[1])
        d.update(extra)
        return d

    def probe_error(self, dc):
        with self.assertRaises(Failure) as cm:
            self.x.SR.probe(self.host, dc, "lvmoiscsi", {})
        return cm.exception.details

    def luns(self, iqn):
        dc = {"target": "127.0.0.1", "port": str(self.tgt.port), "targetIQN": iqn}
        if iqn == self.chap_iqn:
            dc.update(chapuser=CHAP[0], chappassword=CHAP[1])
        err = self.probe_error(dc)
        self.assertEqual(err[0], "SR_BACKEND_FAILURE_107", err)
        doc = xml.dom.minidom.parseString(err[3])
        out = {}
        for lun in doc.getElementsByTagName("LUN"):
            f = {c.tagName: c.firstChild.data for c in lun.childNodes
                 if c.nodeType == c.ELEMENT_NODE}
            out[int(f["LUNid"])] = f
        return out

    def scsi_id(self, iqn, lun=1):
        return self.luns(iqn)[lun]["SCSIid"]

    def create_iscsi_sr(self, name="it-iscsi-sr", **dc):
        return self.x.SR.create(self.host, self.dc(**dc), "0", name, "", "lvmoiscsi", "user",
                                True, {})

    def destroy_sr(self, sr):
        for vdi in self.x.SR.get_VDIs(sr):
            if self.x.VDI.get_managed(vdi):
                self.x.VDI.destroy(vdi)
        for pbd in self.x.SR.get_PBDs(sr):
            if self.x.PBD.get_currently_attached(pbd):
                self.x.PBD.unplug(pbd)
        self.x.SR.destroy(sr)

    def iscsi_srs(self):
        return [r for r in self.x.SR.get_all_records().values() if r["type"] == "lvmoiscsi"]


class ProbeTest(IscsiTestCase):

    def test_without_target_iqn_lists_the_iqns(self):
        err = self.probe_error({"target": "127.0.0.1", "port": str(self.tgt.port)})
        self.assertEqual(err[:3], ["SR_BACKEND_FAILURE_96", "",
                                   "The request is missing or has an incorrect target IQN "
                                   "parameter"])
        doc = xml.dom.minidom.parseString(err[3])
        self.assertEqual(doc.documentElement.tagName, "iscsi-target-iqns")
        tgts = [{c.tagName: c.firstChild.data for c in t.childNodes
                 if c.nodeType == c.ELEMENT_NODE} for t in doc.getElementsByTagName("TGT")]
        self.assertEqual([t["TargetIQN"] for t in tgts], [self.iqn, self.chap_iqn, "*"])
        self.assertEqual([t["Index"] for t in tgts], ["0", "1", "2"])
        for t in tgts:
            self.assertEqual((t["IPAddress"], t["Port"]), ("127.0.0.1", str(self.tgt.port)))

    def test_without_scsiid_lists_the_luns(self):
        luns = self.luns(self.iqn)
        self.assertEqual(sorted(luns), [1, 2])
        self.assertEqual(luns[1]["size"], str(512 * MIB))
        self.assertEqual(luns[2]["size"], str(64 * MIB))
        self.assertEqual(luns[1]["vendor"], "IET")
        self.assertRegex(luns[1]["SCSIid"], r"^3[0-9a-f]{32}$")
        self.assertNotEqual(luns[1]["SCSIid"], luns[2]["SCSIid"])
        # the CHAP target's LUNs need the secret
        self.assertEqual(list(self.luns(self.chap_iqn)), [1])

    def test_finds_the_sr_once_made(self):
        dc = self.dc(lun=2)
        self.assertEqual(self.x.SR.probe(self.host, dc, "lvmoiscsi", {}),
                         '<?xml version="1.0" encoding="UTF-8"?>\n<SRlist/>\n')
        sr = self.create_iscsi_sr(name="probed", lun=2)
        self.addCleanup(self.destroy_sr, sr)
        out = self.x.SR.probe(self.host, dc, "lvmoiscsi", {})
        self.assertIn("<UUID>%s</UUID>" % self.x.SR.get_uuid(sr), out)
        self.assertIn("<name_label>probed</name_label>", out)
        self.assertTrue(self.x.SR.get_shared(sr))


class ConformanceTest(IscsiTestCase):

    def kit(self, dc):
        args = [sys.executable, str(KIT), "--type", "lvmoiscsi", "--size-mib", "16",
                "--socket", self.daemon.socket_path, "-u", ROOT_USER, "-pw", ROOT_PASSWORD]
        for k, v in dc.items():
            args += ["--device-config", "%s=%s" % (k, v)]
        p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=900)
        m = SUMMARY_RE.search(p.stdout)
        self.assertTrue(m, "no summary line:\n" + p.stdout[-3000:])
        failed = [l for l in p.stdout.splitlines() if l.startswith("FAIL")]
        self.assertEqual(failed, [], p.stdout + self.log_tail(40))
        self.assertEqual(p.returncode, 0, p.stdout)
        for name in ("vdi.data.roundtrip", "vdi.snapshot", "vdi.clone", "vdi.resize",
                     "vdi.introduce", "sr.probe.finds_it", "vdi.data.zeros"):
            self.assertRegex(p.stdout, r"(?m)^PASS  %s\b" % re.escape(name))
        self.assertGreaterEqual(int(m.group(2)), 25)
        self.assertEqual(self.iscsi_srs(), [])

    def test_kit(self):
        self.kit(self.dc())

    def test_kit_with_chap(self):
        self.kit(self.dc(self.chap_iqn))


class DataTest(IscsiTestCase):

    def test_snapshot_overwrite_clone_resize(self):
        sr = self.create_iscsi_sr()
        self.addCleanup(self.destroy_sr, sr)
        a = self.create_vdi(sr, 12 * MIB, name="a")
        b = self.create_vdi(sr, 6 * MIB, name="b")
        self.import_raw(b, pattern(6 * MIB, 9))
        data = pattern(12 * MIB, 1)
        self.import_raw(a, data)
        snap = self.x.VDI.snapshot(a, {})
        self.assertTrue(self.x.VDI.get_is_a_snapshot(snap))
        self.assertEqual(self.x.VDI.get_snapshot_of(snap), a)
        over = pattern(3 * MIB, 2)
        self.import_raw(a, over)
        self.assertTrue(self.export_raw(snap) == data)
        self.assertTrue(self.export_raw(a) == over + data[3 * MIB:])
        clone = self.x.VDI.clone(snap, {})
        self.import_raw(clone, pattern(MIB, 3))
        self.assertTrue(self.export_raw(clone) == pattern(MIB, 3) + data[MIB:])
        self.assertTrue(self.export_raw(snap) == data)
        # grow a: b sits right after it, so the data moves; it stays whole
        self.x.VDI.resize(a, str(20 * MIB))
        out = self.export_raw(a)
        self.assertEqual(len(out), 20 * MIB)
        self.assertTrue(out[:12 * MIB] == over + data[3 * MIB:])
        self.assertTrue(out[12 * MIB:] == bytes(8 * MIB))
        # nothing of another VDI was touched
        self.assertTrue(self.export_raw(b) == pattern(6 * MIB, 9))
        # a new VDI in freed extents reads zeros
        for v in (clone, snap):
            self.x.VDI.destroy(v)
        c = self.create_vdi(sr, 12 * MIB, name="c")
        self.assertTrue(self.export_raw(c) == bytes(12 * MIB))
        # the data is on the LUN, at the VDI's extents: a rescan finds it all
        self.x.VDI.forget(a)
        self.x.SR.scan(sr)
        found = [r for r in self.x.SR.get_VDIs(sr) if self.x.VDI.get_virtual_size(r) ==
                 str(20 * MIB)]
        self.assertEqual(len(found), 1)
        self.assertTrue(self.export_raw(found[0])[:12 * MIB] == over + data[3 * MIB:])

    def test_sr_full(self):
        sr = self.create_iscsi_sr(lun=2)   # 64 MiB LUN: 15 extents of 4 MiB
        self.addCleanup(self.destroy_sr, sr)
        self.assertEqual(self.x.SR.get_physical_size(sr), str(60 * MIB))
        v = self.create_vdi(sr, 40 * MIB)
        self.x.SR.update(sr)
        self.assertEqual(self.x.SR.get_physical_utilisation(sr), str(40 * MIB))
        with self.assertRaises(Failure) as cm:
            self.create_vdi(sr, 40 * MIB)
        self.assertEqual(cm.exception.details[0], "SR_FULL", cm.exception.details)
        self.assertEqual(cm.exception.details[1:], [str(40 * MIB), str(20 * MIB)])
        self.x.VDI.destroy(v)
        self.x.VDI.destroy(self.create_vdi(sr, 40 * MIB))


class FaultTest(IscsiTestCase):

    def assert_serving(self):
        self.assertEqual(self.x.session.get_this_host(self.session.handle), self.host)

    def test_wrong_chap_secret(self):
        t0 = time.monotonic()
        with self.assertRaises(Failure) as cm:
            self.create_iscsi_sr(iqn=self.chap_iqn, chappassword="wrong-secret")
        self.assertLess(time.monotonic() - t0, 20)
        err = cm.exception.details
        self.assertEqual(err[0], "SR_BACKEND_FAILURE_68", err)
        self.assertEqual(err[1], "")
        self.assertTrue(err[2].startswith(
            "ISCSI login failed - check access settings for the initiator on the storage, if "
            "CHAP is used verify CHAP credentials"), err)
        self.assertEqual(self.iscsi_srs(), [])
        # no secret at all: refused the same way
        dc = self.dc(self.chap_iqn)
        del dc["chapuser"], dc["chappassword"]
        with self.assertRaises(Failure) as cm:
            self.x.SR.create(self.host, dc, "0", "x", "", "lvmoiscsi", "user", True, {})
        self.assertEqual(cm.exception.details[0], "SR_BACKEND_FAILURE_68")
        self.assert_serving()
        sr = self.create_iscsi_sr(iqn=self.chap_iqn)
        self.destroy_sr(sr)

    def test_unreachable_target(self):
        dc = self.dc()
        dc["port"] = str(free_port())
        t0 = time.monotonic()
        with self.assertRaises(Failure) as cm:
            self.x.SR.create(self.host, dc, "0", "x", "", "lvmoiscsi", "user", True, {})
        self.assertLess(time.monotonic() - t0, 20)
        err = cm.exception.details
        self.assertEqual(err[0], "SR_BACKEND_FAILURE_141", err)
        self.assertTrue(err[2].startswith("Unable to connect to ISCSI service on target"), err)
        self.assertEqual(self.iscsi_srs(), [])
        self.assert_serving()

    def test_wrong_iqn_and_scsiid(self):
        with self.assertRaises(Failure) as cm:
            self.create_iscsi_sr(iqn=self.iqn, targetIQN="iqn.2026-12.org.xapi-c.test:nothere")
        self.assertEqual(cm.exception.details[0], "SR_BACKEND_FAILURE_96")
        with self.assertRaises(Failure) as cm:
            self.create_iscsi_sr(SCSIid="3600000000000000000000000000000ff")
        self.assertEqual(cm.exception.details[0], "SR_BACKEND_FAILURE_107")
        self.assertEqual(self.iscsi_srs(), [])

    def test_missing_or_misspelt_keys(self):
        for key, code, text in (
                ("targetIQN", "SR_BACKEND_FAILURE_96",
                 "The request is missing or has an incorrect target IQN parameter"),
                ("SCSIid", "SR_BACKEND_FAILURE_107", "The SCSIid parameter is missing or incorrect"),
                ("target", "SR_BACKEND_FAILURE_95", "The request is missing the target parameter")):
            dc = self.dc()
            dc[key.lower() + "x"] = dc.pop(key)   # misspelt: as good as missing
            with self.assertRaises(Failure) as cm:
                self.x.SR.create(self.host, dc, "0", "x", "", "lvmoiscsi", "user", True, {})
            self.assertEqual(cm.exception.details, [code, "", text, ""])
        self.assertEqual(self.iscsi_srs(), [])

    def test_lun_holding_another_sr(self):
        sr = self.create_iscsi_sr()
        uuid = self.x.SR.get_uuid(sr)
        self.x.PBD.unplug(self.x.SR.get_PBDs(sr)[0])
        self.x.SR.forget(sr)
        with self.assertRaises(Failure) as cm:
            self.create_iscsi_sr()
        self.assertEqual(cm.exception.details[0], "SR_BACKEND_FAILURE_42")
        self.assertIn(uuid, cm.exception.details[2])
        # introduce it back and destroy it properly
        sr = self.x.SR.introduce(uuid, "back", "", "lvmoiscsi", "user", True, {})
        pbd = self.x.PBD.create({"host": self.host, "SR": sr, "device_config": self.dc(),
                                 "other_config": {}})
        self.x.PBD.plug(pbd)
        self.destroy_sr(sr)

    def test_target_killed_during_copy(self):
        sr = self.create_iscsi_sr()
        self.addCleanup(self.destroy_sr, sr)
        keep = self.create_vdi(sr, 8 * MIB, name="keep")
        self.import_raw(keep, pattern(8 * MIB, 5))
        src = self.create_vdi(sr, 96 * MIB, name="src")
        self.import_raw(src, pattern(96 * MIB, 6))
        self.addCleanup(lambda: self.tgt.proc is None and self.tgt.start())
        task = self.x.Async.VDI.copy(src, sr, harness.NULL_REF, harness.NULL_REF)
        deadline = time.monotonic() + 30
        while self.x.task.get_progress(task) <= 0.0 and \
                self.x.task.get_status(task) == "pending" and time.monotonic() < deadline:
            time.sleep(0.01)
        self.tgt.stop()
        t0 = time.monotonic()
        rec = self.wait_task(task, timeout=120)
        self.assertLess(time.monotonic() - t0, 90, "the copy hung")
        if rec["status"] == "success":
            self.skipTest("the copy finished before the target went")
        self.assertEqual(rec["status"], "failure")
        self.assertEqual(rec["error_info"][0], "VDI_IO_ERROR", rec)
        self.assert_serving()
        # the target is back: the next calls work, and no data was touched
        self.tgt.start()
        self.x.SR.scan(sr)
        names = [self.x.VDI.get_name_label(v) for v in self.x.SR.get_VDIs(sr)]
        self.assertIn("keep", names)
        self.assertTrue(self.export_raw(keep) == pattern(8 * MIB, 5))
        self.assertTrue(self.export_raw(src) == pattern(96 * MIB, 6))
        copy = self.x.VDI.copy(src, sr, harness.NULL_REF, harness.NULL_REF)
        self.assertTrue(self.export_raw(copy) == pattern(96 * MIB, 6))


if __name__ == "__main__":
    unittest.main()

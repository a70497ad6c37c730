"""The `nfs` SR driver against a real server: nfs-ganesha with rpcbind in a
network namespace of the test's own, xapid in the same namespace (reached
through its unix socket). The conformance kit, probe, data integrity
across snapshot / overwrite / clone / resize (checked on the export too),
and the faults: an unreachable server, a wrong export, an NFS version we
do not speak, keys missing or misspelt, the server killed during a
VDI.copy and back again."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import harness
from harness import Failure, ROOT_PASSWORD, ROOT_USER
from nfs_server import NfsServer, have_ganesha, netns_xapid
from storage_util import MIB, StorageTestCase, pattern
from xenapi_client import UnixHTTPConnection

KIT = harness.REPO / "sdk" / "conformance" / "xapi-sr-conformance"
SUMMARY_RE = re.compile(r"^conformance: (\S+): (\d+) passed, (\d+) failed, (\d+) skipped", re.M)


@unittest.skipUnless(have_ganesha(), "nfs-ganesha, rpcbind (Debian packages) are not installed")
class NfsTestCase(StorageTestCase):
    export_mib = None          # a size: the export is a tmpfs that small

    @classmethod
    def setUpClass(cls):
        cls.nbd_dir = tempfile.mkdtemp(prefix="xit-nbd-")
        cls.addClassCleanup(shutil.rmtree, cls.nbd_dir, True)
        cls.srv = NfsServer(size_mib=cls.export_mib)
        cls.addClassCleanup(cls.srv.cleanup)
        cls.daemon_class = netns_xapid(cls.srv.netns)
        cls.daemon_plugins = {"nfs": {"nbd_dir": cls.nbd_dir, "io_timeout": "5"}}
        cls.daemon_config = {"datapath_timeout": "5"}
        super().setUpClass()

    def http(self, method, path, query, body=None, headers=None, timeout=120):
        """The transfers over xapid's unix socket (its TCP port is in the
        namespace)."""
        import urllib.parse
        conn = UnixHTTPConnection(self.daemon.socket_path, timeout=timeout)
        try:
            try:
                conn.request(method, path + "?" + urllib.parse.urlencode(query), body=body,
                             headers=headers or {})
            except (BrokenPipeError, ConnectionResetError):
                pass  # the daemon answered (an error) before the whole body: read it
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
        finally:
            conn.close()

    def dc(self, **extra):
        d = {"server": "127.0.0.1", "serverpath": self.srv.export}
        d.update(extra)
        return d

    def create_nfs_sr(self, name="it-nfs-sr", **extra):
        return self.x.SR.create(self.host, self.dc(**extra), "0", name, "", "nfs", "user", True,
                                {})

    def destroy_sr(self, sr):
        for vdi in self.x.SR.get_VDIs(sr):
            if self.x.VDI.get_managed(vdi):
                self.x.VDI.destroy(vdi)
        for pbd in self.x.SR.get_PBDs(sr):
            if self.x.PBD.get_currently_attached(pbd):
                self.x.PBD.unplug(pbd)
        self.x.SR.destroy(sr)

    def nfs_srs(self):
        return [r for r in self.x.SR.get_all_records().values() if r["type"] == "nfs"]

    def assert_serving(self):
        self.assertEqual(self.x.session.get_this_host(self.session.handle), self.host)


class ConformanceTest(NfsTestCase):

    def test_kit(self):
        args = [sys.executable, str(KIT), "--type", "nfs", "--size-mib", "16",
                "--socket", self.daemon.socket_path, "-u", ROOT_USER, "-pw", ROOT_PASSWORD]
        for k, v in self.dc().items():
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
        self.assertEqual(self.nfs_srs(), [])
        self.assertEqual(os.listdir(self.srv.export), [])


class DataTest(NfsTestCase):

    def test_snapshot_overwrite_clone_resize(self):
        self.assertEqual(self.x.SR.probe(self.host, self.dc(), "nfs", {}),
                         '<?xml version="1.0" encoding="UTF-8"?>\n<SRlist/>\n')
        sr = self.create_nfs_sr()
        self.addCleanup(self.destroy_sr, sr)
        self.assertTrue(self.x.SR.get_shared(sr))
        uuid = self.x.SR.get_uuid(sr)
        self.assertIn("<UUID>%s</UUID>" % uuid, self.x.SR.probe(self.host, self.dc(), "nfs", {}))
        a = self.create_vdi(sr, 12 * MIB, name="a")
        data = pattern(12 * MIB, 1)
        self.import_raw(a, data)
        snap = self.x.VDI.snapshot(a, {})
        over = pattern(3 * MIB, 2)
        self.import_raw(a, over)
        self.assertTrue(self.export_raw(snap) == data)
        self.assertTrue(self.export_raw(a) == over + data[3 * MIB:])
        clone = self.x.VDI.clone(snap, {})
        self.import_raw(clone, pattern(MIB, 3))
        self.assertTrue(self.export_raw(clone) == pattern(MIB, 3) + data[MIB:])
        self.assertTrue(self.export_raw(snap) == data)
        self.x.VDI.resize(a, str(20 * MIB))
        out = self.export_raw(a)
        self.assertTrue(out == over + data[3 * MIB:] + bytes(8 * MIB))
        # on the export: the SR's directory, qcow2 images named by uuid
        files = os.listdir(os.path.join(self.srv.export, uuid))
        for v in (a, snap, clone):
            self.assertIn(self.x.VDI.get_location(v), files)
        self.assertTrue(any(f.endswith(".base.qcow2") for f in files))
        # a rescan of what the export holds finds the same VDIs
        self.x.VDI.forget(clone)
        self.x.SR.scan(sr)
        again = [v for v in self.x.SR.get_VDIs(sr) if self.x.VDI.get_managed(v)]
        self.assertEqual(len(again), 3)


class FaultTest(NfsTestCase):

    def test_unreachable_server(self):
        t0 = time.monotonic()
        with self.assertRaises(Failure) as cm:
            self.create_nfs_sr(server="127.0.0.2")   # loopback, nothing listens
        self.assertLess(time.monotonic() - t0, 20)
        err = cm.exception.details
        self.assertEqual(err[0], "SR_BACKEND_FAILURE_108", err)
        self.assertTrue(err[2].startswith("Unable to detect an NFS service on this target."))
        self.assertEqual(self.nfs_srs(), [])
        self.assert_serving()

    def test_wrong_export(self):
        with self.assertRaises(Failure) as cm:
            self.create_nfs_sr(serverpath="/no/such/export")
        err = cm.exception.details
        self.assertEqual(err[0], "SR_BACKEND_FAILURE_73", err)
        self.assertTrue(err[2].startswith("NFS mount error"), err)
        with self.assertRaises(Failure) as cm:
            self.create_nfs_sr(serverpath="relative/path")
        self.assertEqual(cm.exception.details[0], "SR_BACKEND_FAILURE_103")
        self.assertEqual(self.nfs_srs(), [])

    def test_nfs_version(self):
        with self.assertRaises(Failure) as cm:
            self.create_nfs_sr(nfsversion="4.1")
        err = cm.exception.details
        self.assertEqual(err[0], "SR_BACKEND_FAILURE_72", err)
        self.assertTrue(err[2].startswith("Required NFS server version unsupported"), err)
        sr = self.create_nfs_sr(nfsversion="3")
        self.destroy_sr(sr)

    def test_missing_or_misspelt_keys(self):
        for key, code, text in (
                ("server", "SR_BACKEND_FAILURE_102", "The request is missing the server parameter"),
                ("serverpath", "SR_BACKEND_FAILURE_101",
                 "The request is missing the serverpath parameter")):
            dc = self.dc()
            dc[key + "x"] = dc.pop(key)
            with self.assertRaises(Failure) as cm:
                self.x.SR.create(self.host, dc, "0", "x", "", "nfs", "user", True, {})
            self.assertEqual(cm.exception.details, [code, "", text, ""])
        self.assertEqual(self.nfs_srs(), [])

    def test_server_killed_during_copy(self):
        sr = self.create_nfs_sr()
        self.addCleanup(self.destroy_sr, sr)
        keep = self.create_vdi(sr, 8 * MIB, name="keep")
        self.import_raw(keep, pattern(8 * MIB, 5))
        src = self.create_vdi(sr, 96 * MIB, name="src")
        self.import_raw(src, pattern(96 * MIB, 6))
        self.addCleanup(lambda: self.srv.proc is None and self.srv.start())
        task = self.x.Async.VDI.copy(src, sr, harness.NULL_REF, harness.NULL_REF)
        deadline = time.monotonic() + 30
        while self.x.task.get_progress(task) <= 0.0 and \
                self.x.task.get_status(task) == "pending" and time.monotonic() < deadline:
            time.sleep(0.01)
        self.srv.stop()
        t0 = time.monotonic()
        rec = self.wait_task(task, timeout=120)
        self.assertLess(time.monotonic() - t0, 90, "the copy hung")
        if rec["status"] == "success":
            self.skipTest("the copy finished before the server went")
        self.assertEqual(rec["status"], "failure")
        self.assertEqual(rec["error_info"][0], "VDI_IO_ERROR", rec)
        self.assert_serving()
        # while it is away: a bounded failure, not a hang
        t0 = time.monotonic()
        with self.assertRaises(Failure):
            self.x.SR.scan(sr)
        self.assertLess(time.monotonic() - t0, 30)
        # back: the next calls work and no data was touched
        self.srv.start()
        self.x.SR.scan(sr)
        self.assertTrue(self.export_raw(keep) == pattern(8 * MIB, 5))
        self.assertTrue(self.export_raw(src) == pattern(96 * MIB, 6))
        copy = self.x.VDI.copy(src, sr, harness.NULL_REF, harness.NULL_REF)
        self.assertTrue(self.export_raw(copy) == pattern(96 * MIB, 6))


class FullTest(NfsTestCase):
    """An export of 48 MiB (a tmpfs the server alone sees): a write beyond
    it fails the transfer cleanly, other VDIs keep their data, and the SR
    works again once space is freed."""

    export_mib = 48

    def test_full_export(self):
        sr = self.create_nfs_sr()
        self.addCleanup(self.destroy_sr, sr)
        self.assertEqual(self.x.SR.get_physical_size(sr), str(48 * MIB))
        keep = self.create_vdi(sr, 8 * MIB, name="keep")
        self.import_raw(keep, pattern(8 * MIB, 7))
        big = self.create_vdi(sr, 64 * MIB, name="big")   # thin: made at once
        t0 = time.monotonic()
        status, _, body = self.http("PUT", "/import_raw_vdi",
                                    {"vdi": big, "session_id": self.session.handle},
                                    body=pattern(64 * MIB, 8),
                                    headers={"Content-Length": str(64 * MIB)})
        self.assertLess(time.monotonic() - t0, 60)
        self.assertEqual(status, 500, body)
        self.assertIn(b"VDI_IO_ERROR", body)
        self.assert_serving()
        self.assertTrue(self.export_raw(keep) == pattern(8 * MIB, 7))
        self.x.VDI.destroy(big)
        small = self.create_vdi(sr, 16 * MIB, name="small")
        self.import_raw(small, pattern(16 * MIB, 9))
        self.assertTrue(self.export_raw(small) == pattern(16 * MIB, 9))


if __name__ == "__main__":
    unittest.main()

"""The `iso` SR driver on an NFS export (location "server:/path", as
xapi's ISO libraries): a real nfs-ganesha in a namespace of the test's own
(nfs_server.py), xapid in the same namespace. Scan lists the export's
images read-only, an image's bytes come back through the qemu-nbd the
driver starts over QEMU's NFS client (and nothing of it is left after),
iso_path picks a directory of the export, a CD inserted into a running VM
is ejected while the server is away, and xapi's answers for locations and
options this driver does not take (CIFS, mount options, NFSv4, nfs://)."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from harness import Failure, ROOT_PASSWORD, ROOT_USER, vbd_record
from nfs_server import NfsServer, have_ganesha, netns_xapid
from storage_util import MIB, StorageTestCase, pattern
from test_storage_nfs import KIT, NfsTestCase

GIB = 1 << 30


@unittest.skipUnless(have_ganesha(), "nfs-ganesha, rpcbind (Debian packages) are not installed")
class IsoNfsTest(StorageTestCase):
    http = NfsTestCase.http

    @classmethod
    def setUpClass(cls):
        cls.nbd_dir = tempfile.mkdtemp(prefix="xit-nbd-")
        cls.addClassCleanup(shutil.rmtree, cls.nbd_dir, True)
        cls.srv = NfsServer()
        cls.addClassCleanup(cls.srv.cleanup)
        cls.daemon_class = netns_xapid(cls.srv.netns)
        cls.daemon_plugins = {"iso": {"nbd_dir": cls.nbd_dir, "io_timeout": "5"}}
        cls.daemon_config = {"datapath_timeout": "5", "sim_memory": str(4 * GIB)}
        super().setUpClass()

    def setUp(self):
        super().setUp()
        self.addCleanup(self.empty_export)

    def empty_export(self):
        if self.srv.proc is None:
            self.srv.start()
        for name in os.listdir(self.srv.export):
            path = os.path.join(self.srv.export, name)
            if os.path.isdir(path):
                shutil.rmtree(path)
            else:
                os.unlink(path)

    def put(self, name, data):
        path = os.path.join(self.srv.export, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)

    def location(self):
        return "127.0.0.1:" + self.srv.export

    def create_iso_sr(self, **dconf):
        dc = {"location": self.location()}
        dc.update(dconf)
        sr = self.x.SR.create(self.host, dc, "0", "it-iso-nfs", "", "iso", "iso", True, {})
        self.addCleanup(self.forget_sr, sr)
        return sr

    def forget_sr(self, sr):
        for v in self.x.SR.get_VDIs(sr):
            self.x.VDI.forget(v)
        for p in self.x.SR.get_PBDs(sr):
            if self.x.PBD.get_currently_attached(p):
                self.x.PBD.unplug(p)
        self.x.SR.forget(sr)

    def vdis_by_location(self, sr):
        return {self.x.VDI.get_location(v): v for v in self.x.SR.get_VDIs(sr)}

    def servers_left(self):
        return sorted(n for n in os.listdir(self.nbd_dir) if n.endswith(".sock"))

    def iso_srs(self):
        return [r for r in self.x.SR.get_all_records().values() if r["type"] == "iso"]

    # ---- tests ----

    def test_scan_and_read_images_over_nfs(self):
        one, two = pattern(3 * MIB, 1), pattern(MIB, 2)
        self.put("install.iso", one)
        self.put("Drivers Disc #2.IMG", two)   # a name that needs escaping in a URL
        self.put("notes.txt", b"not an image")
        os.mkdir(os.path.join(self.srv.export, "folder.iso"))
        sr = self.create_iso_sr()
        self.x.SR.scan(sr)
        found = self.vdis_by_location(sr)
        self.assertEqual(sorted(found), ["Drivers Disc #2.IMG", "install.iso"])
        rec = self.x.VDI.get_record(found["install.iso"])
        self.assertTrue(rec["read_only"])
        self.assertEqual(int(rec["virtual_size"]), 3 * MIB)
        self.assertGreater(int(self.x.SR.get_physical_size(sr)), 0)
        # the bytes come through qemu-nbd over QEMU's NFS client, which goes after
        self.assertTrue(self.export_raw(found["install.iso"]) == one)
        self.assertTrue(self.export_raw(found["Drivers Disc #2.IMG"]) == two)
        self.assertEqual(self.servers_left(), [])
        # the export follows: a new image appears, a removed one goes
        self.put("new.iso", b"y" * 8192)
        os.unlink(os.path.join(self.srv.export, "install.iso"))
        self.x.SR.scan(sr)
        self.assertEqual(sorted(self.vdis_by_location(sr)), ["Drivers Disc #2.IMG", "new.iso"])
        # never written to
        status, _, body = self.http("PUT", "/import_raw_vdi",
                                    {"vdi": found["Drivers Disc #2.IMG"],
                                     "session_id": self.session.handle},
                                    body=b"z" * 4096, headers={"Content-Length": "4096"})
        self.assertNotEqual(status, 200, body)
        with open(os.path.join(self.srv.export, "Drivers Disc #2.IMG"), "rb") as f:
            self.assertTrue(f.read() == two)

    def test_iso_path_picks_a_directory(self):
        self.put("top.iso", b"t" * 4096)
        self.put("media/linux/inner.iso", b"i" * 8192)
        sr = self.create_iso_sr(iso_path="/media/linux")
        self.x.SR.scan(sr)
        found = self.vdis_by_location(sr)
        self.assertEqual(list(found), ["inner.iso"])
        self.assertTrue(self.export_raw(found["inner.iso"]) == b"i" * 8192)
        for path, code in (("/missing", "SR_BACKEND_FAILURE_47"),
                           ("../escape", "SR_BACKEND_FAILURE_226")):
            with self.assertRaises(Failure) as cm:
                self.create_iso_sr(iso_path=path)
            self.assertEqual(cm.exception.details[0], code, cm.exception.details)

    def test_cd_in_a_running_vm_and_the_server_away(self):
        self.put("media.iso", pattern(2 * MIB, 9))
        sr = self.create_iso_sr()
        self.x.SR.scan(sr)
        iso = self.vdis_by_location(sr)["media.iso"]
        vm = self.create_vm("it-iso-nfs-vm")
        cd = self.x.VBD.create(vbd_record(vm, None, "3"))
        self.x.VM.start(vm, False, False)
        self.addCleanup(self.x.VM.hard_shutdown, vm)
        self.x.VBD.insert(cd, iso)
        self.assertTrue(self.x.VBD.get_currently_attached(cd))
        self.assertEqual(len(self.servers_left()), 1)
        self.assertRegex(self.daemon.log_text(), r"attached for attach at nbd\+unix://")
        # the server goes away: the eject still releases the image
        self.srv.stop()
        t0 = time.monotonic()
        self.x.VBD.eject(cd)
        self.assertLess(time.monotonic() - t0, 20)
        self.assertTrue(self.x.VBD.get_empty(cd))
        self.assertEqual(self.servers_left(), [])
        # and a scan meanwhile fails within the timeout, not a hang
        t0 = time.monotonic()
        with self.assertRaises(Failure) as cm:
            self.x.SR.scan(sr)
        self.assertLess(time.monotonic() - t0, 30)
        self.assertEqual(cm.exception.details[0], "SR_BACKEND_FAILURE_108", cm.exception.details)
        self.srv.start()
        self.x.SR.scan(sr)
        self.assertEqual(list(self.vdis_by_location(sr)), ["media.iso"])

    def test_conformance_kit(self):
        p = subprocess.run([sys.executable, str(KIT), "--type", "iso", "--device-config",
                            "location=%s" % self.location(), "--socket", self.daemon.socket_path,
                            "-u", ROOT_USER, "-pw", ROOT_PASSWORD],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=300)
        self.assertEqual([l for l in p.stdout.splitlines() if l.startswith("FAIL")], [],
                         p.stdout)
        self.assertRegex(p.stdout, r"conformance: iso: \d+ passed, 0 failed")
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertEqual(self.servers_left(), [])

    def test_locations_and_options_refused(self):
        def refused(code, text, **dc):
            with self.assertRaises(Failure) as cm:
                self.x.SR.create(self.host, dc, "0", "x", "", "iso", "iso", True, {})
            err = cm.exception.details
            self.assertEqual(err[0], code, err)
            self.assertTrue(err[2].startswith(text), err)
        here = self.location()
        before = self.iso_srs()
        refused("SR_BACKEND_FAILURE_108", "Unable to detect an NFS service on this target.",
                location="127.0.0.2:" + self.srv.export)
        refused("SR_BACKEND_FAILURE_73", "NFS mount error", location="127.0.0.1:/no/such/export")
        refused("SR_BACKEND_FAILURE_72", "Required NFS server version unsupported",
                location=here, nfsversion="4")
        refused("SR_BACKEND_FAILURE_222", "Could not mount the directory specified in Device "
                "Configuration [opterr=//server/isos: CIFS (SMB) libraries are not supported",
                location="//server/isos")
        refused("SR_BACKEND_FAILURE_222", "Could not mount the directory specified in Device "
                "Configuration [opterr=//server/isos: CIFS", location="//server/isos", type="cifs")
        refused("SR_BACKEND_FAILURE_222", "Could not mount the directory specified in Device "
                "Configuration [opterr=options '-o ro,vers=4'", location=here,
                options="-o ro,vers=4")
        refused("SR_BACKEND_FAILURE_225", "Incorrect Location string format. [opterr=smb://"
                "127.0.0.1/x", location="smb://127.0.0.1/x")
        refused("SR_BACKEND_FAILURE_73", "NFS mount error",
                location="nfs://127.0.0.1/no/such/export")
        refused("SR_BACKEND_FAILURE_225", "Incorrect Location string format.",
                location="nfs://127.0.0.1")
        refused("SR_BACKEND_FAILURE_225", "Incorrect Location string format.",
                location="a b:/x")
        refused("SR_BACKEND_FAILURE_225", "Incorrect Location string format. [opterr=type "
                "smb", location=here, type="smb")
        self.assertEqual(self.iso_srs(), before)
        # what is taken: type=nfs_iso and nfsversion=3, and the export as a URL
        sr = self.create_iso_sr(type="nfs_iso", nfsversion="3")
        self.x.SR.scan(sr)
        self.put("url.iso", b"u" * 4096)
        sr = self.create_iso_sr(location="nfs://127.0.0.1" + self.srv.export)
        self.x.SR.scan(sr)
        found = self.vdis_by_location(sr)
        self.assertEqual(list(found), ["url.iso"])
        self.assertTrue(self.export_raw(found["url.iso"]) == b"u" * 4096)


if __name__ == "__main__":
    unittest.main()

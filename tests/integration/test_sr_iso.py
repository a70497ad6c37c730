"""The `iso` SR driver (plugins/storage/iso): a local directory of ISO
images as a read-only library, through the wire. Scan lists *.iso and *.img
files as read-only VDIs and follows the directory (new files appear, removed
ones go), an image's bytes export as they are, VBD.insert puts one into a
running sim VM's CD drive; the conformance kit; bad locations with sm's
ISO error codes."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import harness
from harness import ROOT_PASSWORD, ROOT_USER, vbd_record
from storage_util import MIB, StorageTestCase, pattern

KIT = harness.REPO / "sdk" / "conformance" / "xapi-sr-conformance"
GIB = 1 << 30


class IsoTest(StorageTestCase):
    daemon_plugins = {"iso": {}}
    daemon_config = {"sim_memory": str(4 * GIB)}

    def setUp(self):
        super().setUp()
        self.lib = tempfile.mkdtemp(prefix="xapid-it-iso-")
        self.addCleanup(shutil.rmtree, self.lib, True)

    def put(self, name, data):
        with open(os.path.join(self.lib, name), "wb") as f:
            f.write(data)

    def create_iso_sr(self, location=None):
        sr = self.x.SR.create(self.host, {"location": location or self.lib}, "0", "it-iso",
                              "", "iso", "iso", False, {})
        self.addCleanup(self.forget_sr, sr)
        return sr

    def forget_sr(self, sr):
        try:
            for p in self.x.SR.get_PBDs(sr):
                self.x.PBD.unplug(p)
            self.x.SR.forget(sr)
        except Exception:
            pass

    def vdis_by_location(self, sr):
        return {self.x.VDI.get_location(v): v for v in self.x.SR.get_VDIs(sr)}

    def test_scan_lists_images_read_only_and_follows_the_directory(self):
        one, two = pattern(3 * MIB, 1), pattern(MIB, 2)
        self.put("install.iso", one)
        self.put("DRIVERS.IMG", two)
        self.put("notes.txt", b"not an image")
        os.mkdir(os.path.join(self.lib, "folder.iso"))
        named = str(uuid.uuid4())
        self.put(named + ".iso", b"x" * 4096)
        sr = self.create_iso_sr()
        self.x.SR.scan(sr)
        found = self.vdis_by_location(sr)
        self.assertEqual(sorted(found), sorted(["install.iso", "DRIVERS.IMG", named + ".iso"]))
        rec = self.x.VDI.get_record(found["install.iso"])
        self.assertTrue(rec["read_only"])
        self.assertEqual(rec["type"], "user")
        self.assertEqual(rec["name_label"], "install.iso")
        self.assertEqual(int(rec["virtual_size"]), 3 * MIB)
        self.assertEqual(self.x.VDI.get_uuid(found[named + ".iso"]), named)
        self.assertEqual(self.export_raw(found["install.iso"]), one)
        self.assertEqual(self.export_raw(found["DRIVERS.IMG"]), two)
        # a new file appears, a removed one goes
        self.put("new.iso", b"y" * 8192)
        os.unlink(os.path.join(self.lib, "DRIVERS.IMG"))
        self.x.SR.scan(sr)
        self.assertEqual(sorted(self.vdis_by_location(sr)),
                         sorted(["install.iso", "new.iso", named + ".iso"]))
        # the images are not written to
        status, _, body = self.http("PUT", "/import_raw_vdi",
                                    {"vdi": found["install.iso"],
                                     "session_id": self.session.handle},
                                    body=b"z" * 4096, headers={"Content-Length": "4096"})
        self.assertNotEqual(status, 200, body)
        with open(os.path.join(self.lib, "install.iso"), "rb") as f:
            self.assertEqual(f.read(), one)
        self.assertFailure(["SR_OPERATION_NOT_SUPPORTED", sr], self.create_vdi, sr, MIB)

    def test_insert_into_a_running_vm_cd_drive(self):
        self.put("media.iso", pattern(2 * MIB, 9))
        sr = self.create_iso_sr()
        self.x.SR.scan(sr)
        iso = self.vdis_by_location(sr)["media.iso"]
        vm = self.create_vm("it-iso-vm")
        cd = self.x.VBD.create(vbd_record(vm, None, "3"))
        self.x.VM.start(vm, False, False)
        self.addCleanup(self.x.VM.hard_shutdown, vm)
        self.x.VBD.insert(cd, iso)
        rec = self.x.VBD.get_record(cd)
        self.assertEqual((rec["empty"], rec["VDI"], rec["currently_attached"]),
                         (False, iso, True))
        # the driver handed out the image itself (the log line may trail the
        # answer: the daemon's log is written by its own thread)
        want = re.compile(r"VDI %s attached for attach at file://%s/media\.iso"
                          % (re.escape(iso), re.escape(self.lib)))
        deadline = time.monotonic() + 10
        while not want.search(self.daemon.log_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertRegex(self.daemon.log_text(), want)
        self.x.VBD.eject(cd)
        self.assertTrue(self.x.VBD.get_empty(cd))

    def test_conformance_kit(self):
        p = subprocess.run([sys.executable, str(KIT), "--type", "iso",
                            "--device-config", "location=%s" % self.lib, "--url",
                            self.daemon.url, "-u", ROOT_USER, "-pw", ROOT_PASSWORD],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=300)
        self.assertEqual([l for l in p.stdout.splitlines() if l.startswith("FAIL")], [],
                         p.stdout)
        self.assertRegex(p.stdout, r"conformance: iso: \d+ passed, 0 failed")
        self.assertEqual(p.returncode, 0, p.stdout)

    def test_bad_locations(self):
        def refused(expected, dconf):
            before = len(self.x.SR.get_all()), len(self.x.PBD.get_all())
            self.assertFailure(expected, self.x.SR.create, self.host, dconf, "0", "it-iso-bad",
                               "", "iso", "iso", False, {})
            self.assertEqual((len(self.x.SR.get_all()), len(self.x.PBD.get_all())), before)

        refused(["SR_BACKEND_FAILURE_94", "", "The request is missing the location parameter",
                 ""], {})
        refused(["SR_BACKEND_FAILURE_94", "", "The request is missing the location parameter",
                 ""], {"locaton": self.lib})
        gone = os.path.join(self.lib, "nowhere")
        refused(["SR_BACKEND_FAILURE_226", "", "Invalid local path [opterr=%s: No such file or "
                 "directory]" % gone, ""], {"location": gone})
        self.put("file.iso", b"x")
        f = os.path.join(self.lib, "file.iso")
        refused(["SR_BACKEND_FAILURE_226", "", "Invalid local path [opterr=%s: not a "
                 "directory]" % f, ""], {"location": f})
        refused(["SR_BACKEND_FAILURE_226", "", "Invalid local path [opterr=isos: not an "
                 "absolute path]", ""], {"location": "isos"})
        refused(["SR_BACKEND_FAILURE_225", "", "Incorrect Location string format. "
                 "[opterr=smb://server/isos: server:/path or nfs://server/path for NFS, or an "
                 "absolute local path]", ""], {"location": "smb://server/isos"})

    def test_library_gone_and_back(self):
        self.put("a.iso", b"a" * 4096)
        sr = self.create_iso_sr()
        pbd = self.pbd_of(sr)
        self.x.PBD.unplug(pbd)
        moved = self.lib + ".moved"
        os.rename(self.lib, moved)
        try:
            err = self.assertFailure("SR_BACKEND_FAILURE_226", self.x.PBD.plug, pbd)
            self.assertIn("No such file or directory", err[2])
        finally:
            os.rename(moved, self.lib)
        self.x.PBD.plug(pbd)
        self.x.SR.scan(sr)
        self.assertEqual(list(self.vdis_by_location(sr)), ["a.iso"])
        # SR.destroy leaves the library's files alone
        for v in self.x.SR.get_VDIs(sr):
            self.x.VDI.forget(v)
        self.x.PBD.unplug(pbd)
        self.x.SR.destroy(sr)
        self.assertEqual(os.listdir(self.lib), ["a.iso"])

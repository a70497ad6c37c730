"""xe's storage commands (cli/xe_storage.c) against a running xapid with the
`file` SR driver: sr-create/-probe/-scan/-update/-forget/-introduce/-destroy,
pbd-create/-plug/-unplug, vdi-create/-snapshot/-clone/-copy/-resize/
-update/-forget/-introduce/-destroy, and the errors xe prints for bad
arguments and for the server's refusals."""

import os
import shutil
import subprocess
import tempfile
import unittest

import harness
from harness import DaemonTestCase, ROOT_PASSWORD, ROOT_USER, UUID_RE

GIB = 1 << 30
MIB = 1 << 20


class XeStorageTest(DaemonTestCase):
    daemon_plugins = {"file": {}}

    @classmethod
    def setUpClass(cls):
        cls.xe_path = str(harness.xapid_binary().parent / "xe")
        if not os.access(cls.xe_path, os.X_OK):
            raise AssertionError("no xe at %s" % cls.xe_path)
        super().setUpClass()
        cls.location = tempfile.mkdtemp(prefix="xapid-it-xesr-")
        cls.addClassCleanup(shutil.rmtree, cls.location, True)

    def xe(self, *args, ok=True):
        cmd = [self.xe_path, "--socket", self.daemon.socket_path]
        if os.geteuid() != 0:
            cmd += ["-u", ROOT_USER, "-pw", ROOT_PASSWORD]
        p = subprocess.run(cmd + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=120)
        if ok and p.returncode != 0:
            self.fail("xe %s: exit %d\n%s%s" % (" ".join(args), p.returncode, p.stdout,
                                                 p.stderr))
        return p if not ok else p.stdout.strip()

    def new_sr(self, name="xe sr"):
        uuid = self.xe("sr-create", "name-label=%s" % name, "type=file",
                       "device-config:location=%s" % self.location)
        self.assertRegex(uuid, UUID_RE)
        return uuid

    def destroy_sr(self, uuid):
        # an SR holding VDIs is not destroyed (SR_NOT_EMPTY, as xapi)
        for vdi in self.xe("vdi-list", "sr-uuid=%s" % uuid, "managed=true",
                           "--minimal").split(","):
            if vdi:
                self.xe("vdi-destroy", "uuid=%s" % vdi)
        for pbd in self.xe("pbd-list", "sr-uuid=%s" % uuid, "--minimal").split(","):
            if pbd:
                self.xe("pbd-unplug", "uuid=%s" % pbd)
        self.xe("sr-destroy", "uuid=%s" % uuid)

    def test_sr_lifecycle(self):
        uuid = self.new_sr("xe lifecycle")
        sr = self.x.SR.get_by_uuid(uuid)
        self.assertEqual(self.x.SR.get_type(sr), "file")
        self.assertEqual(self.x.SR.get_name_label(sr), "xe lifecycle")
        self.assertTrue(os.path.isdir(os.path.join(self.location, uuid)))
        self.assertIn(uuid, self.xe("sr-probe", "type=file",
                                    "device-config:location=%s" % self.location))
        self.xe("sr-scan", "uuid=%s" % uuid)
        self.xe("sr-update", "uuid=%s" % uuid)
        self.assertGreater(int(self.x.SR.get_physical_size(sr)), 0)

        # forget, then bring it back: introduce, pbd-create, pbd-plug
        vdi = self.xe("vdi-create", "sr-uuid=%s" % uuid, "name-label=keep", "virtual-size=1MiB")
        pbd = self.xe("pbd-list", "sr-uuid=%s" % uuid, "--minimal")
        self.xe("pbd-unplug", "uuid=%s" % pbd)
        self.xe("sr-forget", "uuid=%s" % uuid)
        self.assertNotIn(sr, self.x.SR.get_all())
        self.assertEqual(self.xe("sr-introduce", "uuid=%s" % uuid, "name-label=back",
                                 "type=file", "content-type=user"), uuid)
        pbd = self.xe("pbd-create", "sr-uuid=%s" % uuid,
                      "device-config:location=%s" % self.location)
        self.assertRegex(pbd, UUID_RE)
        self.xe("pbd-plug", "uuid=%s" % pbd)
        self.xe("sr-scan", "uuid=%s" % uuid)
        sr = self.x.SR.get_by_uuid(uuid)
        locs = [self.x.VDI.get_location(v) for v in self.x.SR.get_VDIs(sr)]
        self.assertIn("%s.qcow2" % vdi, locs)
        pbd = self.xe("pbd-list", "sr-uuid=%s" % uuid, "--minimal")
        self.xe("pbd-unplug", "uuid=%s" % pbd)
        p = self.xe("sr-destroy", "uuid=%s" % uuid, ok=False)
        self.assertIn("Error code: SR_NOT_EMPTY", p.stderr)
        self.xe("pbd-plug", "uuid=%s" % pbd)
        self.destroy_sr(uuid)
        self.assertFalse(os.path.exists(os.path.join(self.location, uuid)))

    def test_vdi_commands(self):
        sr_uuid = self.new_sr("xe vdis")
        self.addCleanup(self.destroy_sr, sr_uuid)
        uuid = self.xe("vdi-create", "sr-uuid=%s" % sr_uuid, "name-label=disk",
                       "virtual-size=1GiB", "name-description=made by xe")
        vdi = self.x.VDI.get_by_uuid(uuid)
        self.assertEqual(self.x.VDI.get_virtual_size(vdi), str(GIB))
        self.assertEqual(self.x.VDI.get_name_description(vdi), "made by xe")
        self.assertEqual(self.x.VDI.get_type(vdi), "user")

        snap = self.xe("vdi-snapshot", "uuid=%s" % uuid, "new-name-label=before")
        s = self.x.VDI.get_by_uuid(snap)
        self.assertTrue(self.x.VDI.get_is_a_snapshot(s))
        self.assertEqual(self.x.VDI.get_snapshot_of(s), vdi)
        self.assertEqual(self.x.VDI.get_name_label(s), "before")

        clone = self.xe("vdi-clone", "uuid=%s" % uuid, "new-name-label=twin")
        c = self.x.VDI.get_by_uuid(clone)
        self.assertFalse(self.x.VDI.get_is_a_snapshot(c))
        self.assertEqual(self.x.VDI.get_name_label(c), "twin")

        self.xe("vdi-resize", "uuid=%s" % uuid, "disk-size=2GiB")
        self.assertEqual(self.x.VDI.get_virtual_size(vdi), str(2 * GIB))
        p = self.xe("vdi-resize", "uuid=%s" % uuid, "disk-size=1GiB", ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("Error code: SR_BACKEND_FAILURE_79", p.stderr)

        small = self.xe("vdi-create", "sr-uuid=%s" % sr_uuid, "name-label=small",
                        "virtual-size=4M")
        copy = self.xe("vdi-copy", "uuid=%s" % small, "sr-uuid=%s" % sr_uuid)
        self.assertRegex(copy, UUID_RE)
        self.assertNotEqual(copy, small)
        self.assertEqual(self.x.VDI.get_virtual_size(self.x.VDI.get_by_uuid(copy)), str(4 * MIB))

        self.xe("vdi-update", "uuid=%s" % uuid)
        loc = self.x.VDI.get_location(vdi)
        self.xe("vdi-forget", "uuid=%s" % uuid)
        back = self.xe("vdi-introduce", "sr-uuid=%s" % sr_uuid, "location=%s" % loc,
                       "uuid=%s" % uuid, "name-label=again")
        self.assertEqual(back, uuid)
        for u in (snap, clone, copy, small, uuid):
            self.xe("vdi-destroy", "uuid=%s" % u)
        self.assertEqual(self.xe("vdi-list", "sr-uuid=%s" % sr_uuid, "managed=true",
                                 "--minimal"), "")

    def test_argument_errors(self):
        p = self.xe("sr-create", "type=file", ok=False)
        self.assertEqual((p.returncode, p.stderr), (1, "Required parameter not found: name-label\n"))
        p = self.xe("vdi-create", "sr-uuid=x", "name-label=y", "virtual-size=lots", ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr, "Error: Parameter virtual-size: 'lots' is not a size (a number "
                         "of bytes, or with a suffix KiB, MiB, GiB, TiB)\n")
        p = self.xe("sr-create", "name-label=x", "type=file", "shared=perhaps", ok=False)
        self.assertEqual(p.stderr, "Error: Parameter shared: 'perhaps' is not a boolean\n")
        p = self.xe("vdi-snapshot", "uuid=00000000-0000-0000-0000-000000000000", ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("UUID_INVALID", p.stderr)

    def test_server_errors(self):
        p = self.xe("sr-create", "name-label=x", "type=no_such_driver", ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("Error code: SR_UNKNOWN_DRIVER", p.stderr)
        p = self.xe("sr-create", "name-label=x", "type=file", ok=False)
        self.assertIn("Error code: SR_BACKEND_FAILURE_94", p.stderr)
        uuid = self.new_sr("xe plugged")
        self.addCleanup(self.destroy_sr, uuid)
        p = self.xe("sr-destroy", "uuid=%s" % uuid, ok=False)
        self.assertIn("Error code: SR_HAS_PBD", p.stderr)

    def test_help(self):
        out = self.xe("help", "sr-create")
        self.assertIn("reqd params     : name-label type", out)
        self.assertIn("device-config:<k>=<v>", out)
        self.assertIn("sr-create", self.xe("help"))


if __name__ == "__main__":
    unittest.main()

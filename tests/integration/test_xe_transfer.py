"""xe's data commands (cli/xe_transfer.c): vdi-import / vdi-export (raw,
vhd, base= deltas), vm-export / vm-import (XVA, compressed, metadata), the
progress line on a terminal, and the exit status and error of a failed
transfer."""

import os
import pty
import subprocess
import tempfile

import harness
from harness import ROOT_PASSWORD, ROOT_USER, UUID_RE
from storage_util import MIB, StorageTestCase, pattern


class XeTransferTest(StorageTestCase):

    @classmethod
    def setUpClass(cls):
        cls.xe_path = str(harness.xapid_binary().parent / "xe")
        super().setUpClass()
        location = os.path.join(cls.srdir, "xe-xfer")
        os.makedirs(location)
        cls.sr = cls.x.SR.create(cls.host, {"location": location}, "0", "xe-xfer", "", "file",
                                 "user", False, {})
        cls.tmp = tempfile.mkdtemp(prefix="xapid-it-xexfer-")
        cls.addClassCleanup(subprocess.run, ["rm", "-rf", cls.tmp])

    def xe_cmd(self, *args):
        cmd = [self.xe_path, "--socket", self.daemon.socket_path]
        if os.geteuid() != 0:
            cmd += ["-u", ROOT_USER, "-pw", ROOT_PASSWORD]
        return cmd + list(args)

    def xe(self, *args, ok=True):
        p = subprocess.run(self.xe_cmd(*args), capture_output=True, text=True, timeout=120)
        if ok and p.returncode != 0:
            self.fail("xe %s: exit %d\n%s%s" % (" ".join(args), p.returncode, p.stdout, p.stderr))
        return p if not ok else p.stdout.strip()

    def file(self, name, data=None):
        path = os.path.join(self.tmp, name)
        if data is not None:
            with open(path, "wb") as f:
                f.write(data)
        return path

    def read(self, path):
        with open(path, "rb") as f:
            return f.read()

    def test_vdi_raw_and_vhd(self):
        size = 16 * MIB
        a = self.create_vdi(self.sr, size)
        ua = self.x.VDI.get_uuid(a)
        data = pattern(size, 60)
        self.xe("vdi-import", "uuid=%s" % ua, "filename=%s" % self.file("a.raw", data))
        out = self.file("a-out.raw")
        self.xe("vdi-export", "uuid=%s" % ua, "filename=%s" % out)
        self.assertTrue(self.read(out) == data)
        vhd = self.file("a.vhd")
        self.xe("vdi-export", "uuid=%s" % ua, "filename=%s" % vhd, "format=vhd")
        b = self.create_vdi(self.sr, size)
        self.xe("vdi-import", "uuid=%s" % self.x.VDI.get_uuid(b), "filename=%s" % vhd,
                "format=vhd")
        self.assertTrue(self.export_raw(b) == data)
        # a delta against a
        self.import_raw(b, pattern(MIB, 61))
        delta = self.file("b-delta.vhd")
        self.xe("vdi-export", "uuid=%s" % self.x.VDI.get_uuid(b), "filename=%s" % delta,
                "format=vhd", "base=%s" % ua)
        self.assertLess(os.path.getsize(delta), 3 * MIB)
        self.xe("vdi-import", "uuid=%s" % ua, "filename=%s" % delta, "format=vhd")
        self.assertTrue(self.export_raw(a) == self.export_raw(b))

    def test_vm_export_import(self):
        vm = self.create_vm("it-xe-xva")
        vdi = self.create_vdi(self.sr, 8 * MIB)
        self.import_raw(vdi, pattern(8 * MIB, 62))
        self.x.VBD.create({"VM": vm, "VDI": vdi, "userdevice": "0", "bootable": True,
                           "mode": "RW", "type": "Disk", "empty": False, "other_config": {},
                           "qos_algorithm_type": "", "qos_algorithm_params": {}})
        for compress in ("false", "zstd"):
            xva = self.file("vm-%s.xva" % compress)
            # by name while it is the only one so named (the import makes a second)
            which = "vm=it-xe-xva" if compress == "false" else "uuid=%s" % self.x.VM.get_uuid(vm)
            self.xe("vm-export", which, "filename=%s" % xva, "compress=%s" % compress)
            if compress == "zstd":
                subprocess.run(["zstd", "-d", "-q", "-f", xva, "-o", xva + ".tar"], check=True)
                xva += ".tar"
            new = self.xe("vm-import", "filename=%s" % xva,
                          "sr-uuid=%s" % self.x.SR.get_uuid(self.sr))
            self.assertRegex(new, UUID_RE)
            ref = self.x.VM.get_by_uuid(new)
            disk = self.x.VBD.get_VDI(self.x.VM.get_VBDs(ref)[0])
            self.assertTrue(self.export_raw(disk) == pattern(8 * MIB, 62))
        meta = self.file("vm.meta")
        self.xe("vm-export", "uuid=%s" % self.x.VM.get_uuid(vm), "filename=%s" % meta,
                "metadata=true")
        self.assertLess(os.path.getsize(meta), 1 * MIB)
        # back in: a VM on the same VDI (xapi's /import_metadata)
        new = self.xe("vm-import", "filename=%s" % meta, "metadata=true")
        self.assertRegex(new, UUID_RE)
        self.assertEqual(self.x.VBD.get_VDI(self.x.VM.get_VBDs(self.x.VM.get_by_uuid(new))[0]),
                         vdi)
        # preserve=true: the VM itself replaced (force: its own export is not newer)
        uuid_ = self.x.VM.get_uuid(vm)
        p = self.xe("vm-import", "filename=%s" % meta, "metadata=true", "preserve=true", ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("VM_TO_IMPORT_IS_NOT_NEWER_VERSION", p.stderr)
        self.assertEqual(self.xe("vm-import", "filename=%s" % meta, "metadata=true",
                                 "preserve=true", "force=true"), uuid_)
        self.assertNotIn(vm, self.x.VM.get_all())
        # vdi:<uuid in the XVA>=<uuid here>
        other = self.create_vdi(self.sr, MIB)
        new = self.xe("vm-import", "filename=%s" % meta, "metadata=true",
                      "vdi:%s=%s" % (self.x.VDI.get_uuid(vdi), self.x.VDI.get_uuid(other)))
        self.assertEqual(self.x.VBD.get_VDI(self.x.VM.get_VBDs(self.x.VM.get_by_uuid(new))[0]),
                         other)
        p = self.xe("vm-import", "filename=%s" % meta, "dry-run=true", ok=False)
        self.assertEqual((p.returncode, p.stderr),
                         (1, "Only metadata import function support dry-run\n"))

    def test_vdi_tar(self):
        size = 6 * MIB
        a = self.create_vdi(self.sr, size)
        data = pattern(size, 64)
        self.import_raw(a, data)
        tar = self.file("a.tar")
        self.xe("vdi-export", "uuid=%s" % self.x.VDI.get_uuid(a), "filename=%s" % tar,
                "format=tar")
        b = self.create_vdi(self.sr, size)
        self.xe("vdi-import", "uuid=%s" % self.x.VDI.get_uuid(b), "filename=%s" % tar,
                "format=tar")
        self.assertTrue(self.export_raw(b) == data)

    def test_failures_exit_1(self):
        bad = self.file("bad.xva", b"this is no tar" * 100)
        p = self.xe("vm-import", "filename=%s" % bad, "sr-uuid=%s" % self.x.SR.get_uuid(self.sr),
                    ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("IMPORT_ERROR", p.stderr)
        vdi = self.create_vdi(self.sr, MIB)
        out = self.file("never.raw")
        p = self.xe("vdi-export", "uuid=%s" % self.x.VDI.get_uuid(vdi), "filename=%s" % out,
                    "format=qcow3", ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("Unknown format qcow3", p.stderr)
        self.assertFalse(os.path.exists(out), "a failed export leaves no file")
        p = self.xe("vdi-import", "uuid=%s" % self.x.VDI.get_uuid(vdi),
                    "filename=%s" % self.file("big.raw", bytes(2 * MIB)), ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("VDI_TOO_SMALL", p.stderr)

    def test_progress_line_on_a_terminal(self):
        vdi = self.create_vdi(self.sr, 256 * MIB)
        self.import_raw(vdi, pattern(256 * MIB, 63))
        master, slave = pty.openpty()
        try:
            p = subprocess.run(self.xe_cmd("vdi-export", "uuid=%s" % self.x.VDI.get_uuid(vdi),
                                           "filename=%s" % self.file("p.raw")),
                               stderr=slave, stdout=subprocess.PIPE, timeout=120)
            os.close(slave)
            slave = None
            text = b""
            while True:
                try:
                    piece = os.read(master, 4096)
                except OSError:
                    break
                if not piece:
                    break
                text += piece
        finally:
            if slave is not None:
                os.close(slave)
            os.close(master)
        self.assertEqual(p.returncode, 0)
        self.assertIn(b"\rVDI export: 100% ", text)

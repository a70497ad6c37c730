"""The lvm SR driver with device-mapper activation, in the dom0 of a real
Xen (tests/xen/xenhost.py boots it): the one place our tests have
device-mapper. An SR on a loop device in dom0; a VDI filled over
/import_raw_vdi (its LV activated for the transfer and deactivated after);
a PV guest whose disk is the LV's /dev/mapper node handed to blkback, that
reads what we put there and writes a marker; after the VM, the LV is
deactivated and the marker reads back over /export_raw_vdi.

Run by tests/xen/run (and so by tools/test); by hand:
    XEN_TEST_BUILDDIR=build python3 -m unittest -v tests/xen/test_xen_disks_lvm.py
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import xenhost  # noqa: E402
from test_xen_disks import MIB, DiskHelpers  # noqa: E402
from test_xen_lifecycle import pv_guest  # noqa: E402

BACKING = "/var/lib/xapi-c/test-lvm.img"


class XenLvm(DiskHelpers, xenhost.XenTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.host = cls.x.session.get_this_host(cls.session.handle)
        # device-mapper as a dom0 has it; a loop device as the SR's disk
        rc, out = cls.xen.dom0("modprobe dm_mod && grep -w device-mapper /proc/misc && "
                               "truncate -s 256M %s && losetup -f --show %s" % (BACKING, BACKING))
        assert rc == 0, out
        cls.loop = out.split()[-1]
        assert cls.loop.startswith("/dev/loop"), out
        cls.sr = cls.x.SR.create(cls.host, {"device": cls.loop}, "0", "xt-lvm", "", "lvm",
                                 "user", False, {})
        cls.vg = "VG_XenStorage-" + cls.x.SR.get_uuid(cls.sr)

    @classmethod
    def tearDownClass(cls):
        cls.drop_sr(cls.x.SR.destroy)
        cls.xen.dom0("losetup -d %s; rm -f %s" % (cls.loop, BACKING))
        super().tearDownClass()

    def active_lvs(self):
        """The SR's LVs device-mapper has (their /dev/mapper names)."""
        rc, out = self.xen.dom0("dmsetup ls 2>/dev/null | cut -f1 | grep -F -- '%s' || true"
                                % self.vg.replace("-", "--"))
        return sorted(out.split())

    def test_lv_is_the_guests_disk(self):
        data = b"XAPIC-LVM-OK " + bytes(range(256)) * (8 * MIB // 256)
        data = data[:8 * MIB]
        vdi = self.new_vdi("xt-lvm-disk", data)
        lv = "LV-" + self.x.VDI.get_uuid(vdi)
        # the transfer's attach activated the LV, its detach deactivated it
        self.assertEqual(self.active_lvs(), [])
        vm = self.new_vm(pv_guest("xt-lvm", PV_args="console=hvc0 quiet guest_write=1"))
        self.vbd(vm, vdi, "0")
        self.start_vm(vm)
        domid = int(self.x.VM.get_domid(vm))
        m = self.wait_console(vm, r"GUEST-DISK xvda (\d+) (\S+)")
        self.assertEqual(int(m.group(1)), len(data))
        self.assertTrue(m.group(2).startswith("XAPIC-LVM-OK"), m.group(0))
        self.wait_console(vm, r"GUEST-WROTE xvda")
        # blkback has the LV's device-mapper node, and no NBD is involved
        mapper = "%s-%s" % (self.vg.replace("-", "--"), lv.replace("-", "--"))
        self.assertEqual(self.active_lvs(), [mapper])
        rc, out = self.xen.dom0("xl block-list %d && xenstore-read "
                                "/local/domain/0/backend/vbd/%d/51712/params" % (domid, domid))
        self.assertEqual(rc, 0, out)
        self.assertIn("/dev/mapper/" + mapper, out)
        self.assertEqual(self.connected_nbd(), [])
        self.x.VM.hard_shutdown(vm)
        # the VM gone: the LV deactivated, the guest's write in the VDI
        self.assertEqual(self.active_lvs(), [])
        back = self.transfer("GET", "/export_raw_vdi", vdi)
        self.assertEqual(len(back), len(data))
        self.assertTrue(back.startswith(b"written by the xapi-c test guest on xvda\n"), back[:80])
        self.assertTrue(back[512:] == data[512:])


if __name__ == "__main__":
    unittest.main()

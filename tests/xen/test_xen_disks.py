"""A VM's disks on a real Xen (tests/xen/xenhost.py boots it): a file SR in
dom0, a VDI filled over /import_raw_vdi, a PV guest that reads it and
writes a marker into it, the marker read back over /export_raw_vdi; hot
plug and unplug of a second disk; and after every operation no NBD device
still connected and no device-model QEMU left in dom0.

Run by tests/xen/run (and so by tools/test); by hand:
    XEN_TEST_BUILDDIR=build python3 -m unittest -v tests/xen/test_xen_disks.py
"""
import http.client
import os
import sys
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import xenhost  # noqa: E402
from test_xen_lifecycle import pv_guest  # noqa: E402

MIB = 1024 * 1024


class DiskHelpers:
    """What the disk tests of every SR type share (test_xen_disks_lvm.py too):
    VMs cleaned up whatever happens, transfers, VDIs, VBDs, and what must
    be gone after a VM: NBD devices, device models, the domain. The class
    using it sets cls.sr."""

    @classmethod
    def drop_sr(cls, end):
        """The class's SR gone at its end: its VDIs destroyed, its PBDs
        unplugged, then end (SR.forget or SR.destroy) on it; what fails here
        must not hide a test's own failure."""
        try:
            for vdi in cls.x.SR.get_VDIs(cls.sr):
                cls.x.VDI.destroy(vdi)
            for pbd in cls.x.SR.get_PBDs(cls.sr):
                cls.x.PBD.unplug(pbd)
            end(cls.sr)
        except Exception:
            pass

    def new_vm(self, record):
        """A VM that is shut down and destroyed after the test whatever
        happens in it, so that one failing test leaves no domain and no
        connected NBD device to the tests after it."""
        vm = self.x.VM.create(record)
        self.addCleanup(self.forget_vm, vm)
        return vm

    def forget_vm(self, vm):
        try:
            if self.x.VM.get_power_state(vm) != "Halted":
                self.x.VM.hard_shutdown(vm)
        except Exception:
            pass  # already gone, or the test shut it down itself
        try:
            self.x.VM.destroy(vm)
        except Exception:
            pass

    def transfer(self, method, path, vdi, body=None):
        q = urllib.parse.urlencode({"vdi": vdi, "session_id": self.session.handle})
        conn = http.client.HTTPConnection("127.0.0.1", self.xen.port, timeout=120)
        try:
            headers = {"Content-Length": str(len(body))} if body is not None else {}
            conn.request(method, path + "?" + q, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            self.assertEqual(resp.status, 200, "%s %s: %r" % (method, path, data[:300]))
            return data
        finally:
            conn.close()

    def new_vdi(self, name, data):
        vdi = self.x.VDI.create({"name_label": name, "name_description": "", "SR": self.sr,
                                 "virtual_size": str(len(data)), "type": "user",
                                 "sharable": False, "read_only": False, "other_config": {}})
        self.transfer("PUT", "/import_raw_vdi", vdi, data)
        return vdi

    def vbd(self, vm, vdi, userdevice, mode="RW"):
        return self.x.VBD.create({
            "VM": vm, "VDI": vdi, "userdevice": userdevice, "bootable": False, "mode": mode,
            "type": "Disk", "empty": False, "other_config": {}, "qos_algorithm_type": "",
            "qos_algorithm_params": {}})

    def connected_nbd(self):
        rc, out = self.xen.dom0("ls -d /sys/block/nbd*/pid 2>/dev/null | cut -d/ -f4")
        return sorted(out.split())

    def device_models(self, domid):
        rc, out = self.xen.dom0("pgrep -af 'qemu-system' | grep -- '-xen-domid %d ' || true" % domid)
        return out.strip()

    def assert_nothing_left(self, domid):
        self.assertEqual(self.connected_nbd(), [], "an NBD device is still connected")
        self.assertEqual(self.device_models(domid), "", "a device model outlived its VM")
        rc, out = self.xen.dom0("xl list %d" % domid)
        self.assertNotEqual(rc, 0, "domain %d is still there:\n%s" % (domid, out))


class XenDisks(DiskHelpers, xenhost.XenTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.host = cls.x.session.get_this_host(cls.session.handle)
        rc, out = cls.xen.dom0("mkdir -p /var/lib/xapi-c/test-srs/disks")
        assert rc == 0, out
        cls.sr = cls.x.SR.create(cls.host, {"location": "/var/lib/xapi-c/test-srs/disks"}, "0",
                                 "xt-disks", "", "file", "user", False, {})

    @classmethod
    def tearDownClass(cls):
        cls.drop_sr(cls.x.SR.forget)
        super().tearDownClass()

    # ---- tests ----

    def test_disk_reaches_the_guest_and_its_writes_come_back(self):
        data = b"XAPIC-DISK-OK " + bytes(range(256)) * (4 * MIB // 256)
        data = data[:4 * MIB]
        vdi = self.new_vdi("xt-disk", data)
        vm = self.new_vm(pv_guest("xt-disk", PV_args="console=hvc0 quiet guest_write=1"))
        self.vbd(vm, vdi, "0")
        self.start_vm(vm)
        domid = int(self.x.VM.get_domid(vm))
        # the guest sees the disk with its size and the bytes we put there
        m = self.wait_console(vm, r"GUEST-DISK xvda (\d+) (\S+)")
        self.assertEqual(int(m.group(1)), len(data))
        self.assertTrue(m.group(2).startswith("XAPIC-DISK-OK"), m.group(0))
        self.wait_console(vm, r"GUEST-WROTE xvda")
        self.assertEqual(len(self.connected_nbd()), 1)
        rc, out = self.xen.dom0("xl block-list %d" % domid)
        self.assertEqual(rc, 0, out)
        self.assertRegex(out, r"\n\d+\s+0\s+\d+\s+4\s", "the disk's backend is not connected:\n"
                         + out)
        self.x.VM.hard_shutdown(vm)
        self.assert_nothing_left(domid)
        # what the guest wrote is in the VDI, the rest as we put it
        back = self.transfer("GET", "/export_raw_vdi", vdi)
        self.assertEqual(len(back), len(data))
        self.assertTrue(back.startswith(b"written by the xapi-c test guest on xvda\n"), back[:80])
        self.assertEqual(back[512:], data[512:])
        self.x.VM.destroy(vm)
        self.x.VDI.destroy(vdi)

    def test_read_only_disk_and_clean_shutdown(self):
        data = b"XAPIC-RO-DISK " + b"\0" * (2 * MIB - 14)
        vdi = self.new_vdi("xt-ro", data)
        vm = self.new_vm(pv_guest("xt-ro", PV_args="console=hvc0 quiet guest_write=1"))
        self.vbd(vm, vdi, "1", mode="RO")
        self.start_vm(vm)
        domid = int(self.x.VM.get_domid(vm))
        self.wait_console(vm, r"GUEST-DISK xvdb %d XAPIC-RO-DISK" % len(data))
        self.wait_console(vm, r"GUEST-AGENT|GUEST-UP")
        self.assertNotIn("GUEST-WROTE xvdb", self.console_log(vm))
        self.x.VM.clean_shutdown(vm)
        self.assert_nothing_left(domid)
        self.assertEqual(self.transfer("GET", "/export_raw_vdi", vdi), data)
        self.x.VM.destroy(vm)
        self.x.VDI.destroy(vdi)

    def test_hot_plug_and_unplug(self):
        vm = self.new_vm(pv_guest("xt-hotplug"))
        self.start_vm(vm)
        domid = int(self.x.VM.get_domid(vm))
        self.wait_console(vm, r"GUEST-UP")
        vdi = self.new_vdi("xt-hot", b"HOT" + b"\0" * (MIB - 3))
        vbd = self.vbd(vm, vdi, "2")
        self.x.VBD.plug(vbd)
        self.assertTrue(self.x.VBD.get_currently_attached(vbd))
        self.assertEqual(len(self.connected_nbd()), 1)
        # the guest's front end picks it up: the block device appears in the guest
        rc, out = self.xen.dom0("xl block-list %d" % domid)
        self.assertRegex(out, r"\n51744\s+0\s+\d+\s+[34]\s", out)   # xvdc, connecting/connected
        self.x.VBD.unplug(vbd)
        self.assertFalse(self.x.VBD.get_currently_attached(vbd))
        self.assertEqual(self.connected_nbd(), [])
        self.x.VM.hard_shutdown(vm)
        self.assert_nothing_left(domid)
        self.x.VM.destroy(vm)
        self.x.VDI.destroy(vdi)

    def test_paused_start_then_hard_shutdown(self):
        # the disks are connected when the domain is built, before it runs
        vdi = self.new_vdi("xt-paused", b"\0" * MIB)
        vm = self.new_vm(pv_guest("xt-paused"))
        self.vbd(vm, vdi, "0")
        self.start_vm(vm, paused=True)
        self.assertEqual(self.x.VM.get_power_state(vm), "Paused")
        domid = int(self.x.VM.get_domid(vm))
        self.assertEqual(len(self.connected_nbd()), 1)
        self.x.VM.hard_shutdown(vm)
        self.assert_nothing_left(domid)
        self.x.VM.destroy(vm)
        self.x.VDI.destroy(vdi)


if __name__ == "__main__":
    unittest.main()

"""VM devices over the wire on the sim backend: a VM with 3 disks on a file
SR, a CD drive and 2 NICs starts with everything attached and named, shuts
down with everything detached; VBD.plug/unplug/unplug_force/eject/insert and
VIF.plug/unplug with xapi's errors (VM_BAD_POWER_STATE,
DEVICE_ALREADY_ATTACHED/DETACHED, VBD_NOT_REMOVABLE_MEDIA, VBD_IS_EMPTY,
VBD_NOT_EMPTY, VBD_NOT_UNPLUGGABLE, DEVICE_DETACH_REJECTED...) and the
allowed_operations they keep."""

import unittest

from harness import NULL_REF, network_record, vbd_record, vif_record
from storage_util import MIB, StorageTestCase

GiB = 1 << 30


class DevicesTest(StorageTestCase):
    daemon_config = {"sim_memory": str(16 * GiB)}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        x = cls.x
        cls.sr = x.SR.create(cls.host, {"location": cls.srdir}, "0", "dev-sr", "", "file",
                             "user", False, {})
        cls.nets = [x.network.create(network_record("dev-net-%d" % i)) for i in range(2)]

    def vm_with_devices(self, name="dev-vm", disks=3, cd=True, nics=2, **extra):
        x = self.x
        vm = self.create_vm(name, **extra)
        self.addCleanup(self.cleanup_vm, vm)
        vdis = [self.create_vdi(self.sr, 4 * MIB, "%s-disk%d" % (name, i)) for i in range(disks)]
        vbds = [x.VBD.create(vbd_record(vm, vdi, str(i), bootable=(i == 0)))
                for i, vdi in enumerate(vdis)]
        if cd:
            vbds.append(x.VBD.create(vbd_record(vm, None, "3")))
        vifs = [x.VIF.create(vif_record(vm, self.nets[i], str(i))) for i in range(nics)]
        return vm, vdis, vbds, vifs

    def cleanup_vm(self, vm):
        x = self.x
        try:
            if x.VM.get_power_state(vm) != "Halted":
                x.VM.hard_shutdown(vm)
            vdis = [x.VBD.get_VDI(b) for b in x.VM.get_VBDs(vm)]
            x.VM.destroy(vm)
            for v in vdis:
                if v != NULL_REF and x.VDI.get_type(v) != "iso":
                    x.VDI.destroy(v)
        except Exception:
            pass

    def test_three_disks_two_nics(self):
        x = self.x
        vm, vdis, vbds, vifs = self.vm_with_devices()
        for b in vbds:
            self.assertEqual(set(x.VBD.get_allowed_operations(b)) & {"plug", "unplug"}, set())
        x.VM.start(vm, False, False)
        recs = [x.VBD.get_record(b) for b in vbds]
        self.assertEqual([r["currently_attached"] for r in recs], [True] * 4)
        self.assertEqual([r["device"] for r in recs], ["hda", "hdb", "hdc", "hdd"])  # HVM
        for v in vifs:
            self.assertTrue(x.VIF.get_currently_attached(v))
            self.assertIn("unplug", x.VIF.get_allowed_operations(v))
        self.assertIn("unplug", x.VBD.get_allowed_operations(vbds[0]))
        # a CD of an HVM guest is changed, not hot-unplugged
        self.assertEqual(set(x.VBD.get_allowed_operations(vbds[3])),
                         {"attach", "insert", "pause", "unpause"})
        x.VM.clean_shutdown(vm)
        for b in vbds:
            self.assertFalse(x.VBD.get_currently_attached(b))
        for v in vifs:
            self.assertFalse(x.VIF.get_currently_attached(v))
        # the disks are free again: a VDI op that needs them detached works
        x.VDI.destroy(x.VDI.snapshot(vdis[0], {}))

    def test_pv_guest_device_names(self):
        vm, _, vbds, _ = self.vm_with_devices("dev-pv", disks=2, cd=False, nics=0,
                                              HVM_boot_policy="", domain_type="pv")
        self.x.VM.start(vm, False, False)
        self.assertEqual([self.x.VBD.get_device(b) for b in vbds], ["xvda", "xvdb"])

    def test_vbd_userdevice_by_name(self):
        # xapi takes "xvda"/"hdb"/"sdc" as well as numbers (the C SDK's
        # test_vm_ops makes its disk as "xvda"), keeps the name as given,
        # and counts "1", "xvdb" and "hdb" as one disk.
        x = self.x
        vm = self.create_vm("dev-names", HVM_boot_policy="", domain_type="pv")
        self.addCleanup(self.cleanup_vm, vm)
        vdis = [self.create_vdi(self.sr, 4 * MIB, "dev-names-%d" % i) for i in range(3)]
        a = x.VBD.create(vbd_record(vm, vdis[0], "xvda", bootable=True))
        self.assertEqual(x.VBD.get_userdevice(a), "xvda")
        b = x.VBD.create(vbd_record(vm, vdis[1], "hdb"))
        for same in ("1", "xvdb", "sdb", "0"):
            self.assertFailure(["DEVICE_ALREADY_EXISTS", same], x.VBD.create,
                               vbd_record(vm, vdis[2], same))
        for bad in ("xvd", "xvda1", "vda", "1x", "xvdA", "autodetec"):
            self.assertFailure(["INVALID_DEVICE", bad], x.VBD.create,
                               vbd_record(vm, vdis[2], bad))
        # autodetect skips the disks the names hold
        c = x.VBD.create(vbd_record(vm, vdis[2], "autodetect"))
        self.assertEqual(x.VBD.get_userdevice(c), "2")
        x.VM.start(vm, False, False)
        self.assertEqual([x.VBD.get_device(v) for v in (a, b, c)], ["xvda", "xvdb", "xvdc"])

    def test_vbd_plug_unplug(self):
        x = self.x
        vm, _, vbds, _ = self.vm_with_devices("dev-plug", disks=2, cd=False, nics=0)
        vbd = vbds[1]
        self.assertFailure(["VM_BAD_POWER_STATE", vm, "running", "halted"], x.VBD.plug, vbd)
        self.assertFailure(["VM_BAD_POWER_STATE", vm, "running", "halted"], x.VBD.unplug, vbd)
        x.VM.start(vm, False, False)
        self.assertFailure(["DEVICE_ALREADY_ATTACHED", vbd], x.VBD.plug, vbd)
        x.VBD.unplug(vbd)
        self.assertFalse(x.VBD.get_currently_attached(vbd))
        self.assertEqual(x.VBD.get_current_operations(vbd), {})
        self.assertIn("plug", x.VBD.get_allowed_operations(vbd))
        self.assertFailure(["DEVICE_ALREADY_DETACHED", vbd], x.VBD.unplug, vbd)
        self.assertFailure(["DEVICE_ALREADY_DETACHED", vbd], x.VBD.unplug_force, vbd)
        x.VBD.plug(vbd)
        self.assertTrue(x.VBD.get_currently_attached(vbd))
        self.assertEqual(x.VBD.get_device(vbd), "hdb")
        x.VBD.unplug_force(vbd)
        self.assertFalse(x.VBD.get_currently_attached(vbd))
        # a disk hot-plugged while the VM runs is detached with it
        x.VBD.plug(vbd)
        x.VM.hard_shutdown(vm)
        self.assertFalse(x.VBD.get_currently_attached(vbd))

    def test_vbd_not_unpluggable(self):
        x = self.x
        vm, _, vbds, _ = self.vm_with_devices("dev-unpluggable", disks=1, cd=False, nics=0)
        x.VBD.set_unpluggable(vbds[0], False)
        x.VM.start(vm, False, False)
        self.assertFailure(["VBD_NOT_UNPLUGGABLE", vbds[0]], x.VBD.unplug, vbds[0])
        self.assertFailure(["VBD_NOT_UNPLUGGABLE", vbds[0]], x.VBD.unplug_force, vbds[0])

    def test_detach_rejected_by_the_guest(self):
        x = self.x
        vm, _, vbds, vifs = self.vm_with_devices("dev-rejected", disks=1, cd=False, nics=1,
                                                 other_config={"sim:fault": "unplug_rejected"})
        x.VM.start(vm, False, False)
        err = self.assertFailure("DEVICE_DETACH_REJECTED", x.VBD.unplug, vbds[0])
        self.assertEqual(err[1:3], ["VBD", vbds[0]])
        self.assertTrue(x.VBD.get_currently_attached(vbds[0]))
        x.VBD.unplug_force(vbds[0])
        self.assertFalse(x.VBD.get_currently_attached(vbds[0]))
        err = self.assertFailure("DEVICE_DETACH_REJECTED", x.VIF.unplug, vifs[0])
        self.assertEqual(err[1:3], ["VIF", vifs[0]])

    def test_cd_eject_insert(self):
        x = self.x
        vm, _, vbds, _ = self.vm_with_devices("dev-cd", disks=1, cd=True, nics=0)
        disk, cd = vbds[0], vbds[1]
        iso = self.create_vdi(self.sr, 1 * MIB, "dev-iso")
        self.addCleanup(x.VDI.destroy, iso)
        self.assertFailure(["VBD_NOT_REMOVABLE_MEDIA", disk], x.VBD.eject, disk)
        self.assertFailure(["VBD_NOT_REMOVABLE_MEDIA", disk], x.VBD.insert, disk, iso)
        self.assertFailure(["VBD_IS_EMPTY", cd], x.VBD.eject, cd)
        self.assertFailure(["HANDLE_INVALID", "VDI", NULL_REF], x.VBD.insert, cd, NULL_REF)
        x.VBD.insert(cd, iso)  # Halted: just the record
        rec = x.VBD.get_record(cd)
        self.assertEqual((rec["empty"], rec["VDI"]), (False, iso))
        self.assertFailure(["VBD_NOT_EMPTY", cd], x.VBD.insert, cd, iso)
        x.VM.start(vm, False, False)
        self.assertTrue(x.VBD.get_currently_attached(cd))
        x.VBD.eject(cd)  # Running: the media leaves the domain
        rec = x.VBD.get_record(cd)
        self.assertEqual((rec["empty"], rec["VDI"]), (True, NULL_REF))
        self.assertEqual(set(rec["allowed_operations"]), {"attach", "insert", "pause", "unpause"})
        x.VBD.insert(cd, iso)
        self.assertEqual(x.VBD.get_VDI(cd), iso)
        self.assertFailure(["OPERATION_NOT_ALLOWED",
                            "HVM CDROMs cannot be hotplugged/unplugged, only inserted or ejected"],
                           x.VBD.unplug, cd)
        x.VM.suspend(vm)
        self.assertFailure(["VM_BAD_POWER_STATE", vm, "halted, running", "suspended"],
                           x.VBD.eject, cd)

    def test_vif_plug_unplug(self):
        x = self.x
        vm, _, _, vifs = self.vm_with_devices("dev-vif", disks=0, cd=False, nics=2)
        vif = vifs[1]
        self.assertFailure(["VM_BAD_POWER_STATE", vm, "running", "halted"], x.VIF.plug, vif)
        x.VM.start(vm, False, False)
        self.assertFailure(["DEVICE_ALREADY_ATTACHED", vif], x.VIF.plug, vif)
        x.VIF.unplug(vif)
        self.assertFalse(x.VIF.get_currently_attached(vif))
        self.assertEqual(set(x.VIF.get_allowed_operations(vif)), {"attach", "plug"})
        self.assertFailure(["DEVICE_ALREADY_DETACHED", vif], x.VIF.unplug, vif)
        x.VIF.plug(vif)
        self.assertTrue(x.VIF.get_currently_attached(vif))
        self.assertEqual(set(x.VIF.get_allowed_operations(vif)), {"attach", "unplug"})
        x.VIF.unplug_force(vif)
        self.assertFalse(x.VIF.get_currently_attached(vif))

    def test_vm_requires_its_sr(self):
        """A disk on storage this host cannot reach stops the start (and
        nothing stays attached)."""
        x = self.x
        vm, vdis, vbds, _ = self.vm_with_devices("dev-unplugged-sr", disks=1, cd=False, nics=0)
        sr2 = x.SR.create(self.host, {"location": self.new_location("dev-sr2")}, "0", "dev-sr2",
                          "", "file", "user", False, {})
        vdi = self.create_vdi(sr2, 4 * MIB, "dev-far")
        vbd = x.VBD.create(vbd_record(vm, vdi, "1"))
        pbd = x.SR.get_PBDs(sr2)[0]
        x.PBD.unplug(pbd)
        self.assertFailure(["VM_REQUIRES_SR", vm, sr2], x.VM.start, vm, False, False)
        self.assertEqual(x.VM.get_power_state(vm), "Halted")
        self.assertFalse(x.VBD.get_currently_attached(vbds[0]))
        x.PBD.plug(pbd)
        x.VM.start(vm, False, False)
        self.assertTrue(x.VBD.get_currently_attached(vbd))


if __name__ == "__main__":
    unittest.main()

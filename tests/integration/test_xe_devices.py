"""xe's commands on virtual devices and networking objects against a running
xapid: vbd-*, vif-*, network-* end to end; pif-*, vlan-*, bond-*, tunnel-*
send their calls (the server's answer, or its error while networking is not
served, is xe's); the new uuid on stdout for creators, nothing for the
others, and the errors for bad input."""

from harness import UUID_RE
from storage_util import MIB
from test_xe_vm import XeVmBase

GiB = 1 << 30


class XeDeviceTest(XeVmBase):
    daemon_config = {"sim_memory": str(16 * GiB)}

    def new_uuid(self, *args):
        out = self.xe(*args)
        self.assertRegex(out.strip(), UUID_RE)
        self.assertTrue(out.endswith("\n") and out.count("\n") == 1, out)
        return out.strip()

    def test_vbd_commands(self):
        vm, vm_uuid = self.new_vm("xe-vbd-vm")
        vdi = self.create_vdi(self.sr, 2 * MIB, "xe-vbd-disk")
        vdi_uuid = self.x.VDI.get_uuid(vdi)
        uuid = self.new_uuid("vbd-create", "vm-uuid=%s" % vm_uuid, "device=1",
                             "vdi-uuid=%s" % vdi_uuid, "bootable=true")
        vbd = self.x.VBD.get_by_uuid(uuid)
        rec = self.x.VBD.get_record(vbd)
        self.assertEqual((rec["VM"], rec["VDI"], rec["userdevice"], rec["bootable"], rec["type"],
                          rec["mode"], rec["empty"]), (vm, vdi, "1", True, "Disk", "RW", False))
        self.xe("vm-start", "vm=xe-vbd-vm")
        self.assertEqual(self.xe("vbd-unplug", "uuid=%s" % uuid), "")
        self.assertFalse(self.x.VBD.get_currently_attached(vbd))
        self.assertEqual(self.xe("vbd-plug", "uuid=%s" % uuid), "")
        self.assertTrue(self.x.VBD.get_currently_attached(vbd))
        self.xe("vbd-unplug", "uuid=%s" % uuid, "--force")
        self.assertFalse(self.x.VBD.get_currently_attached(vbd))
        self.xe("vm-shutdown", "vm=xe-vbd-vm", "--force")
        self.assertEqual(self.xe("vbd-destroy", "uuid=%s" % uuid), "")
        self.assertNotIn(vbd, self.x.VBD.get_all())
        # an empty CD drive, then media in and out
        loc = self.new_location("xe-iso")
        iso_sr = self.x.SR.create(self.host, {"location": loc}, "0", "xe-iso-sr", "", "file",
                                  "iso", False, {})
        iso = self.create_vdi(iso_sr, MIB, "xe.iso")
        cd = self.new_uuid("vbd-create", "vm-uuid=%s" % vm_uuid, "device=3", "type=CD",
                           "mode=RO")
        self.assertTrue(self.x.VBD.get_empty(self.x.VBD.get_by_uuid(cd)))
        self.assertEqual(self.xe("vbd-insert", "uuid=%s" % cd,
                                 "vdi-uuid=%s" % self.x.VDI.get_uuid(iso)), "")
        self.assertEqual(self.x.VBD.get_VDI(self.x.VBD.get_by_uuid(cd)), iso)
        self.assertEqual(self.xe("vbd-eject", "uuid=%s" % cd), "")
        self.assertTrue(self.x.VBD.get_empty(self.x.VBD.get_by_uuid(cd)))
        err = self.xe_fails("vbd-eject", "uuid=%s" % cd)
        self.assertIn("Error code: VBD_IS_EMPTY\n", err)
        err = self.xe_fails("vbd-create", "vm-uuid=%s" % vm_uuid)
        self.assertEqual(err, "Required parameter not found: device\n")
        err = self.xe_fails("vbd-create", "vm-uuid=%s" % vm_uuid, "device=4", "bootable=perhaps")
        self.assertEqual(err, "Error: Parameter bootable: 'perhaps' is not a boolean\n")
        err = self.xe_fails("vbd-create", "vm-uuid=%s" % vm_uuid, "device=4", "vdi-uuid=nope")
        self.assertIn("Error code: UUID_INVALID\nError parameters: VDI, nope\n", err)
        err = self.xe_fails("vbd-unplug", "uuid=%s" % cd, "timeout=5")
        self.assertIn("Parameter timeout is not supported", err)
        self.x.VBD.destroy(self.x.VBD.get_by_uuid(cd))
        self.x.VDI.destroy(iso)
        self.x.VDI.destroy(vdi)

    def test_vif_and_network_commands(self):
        vm, vm_uuid = self.new_vm("xe-vif-vm")
        net = self.new_uuid("network-create", "name-label=xe net", "name-description=by xe",
                            "MTU=9000")
        rec = self.x.network.get_record(self.x.network.get_by_uuid(net))
        self.assertEqual((rec["name_label"], rec["name_description"], rec["MTU"]),
                         ("xe net", "by xe", "9000"))
        net2 = self.new_uuid("network-create", "name-label=xe net 2")
        vif = self.new_uuid("vif-create", "vm-uuid=%s" % vm_uuid, "network-uuid=%s" % net,
                            "device=0", "mac=aa:bb:cc:dd:ee:01")
        ref = self.x.VIF.get_by_uuid(vif)
        self.assertEqual((self.x.VIF.get_MAC(ref), self.x.VIF.get_device(ref)),
                         ("aa:bb:cc:dd:ee:01", "0"))
        vif2 = self.new_uuid("vif-create", "vm-uuid=%s" % vm_uuid, "network-uuid=%s" % net,
                             "device=1")
        self.assertRegex(self.x.VIF.get_MAC(self.x.VIF.get_by_uuid(vif2)), "^[0-9a-f:]{17}$")
        p = self.run_xe(["vif-move", "uuid=%s" % vif, "network-uuid=%s" % net2])
        if p.returncode == 0:
            self.assertEqual(self.x.VIF.get_network(ref), self.x.network.get_by_uuid(net2))
        else:
            self.assertIn("Error code: ", p.stderr)
        self.xe("vm-start", "vm=xe-vif-vm")
        self.assertEqual(self.xe("vif-unplug", "uuid=%s" % vif2), "")
        self.assertFalse(self.x.VIF.get_currently_attached(self.x.VIF.get_by_uuid(vif2)))
        self.assertEqual(self.xe("vif-plug", "uuid=%s" % vif2), "")
        self.assertTrue(self.x.VIF.get_currently_attached(self.x.VIF.get_by_uuid(vif2)))
        self.xe("vif-unplug", "uuid=%s" % vif2, "--force")
        self.xe("vm-shutdown", "vm=xe-vif-vm", "--force")
        for v in (vif, vif2):
            self.assertEqual(self.xe("vif-destroy", "uuid=%s" % v), "")
        self.assertEqual(self.x.VM.get_VIFs(vm), [])
        self.assertEqual(self.xe("network-destroy", "uuid=%s" % net2), "")
        self.xe("network-destroy", "uuid=%s" % net)
        err = self.xe_fails("network-create", "name-label=x", "MTU=big")
        self.assertEqual(err, "Error: Parameter MTU must be an integer\n")
        err = self.xe_fails("network-create")
        self.assertEqual(err, "Required parameter not found: name-label\n")
        err = self.xe_fails("vif-create", "vm-uuid=%s" % vm_uuid, "device=0",
                            "network-uuid=nope")
        self.assertIn("Error code: UUID_INVALID\nError parameters: network, nope\n", err)
        err = self.xe_fails("network-destroy", "uuid=nope")
        self.assertIn("Error code: UUID_INVALID\n", err)

    def test_pif_vlan_bond_tunnel_send_their_calls(self):
        host = self.x.host.get_uuid(self.host)
        net = self.new_uuid("network-create", "name-label=xe-l2")
        # the calls reach the server: its answer, or its error, is xe's
        p = self.run_xe(["pif-scan", "host-uuid=%s" % host])
        self.assertTrue(p.returncode == 0 and p.stdout == "" or "Error code: " in p.stderr,
                        p.stderr)
        p = self.run_xe(["pif-introduce", "host-uuid=%s" % host, "device=xenotfound0"])
        self.assertEqual(p.returncode, 1)
        self.assertIn("Error code: ", p.stderr)
        pifs = self.x.PIF.get_all()
        if pifs:
            pif = self.x.PIF.get_uuid(pifs[0])
            for args in (["vlan-create", "pif-uuid=%s" % pif, "vlan=4001",
                          "network-uuid=%s" % net],
                         ["tunnel-create", "pif-uuid=%s" % pif, "network-uuid=%s" % net]):
                p = self.run_xe(args)
                if p.returncode == 0:
                    self.assertRegex(p.stdout.strip(), UUID_RE)
                else:
                    self.assertIn("Error code: ", p.stderr)
        # what xe checks before sending
        err = self.xe_fails("vlan-create", "pif-uuid=nope", "vlan=5", "network-uuid=%s" % net)
        self.assertIn("Error code: UUID_INVALID\nError parameters: PIF, nope\n", err)
        err = self.xe_fails("vlan-create", "pif-uuid=nope", "vlan=five", "network-uuid=%s" % net)
        self.assertEqual(err, "Error: Parameter vlan must be an integer\n")
        err = self.xe_fails("bond-create", "network-uuid=%s" % net, "pif-uuids=a,b")
        self.assertIn("Error code: UUID_INVALID\nError parameters: PIF, a\n", err)
        err = self.xe_fails("bond-create", "network-uuid=%s" % net)
        self.assertEqual(err, "Required parameter not found: pif-uuids\n")
        err = self.xe_fails("tunnel-create", "pif-uuid=nope", "network-uuid=%s" % net)
        self.assertIn("Error code: UUID_INVALID\nError parameters: PIF, nope\n", err)
        for cmd, cls in (("pif-plug", "PIF"), ("pif-unplug", "PIF"), ("pif-forget", "PIF"),
                         ("vlan-destroy", "VLAN"), ("bond-destroy", "Bond"),
                         ("tunnel-destroy", "tunnel")):
            err = self.xe_fails(cmd, "uuid=nope")
            self.assertIn("Error code: UUID_INVALID\nError parameters: %s, nope\n" % cls, err)
        err = self.xe_fails("pif-reconfigure-ip", "uuid=nope")
        self.assertEqual(err, "Required parameter not found: mode\n")
        err = self.xe_fails("bond-set-mode", "uuid=nope", "mode=active-backup")
        self.assertIn("Error code: UUID_INVALID\nError parameters: Bond, nope\n", err)
        self.xe("network-destroy", "uuid=%s" % net)

"""Networking on a real dom0 kernel (tests/xen/xenhost.py boots it): the
bridge backend at xapid's first start (every NIC a PIF on a bridge of its
own, the management NIC's address moved onto its bridge, xapid still
reached through it), then a bond and a VLAN on it, which this machine's
kernel cannot make (no bonding, no 8021q): two of dom0's NICs bonded
(active-backup), VLAN 10 on the bond, dom0 and a PV guest on that VLAN
reached from the machine at the other end of the cable (a third NIC on the
same QEMU hub, moved into a network namespace of dom0's, tagging its
frames itself), and again after the bond's active NIC goes down.

Run by tests/xen/run (and so by tools/test); by hand:
    XEN_TEST_BUILDDIR=build python3 -m unittest -v tests/xen/test_xen_bridge_network.py
"""
import os
import re
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
import xenhost  # noqa: E402
from harness import vif_record  # noqa: E402
from test_xen_lifecycle import pv_guest  # noqa: E402

PEER_NS = "xt-peer"
LAN_MAC = "52:54:00:12:35:%02x"   # xenhost.py's LAN NICs, in order


class XenNetwork(xenhost.XenTestCase):
    network = True

    def sh(self, cmd, timeout=120):
        rc, out = self.xen.dom0(cmd, timeout=timeout)
        self.assertEqual(rc, 0, "%s: %s" % (cmd, out))
        return out

    def pif_by_mac(self, mac):
        for ref, p in self.x.PIF.get_all_records().items():
            if p["MAC"] == mac and p["VLAN"] == "-1" and not p["bond_master_of"]:
                return ref, p
        self.fail("no PIF of MAC %s: %s" % (mac, self.x.PIF.get_all_records()))

    def quiet(self, fn, *args):
        try:
            fn(*args)
        except Exception:
            pass

    def test_a_first_start_keeps_the_management_address(self):
        ref, mgmt = self.pif_by_mac(xenhost.MANAGEMENT_MAC)
        self.assertTrue(mgmt["management"])
        self.assertTrue(mgmt["currently_attached"])
        # QEMU's user network leases 10.0.2.15 behind the gateway 10.0.2.2
        self.assertEqual((mgmt["ip_configuration_mode"], mgmt["IP"], mgmt["netmask"],
                          mgmt["gateway"]), ("Static", "10.0.2.15", "255.255.255.0", "10.0.2.2"))
        bridge = self.x.network.get_bridge(mgmt["network"])
        self.assertIn("10.0.2.15/24", self.sh("ip -o -4 addr show dev %s" % bridge))
        self.assertNotIn("inet ", self.sh("ip -o -4 addr show dev %s" % mgmt["device"]))
        self.assertIn("master %s" % bridge, self.sh("ip -o link show dev %s" % mgmt["device"]))
        self.assertIn("default via 10.0.2.2 dev %s" % bridge, self.sh("ip route"))
        for i in range(xenhost.LAN_NICS):
            _, p = self.pif_by_mac(LAN_MAC % i)
            self.assertTrue(p["physical"])
            self.assertTrue(p["currently_attached"])
            self.assertFalse(p["management"])
            self.assertEqual(p["ip_configuration_mode"], "None")

    def peer(self, device):
        """The machine at the other end of the cable: device (a NIC on the
        bond's hub) moved into a namespace, tagging VLAN 10 itself."""
        self.sh("ip netns del %s 2>/dev/null; ip netns add %s" % (PEER_NS, PEER_NS))
        self.addCleanup(self.xen.dom0, "ip netns del %s" % PEER_NS)
        self.sh("ip link set %s netns %s" % (device, PEER_NS))
        n = "ip -n %s " % PEER_NS
        self.sh(n + "link set %s up && " % device +
                n + "link add link %s name v10 type vlan id 10 && " % device +
                n + "addr add 10.77.0.2/24 dev v10 && " + n + "link set v10 up")

    def ping_from_peer(self, address):
        rc, out = self.xen.dom0("ip netns exec %s ping -c 3 -W 3 %s" % (PEER_NS, address),
                                timeout=60)
        return rc == 0, out

    def bonding(self, device):
        return self.sh("cat /proc/net/bonding/%s" % device)

    def test_bond_and_vlan_carry_a_guest_through_failover(self):
        a, _ = self.pif_by_mac(LAN_MAC % 0)
        b, _ = self.pif_by_mac(LAN_MAC % 1)
        peer_pif, peer = self.pif_by_mac(LAN_MAC % 2)
        # the peer's NIC leaves xapid's hands (and dom0's namespace)
        self.x.PIF.unplug(peer_pif)
        self.x.PIF.forget(peer_pif)
        self.addCleanup(self.quiet, self.x.PIF.scan, self.x.host.get_all()[0])
        self.peer(peer["device"])

        bond_net = self.x.network.create({"name_label": "xt-bond", "name_description": "",
                                          "other_config": {}, "MTU": "1500"})
        self.addCleanup(self.quiet, self.x.network.destroy, bond_net)
        bond = self.x.Bond.create(bond_net, [a, b], "", "active-backup", {})
        self.addCleanup(self.quiet, self.x.Bond.destroy, bond)
        bond_pif = self.x.Bond.get_master(bond)
        bond_dev = self.x.PIF.get_device(bond_pif)
        info = self.bonding(bond_dev)
        self.assertIn("fault-tolerance (active-backup)", info)
        slaves = re.findall(r"Slave Interface: (\S+)", info)
        self.assertEqual(sorted(slaves), sorted(self.x.PIF.get_device(p) for p in (a, b)))

        vlan_net = self.x.network.create({"name_label": "xt-vlan10", "name_description": "",
                                          "other_config": {}, "MTU": "1500"})
        self.addCleanup(self.quiet, self.x.network.destroy, vlan_net)
        vlan = self.x.VLAN.create(bond_pif, "10", vlan_net)
        self.addCleanup(self.quiet, self.x.VLAN.destroy, vlan)
        vlan_pif = self.x.VLAN.get_untagged_PIF(vlan)
        self.assertRegex(self.sh("cat /proc/net/vlan/config"), r"\| 10 +\| %s" % bond_dev)
        self.x.PIF.reconfigure_ip(vlan_pif, "Static", "10.77.0.1", "255.255.255.0", "", "")
        # dom0 on VLAN 10, over the bond, to the peer and back
        ok, out = self.ping_from_peer("10.77.0.1")
        self.assertTrue(ok, out)

        vm = self.x.VM.create(pv_guest("xt-vlan-guest",
                                       PV_args="console=hvc0 quiet guest_ip=10.77.0.3/24"))
        self.addCleanup(self.quiet, self.x.VM.destroy, vm)
        self.addCleanup(self.quiet, self.x.VM.hard_shutdown, vm)
        vif = self.x.VIF.create(vif_record(vm, vlan_net, "0"))
        self.start_vm(vm)
        self.wait_console(vm, r"GUEST-NET eth0 10\.77\.0\.3/24")
        domid = self.x.VM.get_domid(vm)
        vlan_bridge = self.x.network.get_bridge(vlan_net)
        self.assertIn("master %s" % vlan_bridge,
                      self.sh("ip -o link show dev vif%s.0" % domid))
        self.assertTrue(self.x.VIF.get_currently_attached(vif))
        ok, out = self.ping_from_peer("10.77.0.3")
        self.assertTrue(ok, "the guest is not reached on VLAN 10: %s" % out)

        # the active NIC goes down: the other one carries the VLAN
        active = re.search(r"Currently Active Slave: (\S+)", self.bonding(bond_dev)).group(1)
        self.sh("ip link set %s down" % active)
        self.addCleanup(self.xen.dom0, "ip link set %s up" % active)
        deadline = time.monotonic() + 30
        now = active
        while now == active and time.monotonic() < deadline:
            time.sleep(1)
            now = re.search(r"Currently Active Slave: (\S+)", self.bonding(bond_dev)).group(1)
        self.assertNotEqual(now, active, self.bonding(bond_dev))
        ok, out = self.ping_from_peer("10.77.0.3")
        self.assertTrue(ok, "the guest is not reached after failover: %s" % out)

        # and everything goes with its objects
        self.x.VM.hard_shutdown(vm)
        self.x.VLAN.destroy(vlan)
        self.assertNotRegex(self.sh("cat /proc/net/vlan/config 2>/dev/null || true"),
                            r"\| 10 +\| %s" % bond_dev)
        self.x.Bond.destroy(bond)
        rc, _ = self.xen.dom0("test -e /proc/net/bonding/%s" % bond_dev)
        self.assertNotEqual(rc, 0, "bond %s left in dom0" % bond_dev)

    def test_z_xapid_stayed_whole(self):
        """The same xapid served the whole class: no fatal signal, no
        sanitizer report in its journal."""
        rc, out = self.xen.dom0("journalctl -u xapid --no-pager | grep -E 'fatal signal|"
                                "AddressSanitizer|LeakSanitizer|runtime error:|Fatal glibc "
                                "error|double free|corrupted' | head -n 20")
        self.assertEqual(out.strip(), "", out)
        rc, out = self.xen.dom0("systemctl is-active xapid")
        self.assertEqual(out.strip(), "active", out)


if __name__ == "__main__":
    unittest.main()

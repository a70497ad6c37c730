"""VLANs and bonds through the wire on the Open vSwitch backend (the kernel
here has no 8021q or bonding module: OVS's own VLANs and bonds are what a
xapi-c host has), with real traffic:

- VLAN 100 and VLAN 200 over one trunk PIF (eth1): the far end of its cable
  is a second OVS (the "physical switch", in the simulated LAN's namespace)
  with an access port on each VLAN. A VM on VLAN 100 reaches the switch's
  VLAN 100 port through the trunk, a VM on VLAN 200 its VLAN 200 port, and
  a VM on VLAN 200 given an address of VLAN 100's subnet reaches nothing of
  VLAN 100: the frames are tagged on the wire and kept apart.
- An active-backup bond of eth2 and eth3 (their cables end on a Linux bridge
  in the LAN namespace): a ping from a VM on the bond's network keeps going
  when the active member's cable goes down.
- Bad input (tag 4095, a bond of one PIF) is refused with xapi's error, and
  `ovs-vsctl show` is as it was."""
import re
import subprocess
import time
import unittest

from net_util import ip, ping
from ovs_fixture import OvsSandbox, run
from test_network_ovs import OvsNetworkCase


class OvsVlanBondTest(OvsNetworkCase):
    sim_nics = "eth0,eth1,eth2,eth3"

    @classmethod
    def setUpClass(cls):
        cls.daemon_config = dict(cls.daemon_config, sim_nics=cls.sim_nics)
        super().setUpClass()
        cls.lan = cls.netns + "-lan"
        try:
            cls.far = OvsSandbox(netns=cls.lan).start()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        far = getattr(cls, "far", None)
        try:
            super().tearDownClass()
        finally:
            if far:
                far.stop()

    def pif(self, device):
        for p in self.x.PIF.get_all():
            if self.x.PIF.get_device(p) == device and self.x.PIF.get_VLAN(p) == "-1" \
                    and self.x.PIF.get_physical(p):
                return p
        self.fail("no PIF %s" % device)

    def network(self, label):
        return self.private_network(label)

    def vm_on(self, net, label, address):
        vm, vif = self.vm_with_vif(net, label)
        self.x.VM.start(vm, False, False)
        self.guest_address(vm, address)
        return vm

    def test_vlans_over_one_trunk_are_isolated(self):
        # the physical switch: trunk port lan1, an access port per VLAN
        self.far.vsctl("add-br", "sw", "--", "set", "bridge", "sw", "datapath_type=netdev")
        self.far.vsctl("add-port", "sw", "lan1")
        for tag, addr in (("100", "10.81.100.9/24"), ("200", "10.81.200.9/24")):
            port = "acc" + tag
            self.far.vsctl("add-port", "sw", port, "tag=" + tag, "--", "set", "Interface",
                           port, "type=internal")
            ip("addr", "add", addr, "dev", port, ns=self.lan)
            ip("link", "set", port, "up", ns=self.lan)
        trunk = self.pif("eth1")
        if not self.x.PIF.get_currently_attached(trunk):
            self.x.PIF.plug(trunk)
        n100, n200 = self.network("it-vlan100"), self.network("it-vlan200")
        v100 = self.x.VLAN.create(trunk, "100", n100)
        self.addCleanup(self.quiet, self.x.VLAN.destroy, v100)
        v200 = self.x.VLAN.create(trunk, "200", n200)
        self.addCleanup(self.quiet, self.x.VLAN.destroy, v200)
        b100, b200 = self.x.network.get_bridge(n100), self.x.network.get_bridge(n200)
        parent = self.x.network.get_bridge(self.x.PIF.get_network(trunk))
        for br, tag in ((b100, "100"), (b200, "200")):
            self.assertEqual(self.vsctl("br-to-parent", br), parent)
            self.assertEqual(self.vsctl("br-to-vlan", br), tag)
        vm1 = self.vm_on(n100, "it-v100", "10.81.100.1/24")
        vm2 = self.vm_on(n200, "it-v200", "10.81.200.2/24")
        vm3 = self.vm_on(n200, "it-v200-wrong", "10.81.100.3/24")
        self.assertTrue(ping(self.vm_ns(vm1), "10.81.100.9", count=3), "VLAN 100 over the trunk")
        self.assertTrue(ping(self.vm_ns(vm2), "10.81.200.9", count=3), "VLAN 200 over the trunk")
        self.assertFalse(ping(self.vm_ns(vm3), "10.81.100.9", count=2, timeout=1),
                         "VLAN 200 reaches VLAN 100's switch port")
        self.assertFalse(ping(self.vm_ns(vm3), "10.81.100.1", count=2, timeout=1),
                         "VLAN 200 reaches a VM of VLAN 100")
        vif_dev = "vif%s.0" % self.x.VM.get_domid(vm1)
        self.assertEqual(self.vsctl("get", "Port", vif_dev, "tag"), "100")
        # destroyed: its bridge and ports go, the other VLAN stays
        self.x.VM.hard_shutdown(vm1)
        self.x.VLAN.destroy(v100)
        self.assertNotIn(b100, self.vsctl("list-br").split())
        self.assertIn(b200, self.vsctl("list-br").split())
        self.assertTrue(ping(self.vm_ns(vm2), "10.81.200.9", count=2))

    def test_bad_vlan_and_bond_leave_nothing(self):
        trunk = self.pif("eth1")
        net = self.network("it-bad")
        before = self.vsctl("show")
        for tag in ("4095", "-1"):
            self.assertFailure(["VLAN_TAG_INVALID", tag], self.x.VLAN.create, trunk, tag, net)
        self.assertFailure(["PIF_BOND_NEEDS_MORE_MEMBERS"], self.x.Bond.create, net,
                           [self.pif("eth2")], "", "active-backup", {})
        self.assertEqual(self.vsctl("show"), before)
        self.assertEqual(self.x.network.get_PIFs(net), [])

    def test_active_backup_bond_keeps_the_ping(self):
        # the physical switch of the bond: a Linux bridge of both cables
        ip("link", "add", "swb", "type", "bridge", ns=self.lan)
        for lan in ("lan2", "lan3"):
            ip("link", "set", lan, "master", "swb", ns=self.lan)
        ip("addr", "add", "10.82.0.9/24", "dev", "swb", ns=self.lan)
        ip("link", "set", "swb", "up", ns=self.lan)
        net = self.network("it-bond")
        bond = self.x.Bond.create(net, [self.pif("eth2"), self.pif("eth3")], "",
                                  "active-backup", {})
        self.addCleanup(self.quiet, self.x.Bond.destroy, bond)
        master = self.x.Bond.get_master(bond)
        dev = self.x.PIF.get_device(master)
        bridge = self.x.network.get_bridge(net)
        self.assertEqual(self.vsctl("list-ports", bridge).split(), [dev])
        self.assertEqual(self.vsctl("get", "Port", dev, "bond_mode"), "active-backup")
        self.assertEqual(sorted(set(self.vsctl("list-ifaces", bridge).split()) - {bridge}),
                         ["eth2", "eth3"], "the bond's interfaces are the members")
        vm = self.vm_on(net, "it-bonded", "10.82.0.1/24")
        self.assertTrue(ping(self.vm_ns(vm), "10.82.0.9", count=3), "through the bond")
        show = self.ovs.appctl("ovs-vswitchd", "bond/show", dev)
        active = re.search(r"active (?:member|slave) mac: \S+\((\S+)\)", show).group(1)
        cable = {"eth2": "lan2", "eth3": "lan3"}[active]
        pinger = subprocess.Popen(["ip", "netns", "exec", self.vm_ns(vm), "ping", "-i", "0.2",
                                   "-c", "40", "-W", "1", "10.82.0.9"],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(2)
        ip("link", "set", cable, "down", ns=self.lan)     # the active member's cable
        out = pinger.communicate(timeout=60)[0]
        got = re.search(r"(\d+) received", out)
        self.assertTrue(got and int(got.group(1)) >= 25, "the ping stopped:\n" + out)
        show = self.ovs.appctl("ovs-vswitchd", "bond/show", dev)
        self.assertNotIn("(%s)" % active, show.split("\n\n")[0])


if __name__ == "__main__":
    unittest.main()

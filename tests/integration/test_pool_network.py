"""The pool-wide network calls on a one-host pool, on the Open vSwitch
backend (whose VLANs this kernel can carry): pool.create_VLAN_from_PIF (a
VLAN on every host's PIF of the given PIF's network) and
pool.management_reconfigure (every host's management interface to its PIF
on a network), with xapi's errors, and xe's pool-vlan-create,
pool-management-reconfigure and pool-sync-database."""
import subprocess

from harness import ROOT_PASSWORD, ROOT_USER, build_dir
from test_network_ovs import OvsNetworkCase


class PoolNetworkTest(OvsNetworkCase):
    def pif(self, device):
        for ref, p in self.x.PIF.get_all_records().items():
            if p["device"] == device and p["VLAN"] == "-1" and p["physical"]:
                return ref
        self.fail("no PIF %s" % device)

    def xe(self, *args):
        return subprocess.run([str(build_dir() / "xe"), "--socket", self.daemon.socket_path,
                               "-u", ROOT_USER, "-pw", ROOT_PASSWORD] + list(args),
                              capture_output=True, text=True, timeout=60)

    def test_vlan_on_every_host(self):
        eth1 = self.pif("eth1")
        net = self.private_network("pool-vlan-42")
        pifs = self.x.pool.create_VLAN_from_PIF(eth1, net, "42")
        self.assertEqual(len(pifs), 1)
        rec = self.x.PIF.get_record(pifs[0])
        self.assertEqual((rec["VLAN"], rec["network"], rec["device"]), ("42", net, "eth1"))
        vlan = rec["VLAN_master_of"]
        self.assertEqual(self.x.VLAN.get_tagged_PIF(vlan), eth1)
        self.assertEqual(self.x.VLAN.get_tag(vlan), "42")
        # the network now has its PIF: a second VLAN onto it is refused, nothing made
        before = sorted(self.x.VLAN.get_all())
        err = self.assertFailure("NETWORK_ALREADY_CONNECTED",
                                 self.x.pool.create_VLAN_from_PIF, eth1, net, "43")
        self.assertEqual(sorted(self.x.VLAN.get_all()), before, err)
        self.x.VLAN.destroy(vlan)

    def test_vlan_bad_input(self):
        eth1 = self.pif("eth1")
        net = self.private_network("pool-vlan-bad")
        before = sorted(self.x.PIF.get_all())
        self.assertFailure(["VLAN_TAG_INVALID", "4095"], self.x.pool.create_VLAN_from_PIF,
                           eth1, net, "4095")
        bad = "OpaqueRef:00000000-0000-0000-0000-0000000000aa"
        self.assertFailure(["HANDLE_INVALID", "PIF", bad], self.x.pool.create_VLAN_from_PIF,
                           bad, net, "5")
        self.assertFailure(["HANDLE_INVALID", "network", bad],
                           self.x.pool.create_VLAN_from_PIF, eth1, bad, "5")
        self.assertEqual(sorted(self.x.PIF.get_all()), before)

    def test_xe_pool_vlan_create(self):
        eth1 = self.pif("eth1")
        net = self.private_network("pool-vlan-xe")
        r = self.xe("pool-vlan-create", "pif-uuid=" + self.x.PIF.get_uuid(eth1), "vlan=77",
                    "network-uuid=" + self.x.network.get_uuid(net))
        self.assertEqual(r.returncode, 0, r.stderr)
        new = self.x.PIF.get_by_uuid(r.stdout.strip())
        self.assertEqual(self.x.PIF.get_VLAN(new), "77")
        self.x.VLAN.destroy(self.x.PIF.get_VLAN_master_of(new))
        r = self.xe("pool-vlan-create", "pif-uuid=" + self.x.PIF.get_uuid(eth1), "vlan=x",
                    "network-uuid=" + self.x.network.get_uuid(net))
        self.assertEqual((r.returncode, r.stderr), (1, "Error: Parameter vlan must be an integer\n"))

    def test_management_reconfigure(self):
        eth0, eth1 = self.pif("eth0"), self.pif("eth1")
        host = self.x.PIF.get_host(eth1)
        empty = self.private_network("pool-mgmt-empty")
        self.assertFailure(["PIF_NOT_PRESENT", host, empty], self.x.pool.management_reconfigure,
                           empty)
        net1 = self.x.PIF.get_network(eth1)
        self.x.PIF.reconfigure_ip(eth1, "None", "", "", "", "")
        self.assertFailure(["PIF_HAS_NO_NETWORK_CONFIGURATION", eth1],
                           self.x.pool.management_reconfigure, net1)
        self.assertTrue(self.x.PIF.get_management(eth0))
        self.x.PIF.reconfigure_ip(eth1, "Static", "192.0.2.20", "255.255.255.0", "", "")
        self.x.pool.management_reconfigure(net1)
        self.assertTrue(self.x.PIF.get_management(eth1))
        self.assertFalse(self.x.PIF.get_management(eth0))
        # and back through xe
        if self.x.PIF.get_ip_configuration_mode(eth0) == "None":
            self.x.PIF.reconfigure_ip(eth0, "Static", "192.0.2.10", "255.255.255.0", "", "")
        r = self.xe("pool-management-reconfigure",
                    "network-uuid=" + self.x.network.get_uuid(self.x.PIF.get_network(eth0)))
        self.assertEqual((r.returncode, r.stdout), (0, ""), r.stderr)
        self.assertTrue(self.x.PIF.get_management(eth0))
        self.assertFalse(self.x.PIF.get_management(eth1))

    def test_xe_pool_sync_database(self):
        r = self.xe("pool-sync-database")
        self.assertEqual((r.returncode, r.stdout, r.stderr), (0, "", ""))

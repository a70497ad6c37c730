"""The network API through the wire on the bridge backend, in a simulated
host's network namespace: first boot's PIFs and networks, PIF.scan with any
interface name, forget and scan again, IP configuration (static through
netlink, DHCP from a dnsmasq on the simulated cable), vxlan tunnels, and
every bad input with xapi's exact error, nothing half-made left behind
(checked with `ip`)."""
import os
import signal
import subprocess
import time
import unittest

import harness
from harness import NULL_REF, vif_record, vm_record
import net_util
from net_util import NetworkTestCase, in_ns, ip, links, namespaces


class FirstBootTest(NetworkTestCase):

    def test_pifs_networks_management(self):
        pifs = self.x.PIF.get_all_records()
        by_dev = {p["device"]: (r, p) for r, p in pifs.items()}
        self.assertEqual(sorted(by_dev), ["eth0", "eth1"])
        host_links = links(self.netns)
        for dev, (ref, p) in by_dev.items():
            self.assertTrue(p["physical"])
            self.assertTrue(p["currently_attached"])
            self.assertEqual(p["VLAN"], "-1")
            self.assertEqual(p["host"], self.host())
            bridge = self.x.network.get_bridge(p["network"])
            self.assertEqual(bridge, "xenbr" + dev[3:])
            self.assertEqual(host_links[dev]["master"], bridge)
            self.assertIn(p["MAC"], ip("link", "show", dev, ns=self.netns))
            m = self.x.PIF_metrics.get_record(p["metrics"])
            self.assertEqual(m["speed"], "10000")  # veth says so through ethtool
            self.assertTrue(m["duplex"])
        self.assertTrue(by_dev["eth0"][1]["management"])
        self.assertFalse(by_dev["eth1"][1]["management"])
        sv = self.x.host.get_software_version(self.host())
        self.assertEqual(sv["network_backend"], "bridge")

    def test_management_cannot_unplug_or_forget(self):
        pif = [r for r, p in self.x.PIF.get_all_records().items() if p["management"]][0]
        self.assertFailure(["PIF_IS_MANAGEMENT_INTERFACE", pif], self.x.PIF.unplug, pif)
        self.assertFailure(["PIF_IS_MANAGEMENT_INTERFACE", pif], self.x.PIF.forget, pif)
        self.assertFailure(["PIF_IS_MANAGEMENT_INTERFACE", pif], self.x.PIF.reconfigure_ip,
                           pif, "None", "", "", "", "")


class FirstBootKeepsAddressTest(NetworkTestCase):
    """A host whose management NIC already has its address (the installer's
    or the OS's) stays reachable at xapid's first start: the address and
    the default route move onto the NIC's bridge, and the PIF says so."""

    @classmethod
    def setUpClass(cls):
        # the host's network exists before xapid starts (xapid reuses it):
        # eth0 addressed as an operator's machine would be
        ns = net_util.new_ns_name("fbaddr")
        cls.preset_netns = ns
        try:
            for n in (ns, ns + "-lan"):
                ip("netns", "add", n)
            ip("link", "add", "eth0", "type", "veth", "peer", "name", "lan0", "netns", ns + "-lan",
               ns=ns)
            ip("link", "set", "eth0", "up", ns=ns)
            ip("link", "set", "lan0", "up", ns=ns + "-lan")
            ip("addr", "add", "198.51.100.20/24", "dev", "eth0", ns=ns)
            ip("route", "add", "default", "via", "198.51.100.1", "dev", "eth0", ns=ns)
            ip("addr", "add", "198.51.100.1/24", "dev", "lan0", ns=ns + "-lan")
        except BaseException:
            net_util.remove_namespaces(ns)
            raise
        super().setUpClass()

    def test_address_moves_to_the_bridge(self):
        pif = [r for r, p in self.x.PIF.get_all_records().items() if p["device"] == "eth0"][0]
        rec = self.x.PIF.get_record(pif)
        self.assertTrue(rec["management"])
        self.assertEqual((rec["ip_configuration_mode"], rec["IP"], rec["netmask"], rec["gateway"]),
                         ("Static", "198.51.100.20", "255.255.255.0", "198.51.100.1"))
        self.assertIn("198.51.100.20/24", ip("-o", "-4", "addr", "show", "xenbr0", ns=self.netns))
        self.assertNotIn("inet ", ip("-o", "-4", "addr", "show", "eth0", ns=self.netns))
        self.assertIn("default via 198.51.100.1 dev xenbr0", ip("route", ns=self.netns))
        self.assertEqual(links(self.netns)["eth0"]["master"], "xenbr0")
        # the host is still reached at its address, now through the bridge
        self.assertTrue(net_util.ping(self.netns + "-lan", "198.51.100.20"))
        # eth1 had no address: nothing configured
        eth1 = [p for p in self.x.PIF.get_all_records().values() if p["device"] == "eth1"][0]
        self.assertEqual(eth1["ip_configuration_mode"], "None")


class ScanTest(NetworkTestCase):
    """NICs of any name (the old API took only peth*)."""

    NAMES = ["ens7-test", "enp0s31f6x", "e", "abcdefghijklmno"]  # the last is 15 characters

    def add_nic(self, name, i):
        ip("link", "add", name, "type", "veth", "peer", "name", "scan%d" % i, "netns",
           self.netns + "-lan", ns=self.netns)

    def test_scan_any_name_forget_and_rescan(self):
        for i, n in enumerate(self.NAMES):
            self.add_nic(n, i)
        self.x.PIF.scan(self.host())
        pifs = {p["device"]: r for r, p in self.x.PIF.get_all_records().items()}
        for n in self.NAMES:
            self.assertIn(n, pifs)
            self.assertTrue(self.x.PIF.get_physical(pifs[n]))
        nets = {self.x.network.get_bridge(self.x.PIF.get_network(pifs[n])) for n in self.NAMES}
        self.assertEqual(len(nets), 4, "each new NIC gets a network of its own")
        # scanning again makes nothing twice
        count = len(self.x.PIF.get_all())
        self.x.PIF.scan(self.host())
        self.assertEqual(len(self.x.PIF.get_all()), count)
        # forgotten PIFs come back on the next scan
        forgotten = pifs["ens7-test"]
        self.x.PIF.forget(forgotten)
        self.assertNotIn(forgotten, self.x.PIF.get_all())
        self.x.PIF.scan(self.host())
        again = [r for r, p in self.x.PIF.get_all_records().items() if p["device"] == "ens7-test"]
        self.assertEqual(len(again), 1)
        self.assertNotEqual(again[0], forgotten)

    def test_introduce(self):
        self.add_nic("eno9", 9)
        mac = ip("-o", "link", "show", "eno9", ns=self.netns).split("link/ether ")[1].split()[0]
        pif = self.x.PIF.introduce(self.host(), mac, "eno9", True)
        self.assertEqual(self.x.PIF.get_device(pif), "eno9")
        self.assertEqual(self.x.PIF.get_MAC(pif), mac)
        self.assertFailure(["DUPLICATE_PIF_DEVICE_NAME", "eno9"], self.x.PIF.introduce,
                           self.host(), mac, "eno9", True)
        self.assertFailure(["PIF_DEVICE_NOT_FOUND"], self.x.PIF.introduce, self.host(), "",
                           "nosuchnic", True)
        self.assertFailure(["MAC_INVALID", "zz:zz"], self.x.PIF.introduce, self.host(),
                           "zz:zz", "eno9", True)

    def test_scan_bad_host(self):
        self.assertFailure(["HANDLE_INVALID", "host", "OpaqueRef:nope"], self.x.PIF.scan,
                           "OpaqueRef:nope")


class IpConfigTest(NetworkTestCase):

    def eth1(self):
        return [r for r, p in self.x.PIF.get_all_records().items() if p["device"] == "eth1"][0]

    def test_static_then_none(self):
        pif = self.eth1()
        self.x.PIF.reconfigure_ip(pif, "Static", "192.0.2.10", "255.255.255.0", "192.0.2.1", "")
        out = ip("-o", "addr", "show", "xenbr1", ns=self.netns)
        self.assertIn("192.0.2.10/24", out)
        self.assertIn("default via 192.0.2.1 dev xenbr1", ip("route", ns=self.netns))
        rec = self.x.PIF.get_record(pif)
        self.assertEqual((rec["ip_configuration_mode"], rec["IP"], rec["netmask"], rec["gateway"]),
                         ("Static", "192.0.2.10", "255.255.255.0", "192.0.2.1"))
        self.x.PIF.reconfigure_ip(pif, "None", "", "", "", "")
        self.assertNotIn("192.0.2.10", ip("-o", "addr", "show", "xenbr1", ns=self.netns))
        self.assertEqual(self.x.PIF.get_IP(pif), "")

    def test_bad_addresses(self):
        pif = self.eth1()
        self.assertFailure(["INVALID_IP_ADDRESS_SPECIFIED", "IP"], self.x.PIF.reconfigure_ip,
                           pif, "Static", "192.0.2.300", "255.255.255.0", "", "")
        self.assertFailure(["INVALID_IP_ADDRESS_SPECIFIED", "netmask"], self.x.PIF.reconfigure_ip,
                           pif, "Static", "192.0.2.3", "255.0.255.0", "", "")
        self.assertFailure(["INVALID_IP_ADDRESS_SPECIFIED", "gateway"], self.x.PIF.reconfigure_ip,
                           pif, "Static", "192.0.2.3", "255.255.255.0", "gw", "")
        self.assertEqual(self.x.PIF.get_ip_configuration_mode(pif), "None")
        self.assertNotIn("inet ", ip("-o", "addr", "show", "xenbr1", ns=self.netns))

    def test_dhcp_from_dnsmasq(self):
        lan = self.netns + "-lan"
        ip("addr", "add", "198.51.100.1/24", "dev", "lan1", ns=lan)
        pidfile = "/tmp/%s-dnsmasq.pid" % self.netns
        r = in_ns(lan, "dnsmasq", "--interface=lan1", "--bind-interfaces", "--port=0",
                  "--dhcp-range=198.51.100.50,198.51.100.60,255.255.255.0,1h",
                  "--dhcp-option=3,198.51.100.1", "--pid-file=" + pidfile,
                  "--dhcp-leasefile=/tmp/%s-leases" % self.netns)
        self.assertEqual(r.returncode, 0, r.stderr)

        def stop():
            try:
                os.kill(int(open(pidfile).read()), signal.SIGTERM)
            except (OSError, ValueError):
                pass
            for f in (pidfile, "/tmp/%s-leases" % self.netns):
                if os.path.exists(f):
                    os.unlink(f)
        self.addCleanup(stop)
        pif = self.eth1()
        self.x.PIF.reconfigure_ip(pif, "DHCP", "", "", "", "")
        rec = self.x.PIF.get_record(pif)
        self.assertEqual(rec["ip_configuration_mode"], "DHCP")
        self.assertTrue(rec["IP"].startswith("198.51.100."), rec["IP"])
        self.assertEqual(rec["netmask"], "255.255.255.0")
        self.assertEqual(rec["gateway"], "198.51.100.1")
        self.assertIn(rec["IP"] + "/24", ip("-o", "addr", "show", "xenbr1", ns=self.netns))


class BadInputTest(NetworkTestCase):
    """xapi's error each time, and nothing half-made (checked with ip)."""

    def snapshot(self):
        return (sorted(self.x.PIF.get_all()), sorted(self.x.VLAN.get_all()),
                sorted(self.x.Bond.get_all()), sorted(self.x.tunnel.get_all()),
                sorted(links(self.netns)))

    def pifs(self):
        return {p["device"]: r for r, p in self.x.PIF.get_all_records().items()}

    def test_vlan_tags(self):
        pif = self.pifs()["eth1"]
        net = self.private_network("it-vlan")
        before = self.snapshot()
        for tag in ("-1", "4095"):
            self.assertFailure(["VLAN_TAG_INVALID", tag], self.x.VLAN.create, pif, tag, net)
        self.assertEqual(self.snapshot(), before)

    def test_vlan_absent_on_bridge(self):
        if net_util.kernel_has_module("8021q"):
            self.skipTest("this kernel has 8021q: VLANs are there (tests/xen runs them)")
        pif = self.pifs()["eth1"]
        net = self.private_network("it-vlan")
        before = self.snapshot()
        with self.assertRaises(Exception) as cm:
            self.x.VLAN.create(pif, "100", net)
        self.assertEqual(cm.exception.details[0], "OPERATION_NOT_ALLOWED")
        self.assertIn("VLANs are not available", cm.exception.details[1])
        self.assertEqual(self.snapshot(), before)

    def test_bond_of_one(self):
        net = self.private_network("it-bond")
        before = self.snapshot()
        self.assertFailure(["PIF_BOND_NEEDS_MORE_MEMBERS"], self.x.Bond.create, net,
                           [self.pifs()["eth1"]], "", "active-backup", {})
        self.assertEqual(self.snapshot(), before)

    def test_bond_absent_on_bridge(self):
        if net_util.kernel_has_module("bonding"):
            self.skipTest("this kernel has bonding: bonds are there (tests/xen runs them)")
        net = self.private_network("it-bond")
        before = self.snapshot()
        p = self.pifs()
        with self.assertRaises(Exception) as cm:
            self.x.Bond.create(net, [p["eth0"], p["eth1"]], "", "active-backup", {})
        self.assertEqual(cm.exception.details[0], "OPERATION_NOT_ALLOWED")
        self.assertEqual(self.snapshot(), before)

    def test_bond_bad_property_and_mac(self):
        net = self.private_network("it-bond")
        p = self.pifs()
        self.assertFailure(["INVALID_VALUE", "hashing_algorithm", "md5"], self.x.Bond.create,
                           net, [p["eth0"], p["eth1"]], "", "balance-slb",
                           {"hashing_algorithm": "md5"})
        self.assertFailure(["MAC_INVALID", "nope"], self.x.Bond.create, net,
                           [p["eth0"], p["eth1"]], "nope", "balance-slb", {})

    def test_destroy_network_with_plugged_vif(self):
        net = self.private_network("it-busy")
        vm, vif = self.vm_with_vif(net)
        self.x.VM.start(vm, False, False)
        bridge = self.x.network.get_bridge(net)
        self.assertFailure(["NETWORK_CONTAINS_VIF", vif], self.x.network.destroy, net)
        self.assertIn(bridge, links(self.netns))
        self.assertIn(net, self.x.network.get_all())
        self.x.VM.hard_shutdown(vm)
        self.x.VIF.destroy(vif)
        self.x.network.destroy(net)
        self.assertNotIn(bridge, links(self.netns))

    def test_destroy_network_with_pif(self):
        pif = self.pifs()["eth1"]
        net = self.x.PIF.get_network(pif)
        self.assertFailure(["NETWORK_CONTAINS_PIF", pif], self.x.network.destroy, net)
        self.assertIn("xenbr1", links(self.netns))

    def test_mtu(self):
        net = self.private_network("it-mtu")
        self.assertFailure(["INVALID_VALUE", "MTU", "100000"], self.x.network.set_MTU, net,
                           "100000")
        self.assertEqual(self.x.network.get_MTU(net), "1500")
        before = sorted(self.x.network.get_all())
        self.assertFailure(["INVALID_VALUE", "MTU", "100000"], self.x.network.create,
                           {"name_label": "x", "name_description": "", "other_config": {},
                            "MTU": "100000"})
        self.assertEqual(sorted(self.x.network.get_all()), before)
        self.x.network.set_MTU(net, "9000")
        self.assertEqual(self.x.network.get_MTU(net), "9000")

    def test_pif_of_unknown_host_and_handles(self):
        self.assertFailure(["HANDLE_INVALID", "PIF", "OpaqueRef:nope"], self.x.PIF.plug,
                           "OpaqueRef:nope")
        self.assertFailure(["HANDLE_INVALID", "network", "OpaqueRef:nope"], self.x.VLAN.create,
                           self.pifs()["eth1"], "5", "OpaqueRef:nope")

    def test_management_needs_an_address(self):
        pif = self.pifs()["eth1"]
        self.assertFailure(["PIF_HAS_NO_NETWORK_CONFIGURATION", pif],
                           self.x.host.management_reconfigure, pif)

    def test_tunnel(self):
        p = self.pifs()
        net = self.private_network("it-tun")
        before = self.snapshot()
        self.assertFailure(["TRANSPORT_PIF_NOT_CONFIGURED", p["eth1"]], self.x.tunnel.create,
                           p["eth1"], net, "vxlan")
        self.assertFailure(["OPENVSWITCH_NOT_ACTIVE"], self.x.tunnel.create, p["eth1"], net,
                           "gre")
        self.assertEqual(self.snapshot(), before)
        self.x.PIF.reconfigure_ip(p["eth1"], "Static", "203.0.113.5", "255.255.255.0", "", "")
        self.x.network.add_to_other_config(net, "tunnel_remote", "203.0.113.9")
        self.x.network.add_to_other_config(net, "tunnel_key", "42")
        tun = self.x.tunnel.create(p["eth1"], net, "vxlan")
        access = self.x.tunnel.get_access_PIF(tun)
        dev = self.x.PIF.get_device(access)
        self.assertEqual(self.x.tunnel.get_status(tun)["active"], "true")
        detail = ip("-d", "link", "show", dev, ns=self.netns)
        self.assertIn("vxlan id 42 remote 203.0.113.9", detail)
        self.assertEqual(links(self.netns)[dev]["master"], self.x.network.get_bridge(net))
        self.x.tunnel.destroy(tun)
        self.assertNotIn(dev, links(self.netns))
        self.assertNotIn(access, self.x.PIF.get_all())


class RestartTest(NetworkTestCase):
    """kill -9 with VIFs plugged, restart: the same bridges and ports, no
    duplicates; a VIF port nothing owns any more is removed."""

    def test_kill_and_restart(self):
        net = self.private_network("it-restart")
        vm, vif = self.vm_with_vif(net)
        self.x.VM.start(vm, False, False)
        bridge = self.x.network.get_bridge(net)
        before = links(self.netns)
        pifs_before = sorted(self.x.PIF.get_all())
        # a stray port: a vif device of a domain nothing knows about
        ip("link", "add", "vif999.0", "type", "veth", "peer", "name", "stray0", ns=self.netns)
        ip("link", "set", "vif999.0", "master", bridge, ns=self.netns)
        self.restart_daemon(kill=True)
        after = links(self.netns)
        self.assertEqual(sorted(self.x.PIF.get_all()), pifs_before, "PIFs duplicated")
        for dev in ("eth0", "eth1", "xenbr0", "xenbr1"):
            self.assertEqual(after[dev]["master"], before[dev]["master"], dev)
        self.assertIsNone(after["vif999.0"]["master"], "the stray port is still on the bridge")
        self.assertEqual(len([l for l in after if l.startswith("xenbr")]), 2)


if __name__ == "__main__":
    unittest.main()

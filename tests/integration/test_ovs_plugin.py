"""The Open vSwitch backend (plugins/network/ovs) through its ABI, with the
SDK's mock host (xapi-plugin-call, one op per process, as xapid's worker
makes one call at a time) against a real ovsdb-server and ovs-vswitchd
(userspace datapath) that each test class starts in a scratch directory.
The ops run inside a network namespace of the test, as xapid runs a
backend's worker inside the simulated host's namespace; "guests" are
namespaces of their own joined by veth pairs, and traffic between them is
real: ping proves a port, a VLAN, a bond.

What is checked: the rows OVSDB holds (ovs-vsctl, the way an operator looks
at a XenServer host), idempotence (every op twice, no duplicate), the errors
of bad input with nothing half-made left behind, VLAN isolation over a
tagged trunk, active-backup failover, vxlan/gre ports, the ports a bridge
reports for the reconcile after a restart."""

import os
import re
import subprocess
import time
import unittest

import harness
import ovs_fixture
from ovs_fixture import Netns, OvsSandbox, run, unique

WHY_NOT = ovs_fixture.available()


def plugin_call():
    return os.path.join(harness.build_dir(), "sdk", "mock", "xapi-plugin-call")


def ovs_so():
    return os.path.join(harness.plugin_dir(), "ovs.so")


class Result:
    def __init__(self, out, rc):
        self.out, self.rc = out, rc
        m = re.search(r"^error: (\S+) (-?\d+) (.*)$", out, re.M)
        self.code, self.msg = (m.group(1), m.group(3)) if m else (None, None)
        self.pifs = [dict(kv.split("=", 1) for kv in line[5:].split())
                     for line in out.splitlines() if line.startswith("pif: ")]


@unittest.skipIf(WHY_NOT, WHY_NOT)
class OvsCase(unittest.TestCase):
    """A host namespace with its own OVS; helpers to call the plugin in it."""

    settings = {}

    @classmethod
    def setUpClass(cls):
        cls.host = Netns("oh")
        cls.ovs = OvsSandbox(netns=cls.host.name).start()

    @classmethod
    def tearDownClass(cls):
        cls.ovs.stop()
        cls.host.delete()

    def call(self, op, expect_ok=True, kv=None, **args):
        argv = ["ip", "netns", "exec", self.host.name, plugin_call(),
                "-s", "ovsdb_socket=" + self.ovs.db_sock, "-s", "datapath_type=netdev",
                "-s", "veth_nics=true"]   # as xapid sets it in the simulated host
        for k, v in self.settings.items():
            argv += ["-s", "%s=%s" % (k, v)]
        argv += [ovs_so(), op] + ["%s=%s" % kv for kv in args.items()]
        argv += ["kv.%s=%s" % item for item in (kv or {}).items()]
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=60)
        r = Result(p.stdout, p.returncode)
        self.assertNotIn("driver bug", p.stdout, p.stdout)
        self.assertFalse(harness.SANITIZER_RE.search(p.stdout), p.stdout)  # --sanitize builds
        if expect_ok:
            self.assertEqual(p.returncode, 0, "%s %s:\n%s\n%s" % (op, args, p.stdout,
                                                                  self.ovs.log()))
        return r

    def vsctl(self, *args):
        return self.ovs.vsctl(*args).strip()

    def ext_id(self, iface, key):
        """An interface's external_ids value, without ovs-vsctl's quoting."""
        return self.vsctl("get", "Interface", iface, "external_ids:" + key).strip('"')

    def veth(self, a, b, b_ns=None):
        """A veth pair a/b in the host namespace, b moved to b_ns; both up."""
        self.host.run("ip", "link", "add", a, "type", "veth", "peer", "name", b)
        self.host.run("ip", "link", "set", a, "up")
        if b_ns:
            self.host.run("ip", "link", "set", b, "netns", b_ns.name)
            b_ns.run("ip", "link", "set", b, "up")
        else:
            self.host.run("ip", "link", "set", b, "up")

    def guest(self, prefix, bridge, ip, **call_args):
        """A guest namespace whose eth0 is the peer of a VIF-like port vifN
        on bridge, with address ip/24; returns (netns, vif name)."""
        ns = Netns(prefix)
        self.addCleanup(ns.delete)
        vif = unique("vif")
        self.veth(vif, "eth0", ns)
        ns.run("ip", "addr", "add", ip + "/24", "dev", "eth0")
        self.call("port_add", bridge=bridge, ifname=vif, **call_args)
        return ns, vif

    def pings(self, ns, ip, count=2, timeout=1):
        p = ns.run("ping", "-c", str(count), "-W", str(timeout), "-i", "0.2", ip, check=False,
                   timeout=count * (timeout + 1) + 5)
        return p.returncode == 0

    def bridge(self, name=None, **kw):
        name = name or unique("xbr")
        self.call("bridge_ensure", bridge=name, **kw)
        self.addCleanup(lambda: self.call("bridge_destroy", expect_ok=False, bridge=name))
        return name


class BridgeTest(OvsCase):
    def test_probe_says_vlan_bond_tunnel(self):
        r = self.call("probe")
        self.assertIn("VLAN BOND TUNNEL", r.out)

    def test_bridge_as_xenserver_makes_it_and_only_once(self):
        br = unique("xenbr")
        for _ in range(2):
            self.call("bridge_ensure", bridge=br, mtu="1500", kv={"xs-network-uuids": "n-1"})
        self.assertEqual(self.vsctl("list-br").split().count(br), 1)
        self.assertEqual(self.vsctl("get", "Bridge", br, "fail_mode"), "standalone")
        self.assertEqual(self.vsctl("get", "Bridge", br, "datapath_type"), "netdev")
        self.assertEqual(self.vsctl("br-get-external-id", br, "xs-network-uuids"), "n-1")
        self.assertEqual(self.vsctl("get", "Interface", br, "type"), "internal")
        self.assertEqual(self.vsctl("list-ports", br), "")
        link = self.host.run("ip", "-o", "link", "show", br).stdout
        self.assertIn(",UP", link, "the bridge's device is up")
        # the MTU follows a second ensure
        self.call("bridge_ensure", bridge=br, mtu="1400")
        self.assertEqual(self.vsctl("get", "Interface", br, "mtu_request"), "1400")
        for _ in range(2):
            self.call("bridge_destroy", bridge=br)
        self.assertNotIn(br, self.vsctl("list-br").split())

    def test_ports_carry_xapi_ids_and_traffic(self):
        br = self.bridge()
        a, vif_a = self.guest("ga", br, "10.77.1.1", kv={"xs-vif-uuid": "vif-a",
                              "xs-vm-uuid": "vm-a", "xs-network-uuid": "net-1",
                              "attached-mac": "aa:bb:cc:00:00:01"})
        b, vif_b = self.guest("gb", br, "10.77.1.2")
        self.assertEqual(self.ext_id(vif_a, "xs-vif-uuid"), "vif-a")
        self.assertEqual(self.ext_id(vif_a, "attached-mac"), "aa:bb:cc:00:00:01")
        self.assertTrue(self.pings(a, "10.77.1.2"), "guests on one bridge reach each other")
        # again: same port, no duplicate; the ids are replaced
        self.call("port_add", bridge=br, ifname=vif_a, kv={"xs-vif-uuid": "vif-a2"})
        self.assertEqual(self.vsctl("list-ports", br).split().count(vif_a), 1)
        self.assertEqual(self.ext_id(vif_a, "xs-vif-uuid"), "vif-a2")
        ports = self.call("bridge_ports", bridge=br).pifs
        self.assertEqual(sorted(p["device"] for p in ports), sorted([vif_a, vif_b]))
        for _ in range(2):
            self.call("port_remove", bridge=br, ifname=vif_b)
        self.assertNotIn(vif_b, self.vsctl("list-ports", br).split())
        self.assertFalse(self.pings(a, "10.77.1.2", count=2), "unplugged: no traffic")
        self.call("port_add", bridge=br, ifname=vif_b)
        self.assertTrue(self.pings(a, "10.77.1.2", count=3), "plugged back: traffic again")

    def test_port_moves_between_bridges(self):
        br1, br2 = self.bridge(), self.bridge()
        _, vif = self.guest("gm", br1, "10.77.2.1")
        self.call("port_add", bridge=br2, ifname=vif)
        self.assertEqual(self.vsctl("port-to-br", vif), br2)
        self.assertNotIn(vif, self.vsctl("list-ports", br1).split())

    def test_bad_input_leaves_nothing(self):
        br = self.bridge()
        before = self.vsctl("show")
        r = self.call("port_add", expect_ok=False, bridge=unique("nobr"), ifname="eth0")
        self.assertEqual(r.code, "BRIDGE_NOT_AVAILABLE")
        r = self.call("port_add", expect_ok=False, bridge=br, ifname=unique("gone"))
        self.assertIn("No such device", r.msg)
        r = self.call("port_add", expect_ok=False, bridge=br, ifname="a/b")
        self.assertIn("invalid interface name", r.msg)
        r = self.call("bridge_ensure", expect_ok=False, bridge="x" * 16)
        self.assertIn("invalid bridge name", r.msg)
        r = self.call("vlan_add", expect_ok=False, bridge=unique("v"), trunk=br, tag="4095")
        self.assertEqual(r.code, "VLAN_TAG_INVALID")
        r = self.call("bond_add", expect_ok=False, bridge=br, bond="bond9", members="m1",
                      mode="active-backup")
        self.assertEqual(r.code, "PIF_BOND_NEEDS_MORE_MEMBERS")
        r = self.call("bond_add", expect_ok=False, bridge=br, bond="bond9", members="m1,m2",
                      mode="round-robin")
        self.assertIn("balance-slb, active-backup or lacp", r.msg)
        r = self.call("vlan_add", expect_ok=False, bridge=unique("v"), trunk=unique("t"),
                      tag="5")
        self.assertIn("on no bridge", r.msg)
        r = self.call("bridge_ensure", expect_ok=False, bridge=br, flags="8")
        self.assertIn("unsupported flags", r.msg)
        self.assertEqual(self.vsctl("show"), before, "nothing half-made")

    def test_tunnels(self):
        br = self.bridge()
        name = unique("vx")
        for _ in range(2):
            self.call("tunnel_add", bridge=br, name=name, protocol="vxlan",
                      remote="192.0.2.9", key="5000")
        self.assertEqual(self.vsctl("get", "Interface", name, "type"), "vxlan")
        self.assertEqual(self.vsctl("get", "Interface", name, "options:remote_ip"),
                         '"192.0.2.9"')
        self.assertEqual(self.vsctl("get", "Interface", name, "options:key"), '"5000"')
        self.assertEqual(self.vsctl("list-ports", br).split().count(name), 1)
        gre = unique("gre")
        self.call("tunnel_add", bridge=br, name=gre, protocol="gre", remote="192.0.2.10")
        self.assertEqual(self.vsctl("get", "Interface", gre, "type"), "gre")
        r = self.call("tunnel_add", expect_ok=False, bridge=br, name=unique("t"),
                      protocol="geneve", remote="192.0.2.11")
        self.assertIn("vxlan or gre", r.msg)
        for t in (name, gre):
            self.call("tunnel_remove", bridge=br, name=t)
        self.assertEqual(self.vsctl("list-ports", br), "")

    def test_static_ip_on_a_bridge(self):
        # a PIF's address lives on its bridge, as on XenServer
        peer = Netns("pe")
        self.addCleanup(peer.delete)
        nic = unique("eth")
        self.veth(nic, "eth0", peer)
        peer.run("ip", "addr", "add", "10.80.0.2/24", "dev", "eth0")
        br = self.bridge()
        self.call("port_add", bridge=br, ifname=nic)
        r = self.call("ip_configure", ifname=br, family="4", mode="Static",
                      address="10.80.0.1/24", gateway="")
        self.assertEqual(r.pifs[0]["ipv4"], "10.80.0.1/24")
        self.assertTrue(self.pings(self.host, "10.80.0.2", count=3), "the host reaches its LAN")
        self.call("ip_configure", ifname=br, family="4", mode="None")
        self.assertNotIn("10.80.0.1", self.host.run("ip", "-o", "addr", "show", br).stdout)

    def test_pif_scan_and_link_ops(self):
        nic = unique("ens7-")
        self.veth(nic, unique("peer"))
        r = self.call("pif_scan")
        devs = [p["device"] for p in r.pifs]
        self.assertIn(nic, devs)
        self.assertFalse([d for d in devs if d.startswith(("vif", "ovs-", "lo"))], devs)
        br = self.bridge()
        self.assertNotIn(br, [p["device"] for p in self.call("pif_scan").pifs],
                         "a bridge is no PIF")
        self.call("link_set", ifname=nic, mtu="1400", up="0")
        link = self.host.run("ip", "-o", "link", "show", nic).stdout
        self.assertIn("mtu 1400", link)
        self.assertNotIn(",UP", link)
        r = self.call("link_query", ifname=nic)
        self.assertEqual([p["device"] for p in r.pifs], [nic])
        self.assertEqual(r.pifs[0]["mtu"], "1400")
        r = self.call("link_query", expect_ok=False, ifname=unique("none"))
        self.assertIn("no interface", r.msg)


class VlanTest(OvsCase):
    def test_vlans_over_a_trunk_are_isolated(self):
        # the trunk is a wire between two bridges: ta on brA, tb on brB;
        # tagged frames cross it, each VLAN's fake bridges see their own
        ta, tb = unique("ta"), unique("tb")
        self.veth(ta, tb)
        br_a, br_b = self.bridge(), self.bridge()
        self.call("port_add", bridge=br_a, ifname=ta)
        self.call("port_add", bridge=br_b, ifname=tb)
        va100, vb100, vb200 = unique("va"), unique("vb"), unique("vc")
        for _ in range(2):
            self.call("vlan_add", bridge=va100, trunk=ta, tag="100")
        self.call("vlan_add", bridge=vb100, trunk=tb, tag="100")
        self.call("vlan_add", bridge=vb200, trunk=tb, tag="200")
        self.assertEqual(self.vsctl("br-to-parent", va100), br_a)
        self.assertEqual(self.vsctl("br-to-vlan", va100), "100")
        self.assertEqual(self.vsctl("br-to-vlan", vb200), "200")
        self.assertEqual(self.vsctl("list-br").split().count(va100), 1)
        g1, _ = self.guest("g1", va100, "10.78.0.1")
        g2, vif2 = self.guest("g2", vb100, "10.78.0.2")
        g3, _ = self.guest("g3", vb200, "10.78.0.3")
        self.assertEqual(self.vsctl("get", "Port", vif2, "tag"), "100")
        self.assertTrue(self.pings(g1, "10.78.0.2", count=3), "VLAN 100 across the trunk")
        self.assertFalse(self.pings(g1, "10.78.0.3", count=2), "VLAN 100 cannot reach 200")
        self.assertFalse(self.pings(g3, "10.78.0.2", count=2), "VLAN 200 cannot reach 100")
        # the VLAN's bridge goes with its ports; the parent stays
        for _ in range(2):
            self.call("vlan_remove", bridge=vb100, trunk=tb, tag="100")
        self.assertNotIn(vb100, self.vsctl("list-br").split())
        self.assertNotIn(vif2, self.vsctl("list-ports", br_b).split())
        self.assertIn(vb200, self.vsctl("list-br").split())
        self.assertFalse(self.pings(g1, "10.78.0.2", count=2))

    def test_a_plugged_network_becomes_a_vlan(self):
        # a network plugged as a plain bridge before its VLAN existed:
        # the bridge turns into a fake bridge, its VIFs tagged
        trunk = unique("tr")
        self.veth(trunk, unique("tp"))
        parent = self.bridge()
        self.call("port_add", bridge=parent, ifname=trunk)
        vnet = self.bridge()
        _, vif = self.guest("gv", vnet, "10.78.1.1")
        self.call("vlan_add", bridge=vnet, trunk=trunk, tag="300")
        self.assertEqual(self.vsctl("br-to-parent", vnet), parent)
        self.assertEqual(self.vsctl("port-to-br", vif), vnet)
        self.assertEqual(self.vsctl("get", "Port", vif, "tag"), "300")


class BondTest(OvsCase):
    def test_active_backup_survives_a_member_going_down(self):
        sw = Netns("sw")   # the physical switch: a Linux bridge of both members' peers
        self.addCleanup(sw.delete)
        sw.run("ip", "link", "add", "sw0", "type", "bridge")
        m1, m2 = unique("m1x"), unique("m2x")
        self.veth(m1, "p1", sw)
        self.veth(m2, "p2", sw)
        for p in ("p1", "p2"):
            sw.run("ip", "link", "set", p, "master", "sw0")
        sw.run("ip", "addr", "add", "10.79.0.100/24", "dev", "sw0")
        sw.run("ip", "link", "set", "sw0", "up")
        br = self.bridge()
        # the members were PIFs with ports of their own: the bond takes them
        self.call("port_add", bridge=br, ifname=m1)
        bond = unique("bond")
        for _ in range(2):
            self.call("bond_add", bridge=br, bond=bond, members="%s,%s" % (m1, m2),
                      mode="active-backup", kv={"updelay": "0"})
        self.assertEqual(self.vsctl("list-ports", br).split(), [bond])
        self.assertEqual(self.vsctl("get", "Port", bond, "bond_mode"), "active-backup")
        self.assertEqual(self.vsctl("get", "Port", bond, "lacp"), "off")
        self.assertEqual(self.vsctl("get", "Port", bond, "other_config:bond-detect-mode"),
                         "carrier")
        g, _ = self.guest("gbond", br, "10.79.0.1")
        self.assertTrue(self.pings(g, "10.79.0.100", count=3), "through the bond")
        show = self.ovs.appctl("ovs-vswitchd", "bond/show", bond)
        active = re.search(r"active (?:member|slave) mac: \S+\((\S+)\)", show)
        self.assertTrue(active, show)
        name = active.group(1)
        peer = "p1" if name == m1 else "p2"
        pinger = subprocess.Popen(["ip", "netns", "exec", g.name, "ping", "-i", "0.2", "-c",
                                   "40", "-W", "1", "10.79.0.100"], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        time.sleep(2)
        sw.run("ip", "link", "set", peer, "down")   # the active member loses carrier
        out = pinger.communicate(timeout=60)[0]
        got = re.search(r"(\d+) received", out)
        self.assertTrue(got and int(got.group(1)) >= 25, "ping kept going:\n" + out)
        self.assertTrue(self.pings(g, "10.79.0.100", count=3), "after the failover")
        show = self.ovs.appctl("ovs-vswitchd", "bond/show", bond)
        self.assertNotIn("(%s)" % name, show.split("\n\n")[0], "another member is active")
        # bond_remove: the port goes, with its interfaces
        for _ in range(2):
            self.call("bond_remove", bridge=br, bond=bond)
        self.assertEqual(self.vsctl("list-ports", br).split(), [p for p in
                         self.vsctl("list-ports", br).split() if p.startswith("vif")])
        self.assertNotIn(m1, self.vsctl("list", "Interface").split('"'))

    def test_lacp_columns(self):
        br = self.bridge()
        m1, m2 = unique("l1x"), unique("l2x")
        self.veth(m1, unique("q"))
        self.veth(m2, unique("q"))
        bond = unique("bond")
        self.call("bond_add", bridge=br, bond=bond, members="%s,%s" % (m1, m2), mode="lacp",
                  kv={"hashing_algorithm": "src_mac", "lacp-time": "fast"})
        self.assertEqual(self.vsctl("get", "Port", bond, "lacp"), "active")
        self.assertEqual(self.vsctl("get", "Port", bond, "bond_mode"), "balance-slb")
        self.assertEqual(self.vsctl("get", "Port", bond, "other_config:lacp-time"), "fast")


class NoVswitchdTest(OvsCase):
    """ovsdb-server alone: the change is refused in time, with the reason."""
    settings = {"vswitchd_wait_ms": "300"}

    def test_a_missing_vswitchd_fails_in_time(self):
        self.ovs._stop_daemon("ovs-vswitchd")
        t = time.time()
        r = self.call("bridge_ensure", expect_ok=False, bridge=unique("nv"))
        self.assertLess(time.time() - t, 10)
        self.assertIn("ovs-vswitchd did not apply the change", r.msg)


class NoServerTest(unittest.TestCase):
    @unittest.skipIf(WHY_NOT, WHY_NOT)
    def test_no_ovsdb_server(self):
        p = subprocess.run([plugin_call(), "-s", "ovsdb_socket=/nonexistent/db.sock", ovs_so(),
                            "bridge_ensure", "bridge=xenbr0"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=30)
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot connect to ovsdb-server at /nonexistent/db.sock", p.stdout)


if __name__ == "__main__":
    unittest.main()

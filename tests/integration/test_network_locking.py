"""VIF locking enforced by both network backends, with real traffic between
two simulated VMs on one network (10.77.0.1 in VM a, 10.77.0.2 in VM b):
the bridge backend's nftables bridge-family rules and the ovs backend's
OpenFlow flows. A locked VIF passes only its own MAC and its allowed
addresses, IPv4 and IPv6 (a spoofed source address or MAC is dropped), disabled drops
everything, unlocked passes everything; a locked VIF lets DHCP requests
out whatever its addresses (as xapi's vif rules); VIF.set_locking_mode,
set/add/remove_ipv4_allowed and network.set_default_locking_mode take
effect on a plugged VIF; a VIF locked before its VM starts is locked from
the first packet; the rules go with the VIF's port."""
import subprocess
import time
import unittest

from harness import vif_record

from net_util import NetworkTestCase, in_ns, ip, ping
import ovs_fixture
from test_network_ovs import OvsNetworkCase, WHY_NOT

SPOOF_MAC = "02:aa:bb:cc:dd:ee"

# In guest b: prints the port of each datagram heard on UDP 67 or 5000
# within 3 seconds.
LISTENER = """
import select, socket, time
socks = []
for port in (67, 5000):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    socks.append((s, port))
end = time.time() + 3
while time.time() < end:
    r, _, _ = select.select([s for s, _ in socks], [], [], max(0, end - time.time()))
    for s, port in socks:
        if s in r:
            s.recv(2048)
            print(port, flush=True)
"""

# In guest a: one broadcast datagram to each port, from its own address and
# port 68, as a DHCP client sends its requests. Without a UDP checksum
# (SO_NO_CHECK): a veth leaves it to be completed further on, and OVS's
# userspace datapath of the tests forwards the frame as it is.
SENDER = """
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 11, 1)  # SO_NO_CHECK
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"eth0")
s.bind(("10.77.0.1", 68))
for port in (67, 5000):
    s.sendto(b"request", ("255.255.255.255", port))
"""


class LockingChecks:
    """The checks, for either backend; rules() tells whether the backend
    holds rules for device dev."""

    def start_pair(self, **vif1_extra):
        net = self.private_network("it-lock")
        vm1, vif1 = self.vm_with_vif(net, "it-lock-a", **vif1_extra)
        vm2, vif2 = self.vm_with_vif(net, "it-lock-b")
        self.x.VM.start(vm1, False, False)
        self.x.VM.start(vm2, False, False)
        self.guest_address(vm1, "10.77.0.1/24")
        self.guest_address(vm2, "10.77.0.2/24")
        # a second address in guest a, the one it spoofs with
        self.guest_address(vm1, "10.77.0.9/24")
        return net, vm1, vif1, vm2

    def reaches(self, vm1, vm2, source="10.77.0.1"):
        """Does guest a reach guest b from source? Both forget what they
        learnt (ARP, the switch's MAC table has no say: the test is the
        first frame of a fresh exchange)."""
        for vm in (vm1, vm2):
            ip("neigh", "flush", "all", ns=self.vm_ns(vm), check=False)
        r = in_ns(self.vm_ns(vm1), "ping", "-c", "2", "-W", "1", "-i", "0.2", "-I", source,
                  "10.77.0.2")
        return r.returncode == 0

    def dev(self, vm):
        return "vif%s.0" % self.x.VM.get_domid(vm)

    def test_locked_passes_only_allowed_addresses(self):
        net, vm1, vif1, vm2 = self.start_pair()
        self.assertTrue(self.reaches(vm1, vm2), "no link before locking")
        self.assertTrue(self.reaches(vm1, vm2, "10.77.0.9"))

        self.x.VIF.set_ipv4_allowed(vif1, ["10.77.0.1"])
        self.x.VIF.set_locking_mode(vif1, "locked")
        self.assertTrue(self.rules(self.dev(vm1)))
        self.assertTrue(self.reaches(vm1, vm2), "an allowed address is dropped")
        self.assertFalse(self.reaches(vm1, vm2, "10.77.0.9"), "a spoofed address passes")

        # the allowed set changed while plugged
        self.x.VIF.add_ipv4_allowed(vif1, "10.77.0.9")
        self.x.VIF.remove_ipv4_allowed(vif1, "10.77.0.1")
        self.assertEqual(self.x.VIF.get_ipv4_allowed(vif1), ["10.77.0.9"])
        self.assertTrue(self.reaches(vm1, vm2, "10.77.0.9"), "an added address is dropped")
        self.assertFalse(self.reaches(vm1, vm2), "a removed address passes")

        # locked without any address: nothing passes (xapi's meaning)
        self.x.VIF.set_ipv4_allowed(vif1, [])
        self.assertFalse(self.reaches(vm1, vm2))
        self.assertFalse(self.reaches(vm1, vm2, "10.77.0.9"))

        self.x.VIF.set_locking_mode(vif1, "unlocked")
        self.assertFalse(self.rules(self.dev(vm1)))
        self.assertTrue(self.reaches(vm1, vm2, "10.77.0.9"), "unlocked still filters")

    def reaches6(self, vm1, vm2, source):
        for vm in (vm1, vm2):
            ip("-6", "neigh", "flush", "all", ns=self.vm_ns(vm), check=False)
        r = in_ns(self.vm_ns(vm1), "ping", "-6", "-c", "2", "-W", "1", "-i", "0.2", "-I",
                  source, "2001:db8:77::2")
        return r.returncode == 0

    def test_locked_ipv6(self):
        net, vm1, vif1, vm2 = self.start_pair()
        for vm, a in ((vm1, "2001:db8:77::1/64"), (vm1, "2001:db8:77::9/64"),
                      (vm2, "2001:db8:77::2/64")):
            ip("addr", "add", a, "dev", "eth0", "nodad", ns=self.vm_ns(vm))
        self.assertTrue(self.reaches6(vm1, vm2, "2001:db8:77::9"))
        self.x.VIF.set_ipv4_allowed(vif1, ["10.77.0.1"])
        self.x.VIF.set_locking_mode(vif1, "locked")
        # IPv4 allowed, no IPv6 address: IPv6 is dropped
        self.assertTrue(self.reaches(vm1, vm2))
        self.assertFalse(self.reaches6(vm1, vm2, "2001:db8:77::1"))
        self.x.VIF.add_ipv6_allowed(vif1, "2001:db8:77::1")
        self.assertTrue(self.reaches6(vm1, vm2, "2001:db8:77::1"), "an allowed IPv6 address")
        self.assertFalse(self.reaches6(vm1, vm2, "2001:db8:77::9"), "a spoofed IPv6 address")

    def test_locked_drops_a_spoofed_mac(self):
        net, vm1, vif1, vm2 = self.start_pair()
        self.x.VIF.set_ipv4_allowed(vif1, ["10.77.0.1"])
        self.x.VIF.set_locking_mode(vif1, "locked")
        self.assertTrue(self.reaches(vm1, vm2))
        ns = self.vm_ns(vm1)
        ip("link", "set", "eth0", "address", SPOOF_MAC, ns=ns)
        self.assertFalse(self.reaches(vm1, vm2), "a spoofed MAC passes")
        self.x.VIF.set_locking_mode(vif1, "unlocked")
        self.assertTrue(self.reaches(vm1, vm2), "unlocked drops another MAC")

    def udp_ports_heard(self, vm1, vm2):
        """Which of the broadcast datagrams guest a sends from its address
        (to UDP 67, a DHCP request's port, and to 5000) guest b hears."""
        listen = subprocess.Popen(
            ["ip", "netns", "exec", self.vm_ns(vm2), "python3", "-c", LISTENER],
            stdout=subprocess.PIPE, text=True)
        try:
            time.sleep(0.5)  # its sockets bound
            r = in_ns(self.vm_ns(vm1), "python3", "-c", SENDER)
            self.assertEqual(r.returncode, 0, r.stderr)
            out, _ = listen.communicate(timeout=10)
        finally:
            if listen.poll() is None:
                listen.kill()
                listen.wait()
        return sorted(int(p) for p in out.split())

    def test_locked_lets_dhcp_requests_out(self):
        net, vm1, vif1, vm2 = self.start_pair()
        self.assertEqual(self.udp_ports_heard(vm1, vm2), [67, 5000])
        self.x.VIF.set_ipv4_allowed(vif1, [])
        self.x.VIF.set_locking_mode(vif1, "locked")
        self.assertFalse(self.reaches(vm1, vm2), "a locked VIF without addresses passes IP")
        self.assertEqual(self.udp_ports_heard(vm1, vm2), [67],
                         "a DHCP request must pass a locked VIF, nothing else")
        self.x.VIF.set_locking_mode(vif1, "disabled")
        self.assertEqual(self.udp_ports_heard(vm1, vm2), [])

    def test_disabled_drops_everything(self):
        net, vm1, vif1, vm2 = self.start_pair()
        self.x.VIF.set_locking_mode(vif1, "disabled")
        self.assertFalse(self.reaches(vm1, vm2), "a disabled VIF passes traffic")
        self.x.VIF.set_locking_mode(vif1, "unlocked")
        self.assertTrue(self.reaches(vm1, vm2))

    def test_network_default_followed_while_plugged(self):
        net, vm1, vif1, vm2 = self.start_pair()
        self.assertEqual(self.x.VIF.get_locking_mode(vif1), "network_default")
        self.x.network.set_default_locking_mode(net, "disabled")
        self.assertFalse(self.reaches(vm1, vm2), "the network's default is not applied")
        self.x.network.set_default_locking_mode(net, "unlocked")
        self.assertTrue(self.reaches(vm1, vm2))

    def test_locked_from_the_start_and_rules_go_with_the_port(self):
        net, vm1, vif1, vm2 = self.start_pair(locking_mode="locked",
                                              ipv4_allowed=["10.77.0.1"])
        dev = self.dev(vm1)
        self.assertTrue(self.rules(dev), "no rules after VM.start")
        self.assertTrue(self.reaches(vm1, vm2))
        self.assertFalse(self.reaches(vm1, vm2, "10.77.0.9"), "not locked from the start")

        self.x.VIF.unplug(vif1)
        self.assertFalse(self.rules(dev), "rules outlive the VIF's port")
        self.x.VIF.plug(vif1)
        self.assertTrue(self.rules(dev), "no rules after VIF.plug")
        self.guest_address(vm1, "10.77.0.1/24")  # its NIC is new to the guest
        self.guest_address(vm1, "10.77.0.9/24")
        self.assertTrue(self.reaches(vm1, vm2))
        self.assertFalse(self.reaches(vm1, vm2, "10.77.0.9"))
        self.x.VM.hard_shutdown(vm1)
        self.assertFalse(self.rules(dev), "rules outlive the VM")


class BridgeLockingTest(LockingChecks, NetworkTestCase):
    """The bridge backend: a table of nftables rules per locked VIF."""

    def rules(self, dev):
        r = in_ns(self.netns, "nft", "list", "tables", "bridge")
        return ("xapi_lock_%s" % dev) in r.stdout.split()


@unittest.skipIf(WHY_NOT, WHY_NOT)
class OvsLockingTest(LockingChecks, OvsNetworkCase):
    """The ovs backend: flows on the VIF's bridge."""

    def rules(self, dev):
        ofport = self.vsctl("--if-exists", "get", "Interface", dev, "ofport")
        bridges = self.vsctl("list-br").split()
        flows = ""
        for br in bridges:
            flows += ovs_fixture.run("ovs-ofctl", "dump-flows",
                                     "unix:%s/%s.mgmt" % (self.ovs.dir, br),
                                     env=self.ovs.env).stdout
        if not ofport or ofport == "[]":
            # the port is gone: no flow of priority 3000/4000 may remain
            return "priority=3000" in flows or "priority=4000" in flows
        return ("in_port=%s " % ofport) in flows.replace(",", " ") and "priority=3000" in flows


class LockingApiTest(NetworkTestCase):
    """Bad input: xapi's errors, nothing recorded."""

    def test_bad_input(self):
        net = self.private_network("it-lock-bad")
        vm, vif = self.vm_with_vif(net, "it-lock-bad")
        self.assertFailure(["INVALID_IP_ADDRESS_SPECIFIED", "10.77.0.300"],
                           self.x.VIF.add_ipv4_allowed, vif, "10.77.0.300")
        self.assertFailure(["INVALID_IP_ADDRESS_SPECIFIED", "10.77.0.1"],
                           self.x.VIF.set_ipv6_allowed, vif, ["10.77.0.1"])
        self.assertEqual(self.x.VIF.get_ipv4_allowed(vif), [])
        self.assertEqual(self.x.VIF.get_ipv6_allowed(vif), [])


if __name__ == "__main__":
    unittest.main()

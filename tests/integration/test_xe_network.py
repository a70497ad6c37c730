"""xe's address commands on a simulated host's network (bridge backend, a
network namespace of the test's own): pif-reconfigure-ipv6 (the address
on the bridge, checked with `ip`), pif-set-primary-address-type, pif-db-forget,
host-management-reconfigure and host-management-disable;
upstream's outputs (nothing on success), its record failures for bad modes,
and the server's errors."""

from net_util import NetworkTestCase, ip
from test_xe_objects import XeClientMixin


class XeNetworkBase(XeClientMixin, NetworkTestCase):
    """A simulated host with eth0 (management) and eth1, and xe against it."""

    def pif(self, device):
        return [(r, p["uuid"]) for r, p in self.x.PIF.get_all_records().items()
                if p["device"] == device][0]


class XeNetworkTest(XeNetworkBase):
    def test_ipv6_and_primary_address_type(self):
        ref, uuid = self.pif("eth1")
        self.assertEqual(self.xe("pif-reconfigure-ipv6", "uuid=%s" % uuid, "mode=static",
                                 "IPv6=fd00:13::5/64", "gateway=fd00:13::1"), "")
        rec = self.x.PIF.get_record(ref)
        self.assertEqual((rec["ipv6_configuration_mode"], rec["IPv6"], rec["ipv6_gateway"]),
                         ("Static", ["fd00:13::5/64"], "fd00:13::1"))
        self.assertIn("fd00:13::5/64", ip("-o", "-6", "addr", "show", "xenbr1", ns=self.netns))
        # upstream reads IPv6= and DNS= in any case
        self.assertEqual(self.xe("pif-reconfigure-ipv6", "uuid=%s" % uuid, "mode=Static",
                                 "ipv6=fd00:13::6/64"), "")
        self.assertEqual(self.x.PIF.get_IPv6(ref), ["fd00:13::6/64"])
        self.assertEqual(self.xe("pif-reconfigure-ipv6", "uuid=%s" % uuid, "mode=none"), "")
        self.assertEqual(self.x.PIF.get_IPv6(ref), [])
        self.assertNotIn("fd00:13::6", ip("-o", "-6", "addr", "show", "xenbr1", ns=self.netns))
        err = self.xe_fails("pif-reconfigure-ipv6", "uuid=%s" % uuid, "mode=bogus")
        self.assertEqual(err, "Error: Expected 'dhcp','none' 'autoconf' or 'static', got bogus\n")
        err = self.xe_fails("pif-reconfigure-ipv6", "uuid=%s" % uuid, "mode=static",
                            "IPv6=fd00::zz/64")
        self.assertIn("Error code: INVALID_IP_ADDRESS_SPECIFIED\nError parameters: IPv6\n", err)
        err = self.xe_fails("pif-reconfigure-ipv6", "uuid=%s" % uuid)
        self.assertEqual(err, "Required parameter not found: mode\n")
        err = self.xe_fails("pif-reconfigure-ipv6", "uuid=nope", "mode=none")
        self.assertIn("Error code: UUID_INVALID\nError parameters: PIF, nope\n", err)

        self.assertEqual(self.xe("pif-set-primary-address-type", "uuid=%s" % uuid,
                                 "primary_address_type=ipv6"), "")
        self.assertEqual(self.x.PIF.get_primary_address_type(ref), "IPv6")
        self.assertEqual(self.xe("pif-set-primary-address-type", "uuid=%s" % uuid,
                                 "primary_address_type=IPv4"), "")
        self.assertEqual(self.x.PIF.get_primary_address_type(ref), "IPv4")
        err = self.xe_fails("pif-set-primary-address-type", "uuid=%s" % uuid,
                            "primary_address_type=v5")
        self.assertEqual(err, "Error: Expected 'ipv4' or 'ipv6', got v5\n")
        mgmt, mgmt_uuid = self.pif("eth0")
        err = self.xe_fails("pif-set-primary-address-type", "uuid=%s" % mgmt_uuid,
                            "primary_address_type=ipv6")
        self.assertIn("Error code: PIF_IS_MANAGEMENT_INTERFACE\nError parameters: %s\n" % mgmt,
                      err)

        # last: the PIF record goes (a scan brings one back, not plugged)
        err = self.xe_fails("pif-db-forget", "uuid=nope")
        self.assertIn("Error code: UUID_INVALID\nError parameters: PIF, nope\n", err)
        self.assertEqual(self.xe("pif-db-forget", "uuid=%s" % uuid), "")
        self.assertNotIn(ref, self.x.PIF.get_all())
        self.x.PIF.scan(self.x.host.get_all()[0])
        self.assertEqual(len([p for p in self.x.PIF.get_all_records().values()
                              if p["device"] == "eth1"]), 1)


class XeManagementTest(XeNetworkBase):
    """A daemon of its own: the management interface moves to eth1 (the
    simulated eth0 has no address to move back to)."""

    def test_management_interface(self):
        ref, uuid = self.pif("eth1")
        mgmt, mgmt_uuid = self.pif("eth0")
        err = self.xe_fails("host-management-reconfigure", "pif-uuid=%s" % uuid)
        self.assertIn("Error code: PIF_HAS_NO_NETWORK_CONFIGURATION\nError parameters: %s\n"
                      % ref, err)
        err = self.xe_fails("host-management-reconfigure")
        self.assertEqual(err, "Required parameter not found: pif-uuid\n")
        err = self.xe_fails("host-management-reconfigure", "pif-uuid=nope")
        self.assertIn("Error code: UUID_INVALID\nError parameters: PIF, nope\n", err)
        self.xe("pif-reconfigure-ip", "uuid=%s" % uuid, "mode=static", "IP=192.0.2.13",
                "netmask=255.255.255.0")
        self.assertEqual(self.xe("host-management-reconfigure", "pif-uuid=%s" % uuid), "")
        self.assertEqual((self.x.PIF.get_management(ref), self.x.PIF.get_management(mgmt)),
                         (True, False))
        self.assertEqual(self.xe("host-management-disable"), "")
        self.assertEqual([p["device"] for p in self.x.PIF.get_all_records().values()
                          if p["management"]], [])
        self.assertEqual(self.xe("host-management-reconfigure", "pif-uuid=%s" % uuid), "")
        self.assertTrue(self.x.PIF.get_management(ref))

"""The host's administration calls, as xapi's, on the sim backend:
host.dmesg (the simulated hypervisor's console ring: boot lines, domains
made and destroyed, debug keys), host.send_debug_keys, host.set_hostname_live
(HOST_NAME_INVALID; the name recorded and the control domain renamed, the
machine's own name untouched), host.syslog_reconfigure (xapid's log sent to
logging:syslog_destination over UDP, also after a restart),
host.shutdown_agent (xapid exits 0 a second later), pool.disable_ssl_legacy
(nothing to disable); the RBAC role of each;
VM.copy_bios_strings / VM.set_bios_strings (set once:
VM_BIOS_STRINGS_ALREADY_SET; INVALID_VALUE for a bad key or value) and the
generic strings a start gives a VM without any."""
import socket
import time
import unittest

from harness import DaemonTestCase, Xapid, add_subject

BAD_HOST = "OpaqueRef:00000000-0000-0000-0000-00000000dead"
GENERIC_BIOS = {
    "bios-vendor": "Xen", "bios-version": "", "system-manufacturer": "Xen",
    "system-product-name": "HVM domU", "system-version": "", "system-serial-number": "",
    "baseboard-manufacturer": "", "baseboard-product-name": "", "baseboard-version": "",
    "baseboard-serial-number": "", "baseboard-asset-tag": "",
    "baseboard-location-in-chassis": "", "enclosure-asset-tag": "", "hp-rombios": "",
    "oem-1": "Xen", "oem-2": "MS_VM_CERT/SHA1/bdbeb6e0a816d43fa6d3fe8aaef04c2bad9d3e3d",
}


def syslog_receiver(test):
    """A UDP socket on loopback for the daemon's syslog lines, and the
    destination that names it; the host's logging is reset after the test
    (through test.x as it is then: the test may restart the daemon)."""
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    test.addCleanup(rx.close)
    rx.bind(("127.0.0.1", 0))
    rx.settimeout(10)
    test.addCleanup(lambda: test.x.host.syslog_reconfigure(test.host))
    test.addCleanup(lambda: test.x.host.set_logging(test.host, {}))
    return rx, "127.0.0.1:%d" % rx.getsockname()[1]


class HostAdmin(DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.host = self.x.host.get_all()[0]

    def test_dmesg_shows_boot_and_domain_lines(self):
        text = self.x.host.dmesg(self.host)
        self.assertTrue(text.startswith("(XEN) Xen version 4.17.0 (xapi-c simulated host)\n"),
                        text)
        vm = self.create_vm("dmesg-vm")
        self.addCleanup(self.x.VM.destroy, vm)
        self.x.VM.start(vm, False, False)
        uuid = self.x.VM.get_uuid(vm)
        domid = self.x.VM.get_domid(vm)
        self.assertIn("(XEN) d%s: domain created for VM %s\n" % (domid, uuid),
                      self.x.host.dmesg(self.host))
        self.x.VM.hard_shutdown(vm)
        self.assertIn("(XEN) d%s: domain destroyed\n" % domid, self.x.host.dmesg(self.host))
        self.assertFailure(["HANDLE_INVALID", "host", BAD_HOST], self.x.host.dmesg, BAD_HOST)

    def test_debug_keys_land_in_the_ring(self):
        self.assertEqual(self.x.host.send_debug_keys(self.host, "hq!"), "")
        tail = self.x.host.dmesg(self.host).splitlines()[-3:]
        self.assertEqual(tail, ["(XEN) 'h' pressed -> showing installed handlers",
                                "(XEN) 'q' pressed -> dumping domain (and guest debug) info",
                                "(XEN) '!' pressed -> no handler for this key"])
        self.assertFailure(["HANDLE_INVALID", "host", BAD_HOST], self.x.host.send_debug_keys,
                           BAD_HOST, "h")

    def test_roles(self):
        """send_debug_keys is pool-admin's alone; dmesg pool-operator's too."""
        self.addCleanup(self.x.subject.destroy, add_subject(self.x, "user-pool-operator",
                                                            "pool-operator"))
        op = self.new_session(user="user-pool-operator", password="pool-operator-pw")
        self.addCleanup(op.logout)
        self.assertIn("(XEN)", op.xenapi.host.dmesg(self.host))
        details = self.assertFailure("RBAC_PERMISSION_DENIED", op.xenapi.host.send_debug_keys,
                                     self.host, "h")
        self.assertEqual(details[1], "host.send_debug_keys")
        self.addCleanup(self.x.subject.destroy, add_subject(self.x, "user-read-only",
                                                            "read-only"))
        ro = self.new_session(user="user-read-only", password="read-only-pw")
        self.addCleanup(ro.logout)
        for call, args in ((ro.xenapi.host.dmesg, ()), (ro.xenapi.host.set_hostname_live, ("x",)),
                           (ro.xenapi.host.syslog_reconfigure, ())):
            self.assertFailure("RBAC_PERMISSION_DENIED", call, self.host, *args)
        self.assertFailure("RBAC_PERMISSION_DENIED", ro.xenapi.host.shutdown_agent)
        # the VM calls: copy_bios_strings up to vm-admin, the shadow multiplier
        # up to vm-power-admin (the datamodel's roles)
        vm = self.create_vm("rbac-bios")
        self.addCleanup(self.x.VM.destroy, vm)
        self.addCleanup(self.x.subject.destroy, add_subject(self.x, "user-vm-operator",
                                                            "vm-operator"))
        vo = self.new_session(user="user-vm-operator", password="vm-operator-pw")
        self.addCleanup(vo.logout)
        self.assertFailure("RBAC_PERMISSION_DENIED", vo.xenapi.VM.copy_bios_strings, vm,
                           self.host)
        self.assertFailure("RBAC_PERMISSION_DENIED", vo.xenapi.VM.set_bios_strings, vm,
                           {"bios-vendor": "x"})
        self.assertFailure("RBAC_PERMISSION_DENIED", vo.xenapi.VM.set_shadow_multiplier_live,
                           vm, 2.0)
        self.assertEqual(self.x.VM.get_bios_strings(vm), {})

    def test_set_hostname_live(self):
        machine = socket.gethostname()
        old = self.x.host.get_hostname(self.host)
        dom0 = self.x.host.get_control_domain(self.host)
        self.addCleanup(lambda: self.x.host.set_hostname_live(self.host, old))
        self.assertEqual(self.x.host.set_hostname_live(self.host, "it-host-7.example"), "")
        self.assertEqual(self.x.host.get_hostname(self.host), "it-host-7.example")
        self.assertEqual(self.x.VM.get_name_label(dom0),
                         "Control domain on host: it-host-7.example")
        # the sim stands for another machine: this one keeps its name
        self.assertEqual(socket.gethostname(), machine)
        # a control domain renamed by hand keeps its name, as xapi's
        self.x.VM.set_name_label(dom0, "my dom0")
        self.addCleanup(lambda: self.x.VM.set_name_label(dom0, "Control domain on host: " + old))
        self.x.host.set_hostname_live(self.host, "it-host-8")
        self.assertEqual(self.x.VM.get_name_label(dom0), "my dom0")
        self.restart_daemon()
        self.assertEqual(self.x.host.get_hostname(self.host), "it-host-8")

    def test_set_hostname_live_refuses_bad_names(self):
        old = self.x.host.get_hostname(self.host)
        for name, why in (("", "hostname empty"), ("a" * 256, "hostname is too long"),
                          ("-lead", "hostname contains invalid characters"),
                          ("trail-", "hostname contains invalid characters"),
                          ("under_score", "hostname contains invalid characters"),
                          ("sp ace", "hostname contains invalid characters")):
            self.assertFailure(["HOST_NAME_INVALID", why], self.x.host.set_hostname_live,
                               self.host, name)
        self.assertEqual(self.x.host.get_hostname(self.host), old)
        self.assertFailure(["HANDLE_INVALID", "host", BAD_HOST], self.x.host.set_hostname_live,
                           BAD_HOST, "fine")

    def test_syslog_reconfigure_forwards_the_log(self):
        rx, dest = syslog_receiver(self)
        self.x.host.add_to_logging(self.host, "syslog_destination", dest)
        self.assertEqual(self.x.host.syslog_reconfigure(self.host), "")
        line = rx.recv(65536).decode()
        # RFC 3164: facility daemon (3), severity info (6); then our line
        self.assertRegex(line, r"^<30>[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d \S+ xapid\[\d+\]: ")
        self.assertIn(" info ", line)
        self.assertIn("syslog: forwarding the log to %s" % dest, line)
        # a start applies it too
        self.restart_daemon()
        seen = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any("ready on" in s for s in seen):
            seen.append(rx.recv(65536).decode())
        self.assertTrue(any("ready on" in s for s in seen), seen)
        # no destination: nothing more is sent
        self.x.host.remove_from_logging(self.host, "syslog_destination")
        self.x.host.syslog_reconfigure(self.host)
        rx.settimeout(0.2)
        try:
            while True:  # what was on its way before
                rx.recv(65536)
        except socket.timeout:
            pass
        self.x.host.get_record(self.host)
        self.x.host.syslog_reconfigure(self.host)
        self.assertRaises(socket.timeout, rx.recv, 65536)

    def test_syslog_reconfigure_bad_destination(self):
        self.addCleanup(self.x.host.syslog_reconfigure, self.host)
        self.addCleanup(self.x.host.remove_from_logging, self.host, "syslog_destination")
        self.x.host.add_to_logging(self.host, "syslog_destination", "127.0.0.1:no-such-port")
        details = self.assertFailure("INTERNAL_ERROR", self.x.host.syslog_reconfigure,
                                     self.host)
        self.assertIn("syslog destination 127.0.0.1:no-such-port", details[1])
        self.assertFailure(["HANDLE_INVALID", "host", BAD_HOST], self.x.host.syslog_reconfigure,
                           BAD_HOST)

    def test_pool_disable_ssl_legacy(self):
        pool = self.x.pool.get_all()[0]
        self.assertEqual(self.x.pool.disable_ssl_legacy(pool), "")
        self.assertFailure(["HANDLE_INVALID", "pool", BAD_HOST], self.x.pool.disable_ssl_legacy,
                           BAD_HOST)

    def test_bios_strings(self):
        host_bios = self.x.host.get_bios_strings(self.host)
        for k in ("bios-vendor", "system-manufacturer", "system-product-name",
                  "baseboard-manufacturer", "hp-rombios"):
            self.assertIn(k, host_bios)
        self.assertEqual(host_bios["oem-1"], "Xen")
        vm = self.create_vm("bios-copy")
        self.addCleanup(self.x.VM.destroy, vm)
        self.assertEqual(self.x.VM.get_bios_strings(vm), {})
        self.assertEqual(self.x.VM.copy_bios_strings(vm, self.host), "")
        self.assertEqual(self.x.VM.get_bios_strings(vm), host_bios)
        self.assertEqual(self.x.VM.get_affinity(vm), self.host)
        self.assertFailure(["VM_BIOS_STRINGS_ALREADY_SET"], self.x.VM.copy_bios_strings, vm,
                           self.host)
        self.assertFailure(["VM_BIOS_STRINGS_ALREADY_SET"], self.x.VM.set_bios_strings, vm,
                           {"bios-vendor": "x"})
        other = self.create_vm("bios-bad")
        self.addCleanup(self.x.VM.destroy, other)
        self.assertFailure(["HANDLE_INVALID", "host", BAD_HOST], self.x.VM.copy_bios_strings,
                           other, BAD_HOST)
        self.assertFailure(["HANDLE_INVALID", "VM", BAD_HOST], self.x.VM.copy_bios_strings,
                           BAD_HOST, self.host)
        self.assertEqual(self.x.VM.get_bios_strings(other), {})

    def test_set_bios_strings(self):
        vm = self.create_vm("bios-set")
        self.addCleanup(self.x.VM.destroy, vm)
        for value, why in (({"oem-1": "x"}, ["oem-1", "Unknown key"]),
                           ({"bios-vendor": ""}, ["bios-vendor", "Value provided is empty"]),
                           ({"bios-vendor": "a\tb"},
                            ["bios-vendor", "Range of characters allowed are: ASCII printable "
                             "characters from 32 to 126"]),
                           ({"bios-vendor": "v" * 513},
                            ["bios-vendor", "v" * 513 + " has length more than 512 characters"])):
            self.assertFailure(["INVALID_VALUE"] + why, self.x.VM.set_bios_strings, vm, value)
        self.assertEqual(self.x.VM.get_bios_strings(vm), {})
        self.x.VM.set_bios_strings(vm, {"bios-vendor": "Acme", "system-serial-number": "42"})
        want = dict(GENERIC_BIOS, **{"bios-vendor": "Acme", "system-serial-number": "42"})
        self.assertEqual(self.x.VM.get_bios_strings(vm), want)
        self.assertFailure(["VM_BIOS_STRINGS_ALREADY_SET"], self.x.VM.set_bios_strings, vm,
                           {"bios-vendor": "Other"})

    def test_start_gives_generic_bios_strings(self):
        vm = self.running_vm("bios-start")
        self.assertEqual(self.x.VM.get_bios_strings(vm), GENERIC_BIOS)


class ShutdownAgent(unittest.TestCase):
    def test_agent_exits_cleanly(self):
        d = Xapid(name="shutdown-agent")
        self.addCleanup(d.cleanup)
        d.start()
        s = d.session()
        self.assertEqual(s.xenapi.host.shutdown_agent(), "")
        s.close()
        # xapi's fuse: a second, then a clean stop
        self.assertEqual(d.proc.wait(20), 0, d.log_tail())
        d._finish(d.proc)
        log = d.log_text()
        self.assertIn("host.shutdown_agent: stopping", log)
        self.assertIn("xapid stopped", log)
        d.check_log_clean()
        # its database is intact: it starts again
        d.start()
        s = d.session()
        self.assertEqual(len(s.xenapi.host.get_all()), 1)
        s.xenapi.session.logout()
        d.stop()


if __name__ == "__main__":
    unittest.main()

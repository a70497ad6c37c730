"""The VM lifecycle on a real Xen (tests/xen/xenhost.py boots it): a PV guest
(the Debian kernel with the busybox initramfs of tests/xen/guest) driven
through XML-RPC from this machine, the guest's own console and `xl list` in
dom0 checked at each step.

Run by tests/xen/run (and so by tools/test); by hand:
    XEN_TEST_BUILDDIR=build python3 -m unittest -v tests/xen/test_xen_lifecycle.py
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
from harness import vm_record  # noqa: E402
from xenapi_client import Failure, Session  # noqa: E402

HOST = None


def setUpModule():
    global HOST
    builddir = os.environ.get("XEN_TEST_BUILDDIR", os.path.join(xenhost.TOP, "build"))
    HOST = xenhost.XenHost(builddir, sanitize=os.environ.get("XEN_TEST_SANITIZE") == "1")
    try:
        HOST.start()
    except Exception:
        HOST.stop()
        raise
    print("\n  (Xen host up, xapid ready after %.0f s)" % HOST.ready_s, file=sys.stderr)


def tearDownModule():
    if HOST is not None:
        HOST.stop()


def pv_guest(name, **extra):
    rec = vm_record(name, PV_kernel=xenhost.GUEST_KERNEL, PV_ramdisk=xenhost.GUEST_RAMDISK,
                    PV_args="console=hvc0 quiet", HVM_boot_policy="", HVM_boot_params={},
                    actions_after_shutdown="destroy", actions_after_reboot="restart")
    rec.update(extra)
    return rec


class XenLifecycle(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.session = Session(HOST.url)
        cls.session.login_with_password("root", xenhost.ROOT_PASSWORD, "1.0", "xen-tests")
        cls.x = cls.session.xenapi

    @classmethod
    def tearDownClass(cls):
        cls.session.logout()

    # xapid names a VM's domain by the VM's uuid (what xl list shows), and
    # xenconsoled logs a guest's console under that name
    def console_log(self, vm):
        uuid = self.x.VM.get_uuid(vm)
        rc, out = HOST.dom0("cat /var/log/xen/console/guest-%s.log 2>/dev/null" % uuid)
        return out

    def wait_console(self, vm, pattern, timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.console_log(vm)
            if re.search(pattern, text):
                return text
            time.sleep(3)
        self.fail("guest %s never printed %r; its console:\n%s" % (
            self.x.VM.get_name_label(vm), pattern, self.console_log(vm)[-3000:]))

    def domain_of(self, vm):
        return self.x.VM.get_uuid(vm)

    def xl_names(self):
        rc, out = HOST.dom0("xl list")
        self.assertEqual(rc, 0, out)
        return [line.split()[0] for line in out.splitlines()[1:] if line.split()]

    def wait_power(self, vm, state, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.x.VM.get_power_state(vm) == state:
                return
            time.sleep(1)
        self.fail("VM never %s (is %s)" % (state, self.x.VM.get_power_state(vm)))

    def test_host_is_xen(self):
        host = self.x.host.get_all()[0]
        rec = self.x.host.get_record(host)
        self.assertIn("xen", rec["software_version"])
        rc, out = HOST.dom0("xl info | grep -E '^(xen_version|nr_cpus)'")
        self.assertEqual(rc, 0, out)

    def test_pv_guest_whole_life(self):
        name = "xt-life"
        vm = self.x.VM.create(pv_guest(name))
        self.x.VM.start(vm, False, False)
        self.assertEqual(self.x.VM.get_power_state(vm), "Running")
        domid = int(self.x.VM.get_domid(vm))
        self.assertGreater(domid, 0)
        self.wait_console(vm, r"GUEST-UP: \S+ on xen")
        self.assertIn(self.domain_of(vm), self.xl_names())

        # the guest agent's reports reach VM_guest_metrics
        deadline = time.monotonic() + 60
        gm = "OpaqueRef:NULL"
        while time.monotonic() < deadline:
            gm = self.x.VM.get_guest_metrics(vm)
            if gm != "OpaqueRef:NULL" and self.x.VM_guest_metrics.get_os_version(gm):
                break
            time.sleep(2)
        self.assertEqual(self.x.VM_guest_metrics.get_os_version(gm).get("distro"), "busybox")

        # pause / unpause
        self.x.VM.pause(vm)
        self.assertEqual(self.x.VM.get_power_state(vm), "Paused")
        rc, out = HOST.dom0("xl list %s" % self.domain_of(vm))
        self.assertRegex(out, r"\s--p---\s|\sp\s|-p-", out)
        self.x.VM.unpause(vm)
        self.assertEqual(self.x.VM.get_power_state(vm), "Running")

        # clean reboot: the guest kernel honours it and comes up again
        before = self.console_log(vm).count("GUEST-UP")
        self.x.VM.clean_reboot(vm)
        deadline = time.monotonic() + 180
        while self.console_log(vm).count("GUEST-UP") <= before:
            self.assertLess(time.monotonic(), deadline, "the guest did not come up again")
            time.sleep(3)
        self.assertEqual(self.x.VM.get_power_state(vm), "Running")

        # clean shutdown, honoured by the guest: no domain left
        self.x.VM.clean_shutdown(vm)
        self.assertEqual(self.x.VM.get_power_state(vm), "Halted")
        self.assertNotIn(self.domain_of(vm), self.xl_names())
        self.assertEqual(self.x.VM.get_domid(vm), "-1")

        # hard shutdown of a running guest
        self.x.VM.start(vm, False, False)
        self.wait_console(vm, r"GUEST-UP")
        self.x.VM.hard_shutdown(vm)
        self.assertEqual(self.x.VM.get_power_state(vm), "Halted")
        self.assertNotIn(self.domain_of(vm), self.xl_names())
        self.x.VM.destroy(vm)

    def test_guest_that_powers_itself_off_is_halted(self):
        name = "xt-self"
        vm = self.x.VM.create(pv_guest(name))
        self.x.VM.start(vm, False, False)
        self.wait_console(vm, r"GUEST-UP")
        rc, out = HOST.dom0("xl shutdown %s" % self.domain_of(vm))  # as if the guest chose to
        self.assertEqual(rc, 0, out)
        self.wait_power(vm, "Halted", timeout=60)
        self.assertNotIn(self.domain_of(vm), self.xl_names())
        self.x.VM.destroy(vm)

    def test_start_refused_when_running(self):
        name = "xt-twice"
        vm = self.x.VM.create(pv_guest(name))
        self.x.VM.start(vm, False, False)
        with self.assertRaises(Failure) as cm:
            self.x.VM.start(vm, False, False)
        self.assertEqual(cm.exception.details, ["VM_BAD_POWER_STATE", vm, "halted", "running"])
        self.x.VM.hard_shutdown(vm)
        self.x.VM.destroy(vm)


if __name__ == "__main__":
    unittest.main()

"""The VM lifecycle on a real Xen (tests/xen/xenhost.py boots it): a PV guest
(the Debian kernel with the busybox initramfs of tests/xen/guest) driven
through XML-RPC from this machine, the guest's own console and `xl list` in
dom0 checked at each step.

Run by tests/xen/run (and so by tools/test); by hand:
    XEN_TEST_BUILDDIR=build python3 -m unittest -v tests/xen/test_xen_lifecycle.py
"""
import os
import sys
import re
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
import xenhost  # noqa: E402
from harness import vm_record  # noqa: E402
from xenapi_client import Failure, Session  # noqa: E402

def pv_guest(name, **extra):
    rec = vm_record(name, PV_kernel=xenhost.GUEST_KERNEL, PV_ramdisk=xenhost.GUEST_RAMDISK,
                    PV_args="console=hvc0 quiet", HVM_boot_policy="", HVM_boot_params={},
                    actions_after_shutdown="destroy", actions_after_reboot="restart")
    rec.update(extra)
    return rec


class XenLifecycle(xenhost.XenTestCase):
    def domain_of(self, vm):
        return self.x.VM.get_uuid(vm)

    def xl_names(self):
        rc, out = self.xen.dom0("xl list")
        self.assertEqual(rc, 0, out)
        return [line.split()[0] for line in out.splitlines()[1:] if line.split()]

    def wait_power(self, vm, state, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.x.VM.get_power_state(vm) == state:
                return
            time.sleep(1)
        rc, xl = self.xen.dom0("xl list")
        rc, journal = self.xen.dom0("journalctl -u xapid --no-pager | grep -v ' debug ' | tail -n 15")
        self.fail("VM never %s (is %s)\nxl list:\n%s\nxapid:\n%s\nconsole:\n%s" % (
            state, self.x.VM.get_power_state(vm), xl, journal, self.console_log(vm)[-1500:]))

    def wait_agent(self, vm, timeout=120):
        """Until the guest's agent has reported: its init is done, and it
        acts on a shutdown request at once."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            gm = self.x.VM.get_guest_metrics(vm)
            if gm != "OpaqueRef:NULL" and self.x.VM_guest_metrics.get_os_version(gm):
                return gm
            time.sleep(2)
        self.fail("the guest's agent never reported")

    def xl_info(self):
        rc, out = self.xen.dom0("xl info")
        self.assertEqual(rc, 0, out)
        info = {}
        for line in out.splitlines():
            k, sep, v = line.partition(":")
            if sep:
                info[k.strip()] = v.strip()
        return info

    def dom0_as_xl_sees_it(self):
        rc, out = self.xen.dom0("xl list 0")
        self.assertEqual(rc, 0, out)
        fields = out.splitlines()[-1].split()   # Name ID Mem VCPUs State Time
        return int(fields[2]) * 1024 * 1024, int(fields[3])

    def test_host_facts_are_xens(self):
        info = self.xl_info()
        host = self.x.host.get_all()[0]
        rec = self.x.host.get_record(host)
        self.assertEqual(rec["software_version"]["xen"], info["xen_version"])
        self.assertEqual(rec["sched_policy"], info["xen_scheduler"])
        self.assertEqual(rec["capabilities"], info["xen_caps"].split())
        self.assertEqual(len(rec["host_CPUs"]), int(info["nr_cpus"]))
        self.assertEqual(rec["cpu_info"]["cpu_count"], info["nr_cpus"])
        # the control domain's record is dom0 as Xen has it
        dom0 = rec["control_domain"]
        mem, vcpus = self.dom0_as_xl_sees_it()
        self.assertEqual(int(self.x.VM.get_memory_target(dom0)), mem)
        self.assertEqual(int(self.x.VM.get_VCPUs_max(dom0)), vcpus)
        metrics = self.x.VM.get_metrics(dom0)
        self.assertEqual(int(self.x.VM_metrics.get_memory_actual(metrics)), mem)
        self.assertEqual(int(self.x.VM_metrics.get_VCPUs_number(metrics)), vcpus)

    def test_zy_control_domain_follows_dom0(self):
        # dom0 ballooned down by hand: the monitor's next rounds see it
        rc, out = self.xen.dom0("xl mem-set 0 992m && sleep 3")
        self.assertEqual(rc, 0, out)
        dom0 = self.x.host.get_control_domain(self.x.host.get_all()[0])
        metrics = self.x.VM.get_metrics(dom0)
        deadline = time.monotonic() + 30
        while True:
            mem, vcpus = self.dom0_as_xl_sees_it()
            seen = int(self.x.VM_metrics.get_memory_actual(metrics))
            if seen == mem or time.monotonic() > deadline:
                break
            time.sleep(2)
        self.assertLess(mem, 1024 * 1024 * 1024)
        self.assertEqual(seen, mem)
        self.assertEqual(int(self.x.VM.get_memory_target(dom0)), mem)
        # the record stays ordered: static_min <= dynamic_min <= dynamic_max <= static_max
        rec = self.x.VM.get_record(dom0)
        order = [int(rec[f]) for f in ("memory_static_min", "memory_dynamic_min",
                                       "memory_dynamic_max", "memory_static_max")]
        self.assertEqual(order, sorted(order), order)
        self.assertEqual(int(rec["memory_dynamic_max"]), mem)

    def test_zz_control_domain_refreshed_at_start(self):
        # dom0 given less memory, then xapid restarted: the record follows
        # (zz: last, as it restarts the daemon under the other tests' session)
        rc, out = self.xen.dom0("xl mem-set 0 960m && sleep 3")
        self.assertEqual(rc, 0, out)
        rc, out = self.xen.dom0("systemctl restart xapid")
        self.assertEqual(rc, 0, out)
        self.xen.wait_ready(120)
        s = Session(self.xen.url)
        s.login_with_password("root", xenhost.ROOT_PASSWORD, "1.0", "xen-tests")
        try:
            host = s.xenapi.host.get_all()[0]
            dom0 = s.xenapi.host.get_control_domain(host)
            mem, vcpus = self.dom0_as_xl_sees_it()
            self.assertLess(mem, 1024 * 1024 * 1024)
            self.assertEqual(int(s.xenapi.VM.get_memory_target(dom0)), mem)
            metrics = s.xenapi.VM.get_metrics(dom0)
            self.assertEqual(int(s.xenapi.VM_metrics.get_memory_actual(metrics)), mem)
        finally:
            s.logout()

    def test_pv_guest_whole_life(self):
        name = "xt-life"
        vm = self.x.VM.create(pv_guest(name))
        self.start_vm(vm)
        self.assertEqual(self.x.VM.get_power_state(vm), "Running")
        domid = int(self.x.VM.get_domid(vm))
        self.assertGreater(domid, 0)
        self.wait_console(vm, r"GUEST-UP: \S+ on xen")
        self.assertIn(self.domain_of(vm), self.xl_names())

        # the guest agent's reports reach VM_guest_metrics
        gm = self.wait_agent(vm)
        self.assertEqual(self.x.VM_guest_metrics.get_os_version(gm).get("distro"), "busybox")

        # pause / unpause
        self.x.VM.pause(vm)
        self.assertEqual(self.x.VM.get_power_state(vm), "Paused")
        rc, out = self.xen.dom0("xl list %s" % self.domain_of(vm))
        state = out.splitlines()[-1].split()[4]   # r b p s c d: p is the third
        self.assertEqual(state[2], "p", out)
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
        self.start_vm(vm)
        self.wait_console(vm, r"GUEST-UP")
        self.x.VM.hard_shutdown(vm)
        self.assertEqual(self.x.VM.get_power_state(vm), "Halted")
        self.assertNotIn(self.domain_of(vm), self.xl_names())
        self.x.VM.destroy(vm)

    def test_guest_that_powers_itself_off_is_halted(self):
        name = "xt-self"
        vm = self.x.VM.create(pv_guest(name))
        self.start_vm(vm)
        self.wait_console(vm, r"GUEST-UP")
        self.wait_agent(vm)
        rc, out = self.xen.dom0("xl shutdown %s" % self.domain_of(vm))  # as if the guest chose to
        self.assertEqual(rc, 0, out)
        self.wait_power(vm, "Halted", timeout=120)
        self.assertNotIn(self.domain_of(vm), self.xl_names())
        self.x.VM.destroy(vm)

    def test_start_refused_when_running(self):
        name = "xt-twice"
        vm = self.x.VM.create(pv_guest(name))
        self.start_vm(vm)
        with self.assertRaises(Failure) as cm:
            self.x.VM.start(vm, False, False)
        self.assertEqual(cm.exception.details, ["VM_BAD_POWER_STATE", vm, "halted", "running"])
        self.x.VM.hard_shutdown(vm)
        self.x.VM.destroy(vm)

    def test_zzz_no_stray_xapid(self):
        # one xapid: a child libxl forked from it and that never reached its
        # exec would hold every socket xapid had, its listener among them
        rc, out = self.xen.dom0("ps -o pid=,ppid=,stat=,args= -C xapid")
        self.assertEqual(len(out.strip().splitlines()), 1, "processes named xapid:\n" + out)

    def test_zzz_log_clean(self):
        # last: whatever ran before, xapid's log in dom0 holds no sanitizer
        # report (the ASan build, XEN_TEST_SANITIZE=1), no glibc heap abort
        rc, out = self.xen.dom0("journalctl -u xapid --no-pager | grep -E "
                            "'AddressSanitizer|LeakSanitizer|runtime error:|Fatal glibc error|malloc\\(\\)|double free|corrupted' "
                            "| head -n 20")
        if out.strip():
            # what xapid did just before: the lines of each process that
            # reported (a heap abort names no caller)
            pids = sorted(set(re.findall(r"xapid\[(\d+)\]", out)))
            for pid in pids:
                rc, before = self.xen.dom0(
                    "journalctl -u xapid --no-pager _PID=%s | grep -vE 'domainbuilder|xc_dom' "
                    "| tail -n 40" % pid)
                out += "\n-- the last lines of xapid[%s]:\n%s" % (pid, before)
            rc, starts = self.xen.dom0("journalctl -u xapid --no-pager | grep -E "
                                       "'Started|Stopped|Main process|starting:|signal' | tail -n 20")
            out += "\n-- xapid's starts and stops:\n" + starts
        self.assertEqual(out.strip(), "", "xapid's log in dom0:\n" + out)


if __name__ == "__main__":
    unittest.main()

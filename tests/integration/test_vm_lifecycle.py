"""VM lifecycle over the wire on the sim backend: every power transition and
every refused one with xapi's exact error, allowed_operations and
current_operations, the state a running VM shows (domid, resident_on,
console, metrics, guest metrics), templates, blocked operations, the
control domain, memory rules and the host's memory, faults of the simulated
guest (crash, ignored shutdown), events, and 50 VMs started at once."""

import threading
import time
import unittest

import os

from harness import (DaemonTestCase, NULL_REF, REF_RE, Xapid, XapidError, current_token,
                     vm_record)
from xenapi_client import Failure

MiB = 1024 * 1024
GiB = 1024 * MiB

# xapi's allowed_power_states, as VM_BAD_POWER_STATE spells them
EXPECTED = {
    "start": "halted", "start_on": "halted", "pause": "running", "unpause": "paused",
    "clean_shutdown": "running", "hard_shutdown": "paused, suspended, running",
    "shutdown": "paused, suspended, running", "clean_reboot": "running",
    "hard_reboot": "paused, running", "suspend": "running", "resume": "suspended",
    "resume_on": "suspended", "destroy": "halted, suspended",
}
# what each operation leads to from the states it may start from
TRANSITIONS = {
    "Halted": {"start": "Running", "start_on": "Running"},
    "Running": {"pause": "Paused", "clean_shutdown": "Halted", "hard_shutdown": "Halted",
                "shutdown": "Halted", "clean_reboot": "Running", "hard_reboot": "Running",
                "suspend": "Suspended"},
    "Paused": {"unpause": "Running", "hard_shutdown": "Halted", "shutdown": "Halted",
               "hard_reboot": "Running"},
    "Suspended": {"resume": "Running", "resume_on": "Running", "hard_shutdown": "Halted",
                  "shutdown": "Halted"},
}
ALLOWED = {
    "Halted": {"snapshot", "clone", "copy", "start", "start_on", "migrate_send",
               "changing_dynamic_range", "changing_static_range", "changing_shadow_memory",
               "changing_NVRAM", "make_into_template", "export", "metadata_export",
               "destroy", "create_vtpm"},
    "Running": {"snapshot", "checkpoint", "pause", "clean_shutdown", "clean_reboot",
                "hard_shutdown", "hard_reboot", "suspend", "pool_migrate", "migrate_send",
                "changing_dynamic_range", "changing_VCPUs_live", "metadata_export"},
    "Paused": {"snapshot", "checkpoint", "unpause", "hard_shutdown", "hard_reboot",
               "metadata_export"},
    "Suspended": {"snapshot", "checkpoint", "hard_shutdown", "resume", "resume_on",
                  "migrate_send", "export", "metadata_export", "destroy"},
}


def wait_for(pred, timeout=10.0, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


class LifecycleBase(DaemonTestCase):
    daemon_config = {"sim_memory": str(16 * GiB), "clean_shutdown_timeout": "2"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.host = cls.x.host.get_all()[0]

    def new_vm(self, name="lc-vm", **extra):
        vm = self.create_vm(name, **extra)
        self.addCleanup(self.cleanup_vm, vm)
        return vm

    def cleanup_vm(self, vm):
        try:
            if self.x.VM.get_power_state(vm) != "Halted":
                self.x.VM.hard_shutdown(vm)
            self.x.VM.destroy(vm)
        except Failure:
            pass

    def vm_in(self, state, name="lc-vm", **extra):
        """A VM brought to power state `state` through the API."""
        vm = self.new_vm(name, **extra)
        if state != "Halted":
            self.x.VM.start(vm, state == "Paused", False)
        if state == "Suspended":
            self.x.VM.suspend(vm)
        self.assertEqual(self.x.VM.get_power_state(vm), state)
        return vm

    def call(self, op, vm):
        x = self.x.VM
        if op in ("start", "resume"):
            return getattr(x, op)(vm, False, False)
        if op in ("start_on", "resume_on"):
            return getattr(x, op)(vm, self.host, False, False)
        return getattr(x, op)(vm)


class TestTransitions(LifecycleBase):

    def test_created_vm_is_halted(self):
        vm = self.new_vm()
        rec = self.x.VM.get_record(vm)
        self.assertEqual(rec["power_state"], "Halted")
        self.assertEqual(rec["domid"], "-1")
        self.assertEqual(rec["resident_on"], NULL_REF)
        self.assertEqual(rec["current_operations"], {})
        self.assertEqual(set(rec["allowed_operations"]), ALLOWED["Halted"])
        self.assertEqual(rec["domain_type"], "hvm")  # from HVM_boot_policy, as xapi
        self.assertNotEqual(rec["memory_overhead"], "0")

    def test_every_transition(self):
        for frm, ops in TRANSITIONS.items():
            for op, to in ops.items():
                with self.subTest(frm=frm, op=op):
                    vm = self.vm_in(frm, "lc-%s-%s" % (frm, op))
                    self.call(op, vm)
                    rec = self.x.VM.get_record(vm)
                    self.assertEqual(rec["power_state"], to)
                    self.assertEqual(rec["current_operations"], {})
                    self.assertEqual(set(rec["allowed_operations"]), ALLOWED[to])
                    if to in ("Running", "Paused"):
                        self.assertEqual(rec["resident_on"], self.host)
                        self.assertGreater(int(rec["domid"]), 0)
                    else:
                        self.assertEqual(rec["resident_on"], NULL_REF)
                        self.assertEqual(rec["domid"], "-1")

    def test_every_refused_transition(self):
        for frm in ("Halted", "Running", "Paused", "Suspended"):
            vm = self.vm_in(frm, "lc-refused-%s" % frm)
            for op, expected in EXPECTED.items():
                if op in TRANSITIONS[frm] or (op == "destroy" and frm in ("Halted", "Suspended")):
                    continue
                with self.subTest(frm=frm, op=op):
                    self.assertFailure(["VM_BAD_POWER_STATE", vm, expected, frm.lower()],
                                       self.call, op, vm)
            self.assertEqual(self.x.VM.get_power_state(vm), frm)

    def test_running_vm_shows_its_domain(self):
        vm = self.new_vm("lc-running")
        self.x.VM.start(vm, False, False)
        rec = self.x.VM.get_record(vm)
        self.assertIn(vm, self.x.host.get_resident_VMs(self.host))
        self.assertEqual(len(rec["consoles"]), 1)
        con = self.x.console.get_record(rec["consoles"][0])
        self.assertEqual(con["VM"], vm)
        self.assertEqual(con["protocol"], "rfb")
        self.assertTrue(con["location"])
        m = self.x.VM_metrics.get_record(rec["metrics"])
        self.assertEqual(m["memory_actual"], rec["memory_dynamic_max"])
        self.assertEqual(m["VCPUs_number"], rec["VCPUs_at_startup"])
        self.assertEqual(m["state"], ["running"])
        self.assertEqual(m["current_domain_type"], "hvm")
        self.assertTrue(m["hvm"])
        self.assertGreater(m["start_time"].value, "20000101")
        g = self.x.VM_guest_metrics.get_record(rec["guest_metrics"])
        self.assertTrue(g["live"])
        self.assertTrue(g["PV_drivers_detected"])
        self.assertIn("name", g["os_version"])
        # memory inside the guest (a seed wish)
        self.assertEqual(int(g["other"]["memory_used"]) + int(g["other"]["memory_free"]),
                         int(g["other"]["memory_total"]))
        con_ref = rec["consoles"][0]
        self.x.VM.clean_shutdown(vm)
        rec = self.x.VM.get_record(vm)
        self.assertEqual(rec["consoles"], [])
        self.assertFailure(["HANDLE_INVALID", "console", con_ref], self.x.console.get_record,
                           con_ref)
        self.assertNotIn(vm, self.x.host.get_resident_VMs(self.host))
        m = self.x.VM_metrics.get_record(rec["metrics"])
        self.assertEqual(m["memory_actual"], "0")
        self.assertEqual(m["state"], [])
        self.assertFalse(self.x.VM_guest_metrics.get_live(rec["guest_metrics"]))

    def test_start_paused_then_unpause(self):
        vm = self.new_vm("lc-paused")
        self.x.VM.start(vm, True, False)
        self.assertEqual(self.x.VM.get_power_state(vm), "Paused")
        m = self.x.VM.get_metrics(vm)
        self.assertEqual(self.x.VM_metrics.get_state(m), ["paused"])
        self.x.VM.unpause(vm)
        self.assertEqual(self.x.VM.get_power_state(vm), "Running")
        self.assertEqual(self.x.VM_metrics.get_state(m), ["running"])

    def test_reboot_gives_a_new_domain(self):
        vm = self.vm_in("Running", "lc-reboot")
        d1 = int(self.x.VM.get_domid(vm))
        self.x.VM.clean_reboot(vm)
        d2 = int(self.x.VM.get_domid(vm))
        self.x.VM.hard_reboot(vm)
        d3 = int(self.x.VM.get_domid(vm))
        self.assertTrue(d1 < d2 < d3, (d1, d2, d3))
        self.assertEqual(len(self.x.VM.get_consoles(vm)), 1)

    def test_suspend_without_sr_keeps_image_and_resumes(self):
        vm = self.vm_in("Running", "lc-suspend")
        self.x.VM.suspend(vm)
        rec = self.x.VM.get_record(vm)
        self.assertEqual(rec["power_state"], "Suspended")
        self.assertEqual(rec["suspend_VDI"], NULL_REF)  # no suspend SR anywhere
        self.assertEqual(rec["consoles"], [])
        self.x.VM.resume(vm, True, False)
        self.assertEqual(self.x.VM.get_power_state(vm), "Paused")
        self.x.VM.unpause(vm)
        self.x.VM.hard_shutdown(vm)
        self.assertEqual(self.x.VM.get_power_state(vm), "Halted")

    def test_messages_for_power_changes(self):
        vm = self.vm_in("Running", "lc-messages")
        self.x.VM.clean_shutdown(vm)
        uuid = self.x.VM.get_uuid(vm)
        names = sorted(m["name"] for m in self.x.message.get("VM", uuid, "19700101T00:00:00Z").values())
        self.assertEqual(names, ["VM_SHUTDOWN", "VM_STARTED"])

    def test_start_on_checks_the_host(self):
        vm = self.new_vm("lc-start-on")
        self.assertFailure(["HANDLE_INVALID", "host", NULL_REF], self.x.VM.start_on, vm,
                           NULL_REF, False, False)
        self.x.VM.start_on(vm, self.host, False, False)
        self.assertEqual(self.x.VM.get_resident_on(vm), self.host)

    def test_bad_refs(self):
        bad = "OpaqueRef:00000000-0000-0000-0000-000000000000"
        for op in EXPECTED:
            with self.subTest(op=op):
                self.assertFailure(["HANDLE_INVALID", "VM", bad], self.call, op, bad)

    def test_power_state_reset(self):
        vm = self.vm_in("Running", "lc-reset")
        self.assertFailure(["DOMAIN_EXISTS", vm], self.x.VM.power_state_reset, vm)
        self.x.VM.pause(vm)
        self.x.VM.power_state_reset(vm)
        rec = self.x.VM.get_record(vm)
        self.assertEqual((rec["power_state"], rec["domid"], rec["resident_on"]),
                         ("Halted", "-1", NULL_REF))
        self.x.VM.start(vm, False, False)  # the domain was really let go
        dom0 = self.x.host.get_control_domain(self.host)
        self.assertFailure(["CANNOT_RESET_CONTROL_DOMAIN", dom0], self.x.VM.power_state_reset, dom0)


class TestOperationRules(LifecycleBase):

    def test_template_cannot_start(self):
        vm = self.new_vm("lc-template", is_a_template=True)
        self.assertFailure(["VM_IS_TEMPLATE", vm, "start"], self.x.VM.start, vm, False, False)
        allowed = set(self.x.VM.get_allowed_operations(vm))
        self.assertNotIn("start", allowed)
        self.assertIn("clone", allowed)
        self.assertIn("destroy", allowed)

    def test_default_template_cannot_be_destroyed(self):
        tmpl = next(r for r, v in self.x.VM.get_all_records().items() if v["is_default_template"])
        self.assertFailure(["VM_IS_TEMPLATE", tmpl, "destroy"], self.x.VM.destroy, tmpl)
        self.assertNotIn("destroy", self.x.VM.get_allowed_operations(tmpl))

    def test_set_is_a_template(self):
        vm = self.vm_in("Running", "lc-make-template")
        self.assertFailure(["VM_BAD_POWER_STATE", vm, "halted", "running"],
                           self.x.VM.set_is_a_template, vm, True)
        self.x.VM.hard_shutdown(vm)
        self.x.VM.set_is_a_template(vm, True)
        self.assertTrue(self.x.VM.get_is_a_template(vm))
        self.assertNotIn("start", self.x.VM.get_allowed_operations(vm))
        self.x.VM.set_is_a_template(vm, False)
        self.assertFalse(self.x.VM.get_is_a_template(vm))
        self.assertIn("start", self.x.VM.get_allowed_operations(vm))
        m = self.x.VM.get_metrics(vm)
        self.assertGreater(self.x.VM_metrics.get_install_time(m).value, "20000101")

    def test_blocked_operation(self):
        vm = self.new_vm("lc-blocked")
        self.x.VM.add_to_blocked_operations(vm, "start", "maintenance window")
        self.assertFailure(["OPERATION_BLOCKED", vm, "maintenance window"], self.x.VM.start, vm,
                           False, False)
        self.x.VM.update_allowed_operations(vm)
        self.assertNotIn("start", self.x.VM.get_allowed_operations(vm))
        self.x.VM.remove_from_blocked_operations(vm, "start")
        self.x.VM.start(vm, False, False)

    def test_control_domain(self):
        dom0 = self.x.host.get_control_domain(self.host)
        self.assertFailure(["OPERATION_NOT_ALLOWED", "This operation is not allowed on a control domain"],
                           self.x.VM.clean_shutdown, dom0)
        self.assertFailure(["VM_BAD_POWER_STATE", dom0, "halted, suspended", "running"],
                           self.x.VM.destroy, dom0)
        self.assertFailure(["VM_BAD_POWER_STATE", dom0, "halted", "running"],
                           self.x.VM.start, dom0, False, False)

    def test_assert_operation_valid(self):
        vm = self.new_vm("lc-assert")
        self.x.VM.assert_operation_valid(vm, "start")
        self.assertFailure(["VM_BAD_POWER_STATE", vm, "running", "halted"],
                           self.x.VM.assert_operation_valid, vm, "pause")
        self.assertFailure(["ONLY_REVERT_SNAPSHOT"], self.x.VM.assert_operation_valid, vm, "revert")
        self.assertFailure(["ONLY_PROVISION_TEMPLATE"], self.x.VM.assert_operation_valid, vm,
                           "provision")
        self.assertFailure("INVALID_VALUE", self.x.VM.assert_operation_valid, vm, "fly")

    def test_snapshot_rules(self):
        vm = self.new_vm("lc-snaprules")
        snap = self.x.VM.snapshot(vm, "lc-snap")
        self.addCleanup(self.cleanup_vm, snap)
        self.assertFailure(["VM_IS_SNAPSHOT", snap, "start"], self.x.VM.start, snap, False, False)
        self.assertFailure(["VM_IS_SNAPSHOT", snap, "make_into_template"],
                           self.x.VM.set_is_a_template, snap, True)
        self.assertEqual(set(self.x.VM.get_allowed_operations(snap)),
                         {"clone", "copy", "export", "destroy", "metadata_export", "revert"})


class TestMemoryAndVCPUs(LifecycleBase):

    def test_memory_order_at_start(self):
        vm = self.new_vm("lc-mem-bad", memory_dynamic_min=str(512 * MiB),
                         memory_dynamic_max=str(256 * MiB))
        self.assertFailure(["MEMORY_CONSTRAINT_VIOLATION"], self.x.VM.start, vm, False, False)
        self.assertEqual(self.x.VM.get_power_state(vm), "Halted")
        self.assertEqual(self.x.VM.get_current_operations(vm), {})

    def test_set_memory_limits(self):
        vm = self.new_vm("lc-mem")
        x = self.x.VM
        x.set_memory_limits(vm, str(128 * MiB), str(1 * GiB), str(256 * MiB), str(512 * MiB))
        rec = x.get_record(vm)
        self.assertEqual([rec[k] for k in ("memory_static_min", "memory_dynamic_min",
                                             "memory_dynamic_max", "memory_static_max")],
                         [str(128 * MiB), str(256 * MiB), str(512 * MiB), str(1 * GiB)])
        for args in ((str(512 * MiB), str(1 * GiB), str(256 * MiB), str(512 * MiB)),
                     (str(128 * MiB), str(1 * GiB), str(768 * MiB), str(512 * MiB)),
                     (str(128 * MiB), str(256 * MiB), str(256 * MiB), str(512 * MiB))):
            with self.subTest(args=args):
                self.assertFailure(["MEMORY_CONSTRAINT_VIOLATION_ORDER"], x.set_memory_limits, vm, *args)
        x.set_memory_dynamic_range(vm, str(300 * MiB), str(600 * MiB))
        self.assertEqual((x.get_memory_dynamic_min(vm), x.get_memory_dynamic_max(vm)),
                         (str(300 * MiB), str(600 * MiB)))
        x.set_memory_static_max(vm, str(2 * GiB))
        self.assertEqual(x.get_memory_static_max(vm), str(2 * GiB))
        self.assertFailure(["MEMORY_CONSTRAINT_VIOLATION_ORDER"], x.set_memory_static_min, vm,
                           str(400 * MiB))
        x.set_memory(vm, str(700 * MiB))
        self.assertEqual([x.get_memory_static_max(vm), x.get_memory_dynamic_min(vm),
                          x.get_memory_dynamic_max(vm)], [str(700 * MiB)] * 3)
        x.set_memory_dynamic_max(vm, str(700 * MiB))
        x.set_memory_dynamic_min(vm, str(500 * MiB))
        self.assertEqual(x.get_memory_dynamic_min(vm), str(500 * MiB))

    def test_memory_changes_by_power_state(self):
        vm = self.vm_in("Running", "lc-mem-live")
        x = self.x.VM
        self.assertFailure(["VM_BAD_POWER_STATE", vm, "halted", "running"], x.set_memory_limits,
                           vm, str(128 * MiB), str(256 * MiB), str(256 * MiB), str(256 * MiB))
        self.assertFailure(["VM_BAD_POWER_STATE", vm, "halted", "running"], x.set_memory_static_max,
                           vm, str(1 * GiB))
        # the dynamic range changes live, and the domain follows
        x.set_memory_dynamic_range(vm, str(128 * MiB), str(200 * MiB))
        m = x.get_metrics(vm)
        self.assertEqual(self.x.VM_metrics.get_memory_actual(m), str(200 * MiB))

    def test_vcpus(self):
        vm = self.new_vm("lc-vcpus")
        x = self.x.VM
        x.set_VCPUs_max(vm, "4")
        x.set_VCPUs_at_startup(vm, "2")
        self.assertEqual((x.get_VCPUs_max(vm), x.get_VCPUs_at_startup(vm)), ("4", "2"))
        rule = "VCPU values must satisfy: 0 < VCPUs_at_startup \u2264 VCPUs_max"
        self.assertFailure(["INVALID_VALUE", rule, "5"], x.set_VCPUs_at_startup, vm, "5")
        self.assertFailure(["INVALID_VALUE", rule, "0"], x.set_VCPUs_at_startup, vm, "0")
        self.assertFailure(["INVALID_VALUE", rule, "1"], x.set_VCPUs_max, vm, "1")
        x.start(vm, False, False)
        self.assertFailure(["VM_BAD_POWER_STATE", vm, "halted", "running"], x.set_VCPUs_max, vm, "8")
        m = x.get_metrics(vm)
        self.assertEqual(self.x.VM_metrics.get_VCPUs_number(m), "2")
        x.set_VCPUs_number_live(vm, "3")
        self.assertEqual(self.x.VM_metrics.get_VCPUs_number(m), "3")
        self.assertEqual(x.get_VCPUs_at_startup(vm), "3")
        self.assertFailure(["INVALID_VALUE", "VCPU values must satisfy: 0 < VCPUs \u2264 VCPUs_max", "5"],
                           x.set_VCPUs_number_live, vm, "5")
        x.hard_shutdown(vm)
        self.assertFailure(["VM_BAD_POWER_STATE", vm, "running", "halted"], x.set_VCPUs_number_live,
                           vm, "1")

    def test_vcpus_at_start(self):
        vm = self.new_vm("lc-vcpus-bad", VCPUs_max="1", VCPUs_at_startup="2")
        self.assertFailure(["VALUE_NOT_SUPPORTED", "VCPUs-at-startup", "2",
                            "value greater than VCPUs-max"], self.x.VM.start, vm, False, False)

    def test_seed_accessors(self):
        vm = self.new_vm("lc-accessors")
        x = self.x.VM
        x.set_name_description(vm, "described")
        self.assertEqual(x.get_name_description(vm), "described")
        x.set_user_version(vm, "7")
        self.assertEqual(x.get_user_version(vm), "7")
        self.assertFalse(x.get_is_a_template(vm))
        self.assertEqual(x.get_crash_dumps(vm), [])
        self.assertEqual(x.get_VCPUs_max(vm), "1")
        self.assertEqual(x.get_VCPUs_at_startup(vm), "1")

    def test_allowed_devices(self):
        vm = self.new_vm("lc-devices")
        vbds = self.x.VM.get_allowed_VBD_devices(vm)
        self.assertEqual(vbds, [str(i) for i in range(255)])
        self.assertEqual(self.x.VM.get_allowed_VIF_devices(vm), [str(i) for i in range(16)])
        net = self.x.network.create({"name_label": "lc-net", "name_description": "",
                                     "other_config": {}})
        self.addCleanup(self.x.network.destroy, net)
        self.x.VIF.create({"device": "3", "network": net, "VM": vm, "MAC": "", "MTU": "1500",
                           "other_config": {}, "qos_algorithm_type": "",
                           "qos_algorithm_params": {}})
        self.x.VBD.create({"VM": vm, "VDI": NULL_REF, "userdevice": "2", "bootable": False,
                           "mode": "RO", "type": "CD", "empty": True, "other_config": {},
                           "qos_algorithm_type": "", "qos_algorithm_params": {}})
        self.assertNotIn("3", self.x.VM.get_allowed_VIF_devices(vm))
        self.assertNotIn("2", self.x.VM.get_allowed_VBD_devices(vm))
        self.assertEqual(len(self.x.VM.get_allowed_VBD_devices(vm)), 254)

    def test_compute_memory_overhead(self):
        vm = self.new_vm("lc-overhead")
        self.assertEqual(self.x.VM.compute_memory_overhead(vm), self.x.VM.get_memory_overhead(vm))


class TestHostMemory(LifecycleBase):
    daemon_config = {"sim_memory": str(1 * GiB)}

    def test_memory_exhaustion(self):
        x = self.x
        hm = x.host.get_metrics(self.host)
        self.assertEqual(x.host_metrics.get_memory_total(hm), str(1 * GiB))
        free0 = int(x.host.compute_free_memory(self.host))
        self.assertEqual(free0, 1 * GiB)
        size = str(400 * MiB)
        vms = [self.new_vm("lc-big-%d" % i, memory_static_max=size, memory_dynamic_max=size,
                           memory_dynamic_min=size) for i in range(3)]
        x.VM.start(vms[0], False, False)
        x.VM.start(vms[1], False, False)
        free = int(x.host.compute_free_memory(self.host))
        self.assertEqual(free, free0 - 800 * MiB)
        self.assertFailure(["HOST_NOT_ENOUGH_FREE_MEMORY", size, str(free)], x.VM.start, vms[2],
                           False, False)
        self.assertEqual(x.VM.get_power_state(vms[2]), "Halted")
        self.assertEqual(x.VM.get_current_operations(vms[2]), {})
        self.assertIn("start", x.VM.get_allowed_operations(vms[2]))
        x.VM.hard_shutdown(vms[0])
        self.assertEqual(int(x.host.compute_free_memory(self.host)), free + 400 * MiB)
        x.VM.start(vms[2], False, False)
        self.assertEqual(int(x.host.compute_free_memory(self.host)), free)


class TestGuestFaults(LifecycleBase):
    daemon_config = {"sim_memory": str(16 * GiB), "clean_shutdown_timeout": "3"}

    def test_operation_in_progress(self):
        vm = self.vm_in("Running", "lc-busy", other_config={"sim:fault": "shutdown_ignored"})
        task = self.x.Async.VM.clean_shutdown(vm)
        self.assertRegex(task, REF_RE)
        ops = wait_for(lambda: self.x.VM.get_current_operations(vm))
        self.assertEqual(ops, {task: "clean_shutdown"})
        self.assertNotIn("clean_shutdown", self.x.VM.get_allowed_operations(vm))
        self.assertFailure(["OTHER_OPERATION_IN_PROGRESS", "VM", vm, "clean_shutdown", task],
                           self.x.VM.assert_operation_valid, vm, "pause")
        rec = self.wait_task(task)
        self.assertEqual(rec["status"], "failure")
        self.assertEqual(rec["error_info"], ["VM_SHUTDOWN_TIMEOUT", vm, "3."])
        self.assertEqual(self.x.VM.get_power_state(vm), "Running")
        self.assertEqual(self.x.VM.get_current_operations(vm), {})
        self.assertIn("clean_shutdown", self.x.VM.get_allowed_operations(vm))

    def test_hard_shutdown_overrides_a_hanging_clean_one(self):
        vm = self.vm_in("Running", "lc-override", other_config={"sim:fault": "shutdown_ignored"})
        task = self.x.Async.VM.clean_shutdown(vm)
        wait_for(lambda: self.x.VM.get_current_operations(vm))
        self.x.VM.hard_shutdown(vm)
        self.assertEqual(self.x.VM.get_power_state(vm), "Halted")
        self.wait_task(task)
        self.assertEqual(self.x.VM.get_power_state(vm), "Halted")
        self.assertTrue(wait_for(lambda: self.x.VM.get_current_operations(vm) == {}))

    def test_a_second_operation_waits_for_the_first(self):
        vm = self.vm_in("Running", "lc-wait", other_config={"sim:fault": "shutdown_ignored"})
        t1 = self.x.Async.VM.clean_shutdown(vm)
        wait_for(lambda: self.x.VM.get_current_operations(vm))
        t2 = self.x.Async.VM.pause(vm)  # waits, as xapi's, then runs
        self.assertEqual(self.wait_task(t1)["status"], "failure")
        self.assertEqual(self.wait_task(t2)["status"], "success")
        self.assertEqual(self.x.VM.get_power_state(vm), "Paused")

    def test_shutdown_falls_back_to_hard(self):
        vm = self.vm_in("Running", "lc-fallback", other_config={"sim:fault": "shutdown_ignored"},
                        shutdown_delay="1")
        self.x.VM.shutdown(vm)
        self.assertEqual(self.x.VM.get_power_state(vm), "Halted")

    def test_refused_acknowledgement(self):
        vm = self.vm_in("Running", "lc-refused", other_config={"sim:fault": "shutdown_refused"})
        self.assertFailure(["VM_FAILED_SHUTDOWN_ACKNOWLEDGMENT", vm], self.x.VM.clean_shutdown, vm)
        self.assertEqual(self.x.VM.get_power_state(vm), "Running")

    def test_create_fails(self):
        vm = self.new_vm("lc-create-fails", other_config={"sim:fault": "create_fails"})
        self.assertFailure("INTERNAL_ERROR", self.x.VM.start, vm, False, False)
        rec = self.x.VM.get_record(vm)
        self.assertEqual((rec["power_state"], rec["current_operations"]), ("Halted", {}))

    def test_crash_destroy(self):
        vm = self.new_vm("lc-crash", other_config={"sim:fault": "crash"},
                         actions_after_crash="destroy")
        self.x.VM.start(vm, False, False)
        self.assertTrue(wait_for(lambda: self.x.VM.get_power_state(vm) == "Halted"),
                        self.log_tail(20))
        self.assertEqual(self.x.VM.get_domid(vm), "-1")

    def test_crash_restart(self):
        vm = self.new_vm("lc-crash-restart", other_config={"sim:fault": "crash"},
                         actions_after_crash="restart")
        self.x.VM.start(vm, False, False)
        d1 = int(self.x.VM.get_domid(vm))
        self.assertTrue(wait_for(lambda: int(self.x.VM.get_domid(vm)) > d1), self.log_tail(20))
        self.x.VM.remove_from_other_config(vm, "sim:fault")
        self.x.VM.hard_reboot(vm)
        self.assertEqual(self.x.VM.get_power_state(vm), "Running")


class TestEventsAndConcurrency(LifecycleBase):

    def test_power_state_events(self):
        vm = self.new_vm("lc-events")
        token = current_token(self.x, ["vm"])
        self.x.VM.start(vm, False, False)

        def seen(evs):
            return any(e["ref"] == vm and e["operation"] == "mod" and
                       e["snapshot"]["power_state"] == "Running" for e in evs)
        evs, token = self.events_until(["vm"], token, seen)
        self.x.VM.clean_shutdown(vm)

        def halted(evs):
            return any(e["ref"] == vm and e["snapshot"]["power_state"] == "Halted" for e in evs)
        self.events_until(["vm"], token, halted)

    def test_fifty_vms_at_once(self):
        n = 50
        vms = [self.new_vm("lc-conc-%d" % i, memory_static_max=str(64 * MiB),
                           memory_dynamic_max=str(64 * MiB), memory_dynamic_min=str(64 * MiB),
                           memory_static_min=str(64 * MiB)) for i in range(n)]
        errors = []

        def run(chunk):
            s = self.new_session()
            try:
                for vm in chunk:
                    s.xenapi.VM.start(vm, False, False)
            except Exception as e:  # noqa: reported below
                errors.append(e)
            finally:
                s.logout()
        threads = [threading.Thread(target=run, args=([vm],)) for vm in vms]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])
        recs = [self.x.VM.get_record(vm) for vm in vms]
        self.assertEqual({r["power_state"] for r in recs}, {"Running"})
        self.assertEqual(len({r["domid"] for r in recs}), n)
        resident = set(self.x.host.get_resident_VMs(self.host))
        self.assertTrue(set(vms) <= resident)
        tasks = [self.x.Async.VM.clean_shutdown(vm) for vm in vms]
        for t in tasks:
            self.assertEqual(self.wait_task(t, timeout=60)["status"], "success")
        self.assertEqual({self.x.VM.get_power_state(vm) for vm in vms}, {"Halted"})


class XenBackendXapid(Xapid):
    """xapid asked for the xen backend (the harness runs sim otherwise)."""

    def command(self):
        cmd = super().command()
        cmd[cmd.index("--backend") + 1] = "xen"
        return cmd


@unittest.skipIf(os.path.exists("/dev/xen") or os.path.exists("/proc/xen/xenbus"),
                 "a hypervisor is there")
class TestBackendChoice(unittest.TestCase):

    def test_xen_without_hypervisor_fails_to_start(self):
        d = XenBackendXapid(name="no-xen")
        self.addCleanup(d.cleanup)
        with self.assertRaises(XapidError) as cm:
            d.start()
        self.assertIn("exited with status 1", str(cm.exception))
        self.assertIn("cannot use the xen hypervisor backend: xen backend unavailable", d.log_text())

    def test_fallback_to_sim(self):
        d = XenBackendXapid(config={"fallback_to_sim": "true"}, name="fallback")
        self.addCleanup(d.cleanup)
        d.start()
        self.assertIn("falling back to the simulated host", d.log_text())
        s = d.session()
        try:
            vm = s.xenapi.VM.create(vm_record("fallback-vm"))
            s.xenapi.VM.start(vm, False, False)
            self.assertEqual(s.xenapi.VM.get_power_state(vm), "Running")
            s.xenapi.VM.hard_shutdown(vm)
        finally:
            s.logout()
            s.close()
        d.stop()

    def test_bad_fallback_value(self):
        d = XenBackendXapid(config={"fallback_to_sim": "maybe"}, name="badfallback")
        self.addCleanup(d.cleanup)
        with self.assertRaises(XapidError):
            d.start()
        self.assertIn("fallback_to_sim: 'maybe' is neither true nor false", d.log_text())


if __name__ == "__main__":
    unittest.main()

"""A running VM's memory, live, as xapi's (sim backend):
VM.wait_memory_target_live returns once the domain holds its balloon
target, waits while the guest's balloon driver is stuck (the sim's
balloon_stuck fault) until its task is cancelled (TASK_CANCELLED [task]),
and wants a running VM (VM_BAD_POWER_STATE); VM.set_shadow_multiplier_live
resizes a running HVM domain's shadow memory (HVM_shadow_multiplier and
memory_overhead follow), leaves a PV domain as it is, refuses a multiplier
below 1 (INVALID_VALUE [multiplier, value]) and a halted VM."""
import time

from harness import DaemonTestCase

MiB = 1 << 20
GiB = 1 << 30
BAD_VM = "OpaqueRef:00000000-0000-0000-0000-00000000dead"


class VmMemoryLive(DaemonTestCase):
    daemon_config = {"sim_memory": str(4 * GiB)}

    def test_wait_returns_once_the_target_is_reached(self):
        vm = self.running_vm("wait-ok")
        self.assertEqual(self.x.VM.wait_memory_target_live(vm), "")
        self.x.VM.set_memory_dynamic_range(vm, str(128 * MiB), str(128 * MiB))
        self.assertEqual(self.x.VM.wait_memory_target_live(vm), "")
        metrics = self.x.VM.get_metrics(vm)
        self.assertEqual(int(self.x.VM_metrics.get_memory_actual(metrics)), 128 * MiB)

    def test_wait_on_a_stuck_balloon_until_cancelled(self):
        vm = self.create_vm("wait-stuck", other_config={"sim:fault": "balloon_stuck"})
        self.x.VM.start(vm, False, False)
        self.addCleanup(self.x.VM.destroy, vm)
        self.addCleanup(self.x.VM.hard_shutdown, vm)
        self.x.VM.set_memory_dynamic_range(vm, str(128 * MiB), str(128 * MiB))
        task = self.x.Async.VM.wait_memory_target_live(vm)
        time.sleep(1.0)
        self.assertEqual(self.x.task.get_status(task), "pending")
        self.assertIn("awaiting_memory_live", self.x.VM.get_current_operations(vm).values())
        self.x.task.cancel(task)
        rec = self.wait_task(task)
        self.assertEqual(rec["status"], "cancelled")
        self.assertEqual(rec["error_info"], ["TASK_CANCELLED", task])
        self.assertEqual(self.x.VM.get_current_operations(vm), {})

    def test_a_wait_does_not_hold_up_a_stop(self):
        vm = self.create_vm("wait-stop", other_config={"sim:fault": "balloon_stuck"})
        self.addCleanup(lambda: self.x.VM.destroy(vm))
        self.x.VM.start(vm, False, False)
        self.x.VM.set_memory_dynamic_range(vm, str(128 * MiB), str(128 * MiB))
        task = self.x.Async.VM.wait_memory_target_live(vm)
        time.sleep(0.5)
        self.assertEqual(self.x.task.get_status(task), "pending")
        started = time.monotonic()
        self.restart_daemon()  # SIGTERM: exit status 0 within the harness's 15 s
        self.assertLess(time.monotonic() - started, 12)
        # the simulated host went down with xapid: its domain too
        self.assertEqual(self.x.VM.get_power_state(vm), "Halted")

    def test_wait_wants_a_running_vm(self):
        vm = self.create_vm("wait-halted")
        self.addCleanup(self.x.VM.destroy, vm)
        self.assertFailure(["VM_BAD_POWER_STATE", vm, "running", "halted"],
                           self.x.VM.wait_memory_target_live, vm)
        self.assertFailure(["HANDLE_INVALID", "VM", BAD_VM], self.x.VM.wait_memory_target_live,
                           BAD_VM)

    def test_shadow_multiplier_live(self):
        vm = self.running_vm("shadow-hvm")
        before = int(self.x.VM.get_memory_overhead(vm))
        free = int(self.x.host.compute_free_memory(self.x.host.get_all()[0]))
        self.assertEqual(self.x.VM.set_shadow_multiplier_live(vm, 4.0), "")
        self.assertEqual(self.x.VM.get_HVM_shadow_multiplier(vm), 4.0)
        self.assertGreater(int(self.x.VM.get_memory_overhead(vm)), before)
        # the shadow memory comes out of the host's
        self.assertLess(int(self.x.host.compute_free_memory(self.x.host.get_all()[0])), free)
        for bad, shown in ((0.5, "0.5"), (0.0, "0.")):
            self.assertFailure(["INVALID_VALUE", "multiplier", shown],
                               self.x.VM.set_shadow_multiplier_live, vm, bad)
        self.assertEqual(self.x.VM.get_HVM_shadow_multiplier(vm), 4.0)
        # more shadow than the host has
        self.assertFailure("HOST_NOT_ENOUGH_FREE_MEMORY", self.x.VM.set_shadow_multiplier_live,
                           vm, 100000.0)
        self.assertEqual(self.x.VM.get_HVM_shadow_multiplier(vm), 4.0)

    def test_shadow_multiplier_live_pv_and_halted(self):
        pv = self.create_vm("shadow-pv", HVM_boot_policy="", domain_type="pv",
                            PV_bootloader="pygrub")
        self.addCleanup(self.x.VM.destroy, pv)
        self.assertFailure(["VM_BAD_POWER_STATE", pv, "running", "halted"],
                           self.x.VM.set_shadow_multiplier_live, pv, 2.0)
        self.x.VM.start(pv, False, False)
        self.addCleanup(self.x.VM.hard_shutdown, pv)
        # xenopsd has no shadow for PV domains and xapi lets that pass
        self.assertEqual(self.x.VM.set_shadow_multiplier_live(pv, 2.0), "")
        self.assertEqual(self.x.VM.get_HVM_shadow_multiplier(pv), 1.0)
        self.assertFailure(["HANDLE_INVALID", "VM", BAD_VM],
                           self.x.VM.set_shadow_multiplier_live, BAD_VM, 2.0)

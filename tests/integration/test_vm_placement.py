"""VM.assert_can_boot_here and VM.get_possible_hosts on one host, with the
checks VM.start makes: the host enabled, enough free memory; another host's ref is HOST_OFFLINE as for start_on."""
from harness import DaemonTestCase

MiB = 1024 * 1024
GiB = 1024 * MiB


class VmPlacement(DaemonTestCase):
    daemon_config = {"sim_memory": str(1 * GiB)}

    def setUp(self):
        super().setUp()
        self.host = self.x.host.get_all()[0]
        self.x.host.enable(self.host)

    def test_a_bootable_vm(self):
        vm = self.create_vm("pl-ok")
        self.x.VM.assert_can_boot_here(vm, self.host)
        self.assertEqual(self.x.VM.get_possible_hosts(vm), [self.host])
        self.x.VM.destroy(vm)

    def test_disabled_host(self):
        vm = self.create_vm("pl-disabled")
        self.x.host.disable(self.host)
        self.assertFailure(["HOST_DISABLED", self.host], self.x.VM.assert_can_boot_here, vm,
                           self.host)
        self.assertEqual(self.x.VM.get_possible_hosts(vm), [])
        self.x.host.enable(self.host)
        self.x.VM.destroy(vm)

    def test_not_enough_memory(self):
        size = str(2 * GiB)
        vm = self.create_vm("pl-big", memory_static_max=size, memory_dynamic_max=size,
                            memory_dynamic_min=size)
        free = self.x.host.compute_free_memory(self.host)
        self.assertFailure(["HOST_NOT_ENOUGH_FREE_MEMORY", size, free],
                           self.x.VM.assert_can_boot_here, vm, self.host)
        self.assertEqual(self.x.VM.get_possible_hosts(vm), [])
        self.x.VM.destroy(vm)

    def test_bad_refs(self):
        vm = self.create_vm("pl-refs")
        bad = "OpaqueRef:00000000-0000-0000-0000-0000000000ff"
        self.assertFailure(["HANDLE_INVALID", "VM", bad], self.x.VM.assert_can_boot_here, bad,
                           self.host)
        self.assertFailure(["HANDLE_INVALID", "host", bad], self.x.VM.assert_can_boot_here,
                           vm, bad)
        self.assertFailure(["HANDLE_INVALID", "VM", bad], self.x.VM.get_possible_hosts, bad)
        self.x.VM.destroy(vm)

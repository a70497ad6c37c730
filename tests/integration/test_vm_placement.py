"""VM.assert_can_boot_here and VM.get_possible_hosts on one host, with the
checks VM.start makes: the host enabled, enough free memory; another
host's ref is HOST_OFFLINE as for start_on. VM.assert_agile with xapi's
rules: disks on shared SRs plugged on every enabled host, VIFs on networks
with a PIF on every enabled host. And xe diagnostic-vm-status, which
prints all of it."""
import subprocess

from harness import ROOT_PASSWORD, ROOT_USER, build_dir
from storage_util import StorageTestCase

MiB = 1024 * 1024
GiB = 1024 * MiB


class VmPlacement(StorageTestCase):
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

    def vm_with_disk_on(self, name, shared):
        sr, _ = self.create_sr(name + "-sr", shared=shared)
        vm = self.create_vm(name)
        vdi = self.create_vdi(sr, name=name + "-disk")
        self.x.VBD.create({"VM": vm, "VDI": vdi, "userdevice": "0", "bootable": True,
                           "mode": "RW", "type": "Disk", "empty": False, "other_config": {},
                           "qos_algorithm_type": "", "qos_algorithm_params": {}})
        return vm, sr

    def test_agile_needs_shared_storage_and_networks(self):
        bare = self.create_vm("ag-bare")
        self.x.VM.assert_agile(bare)   # nothing that ties it to a host
        local, local_sr = self.vm_with_disk_on("ag-local", shared=False)
        self.assertFailure(["HA_CONSTRAINT_VIOLATION_SR_NOT_SHARED", local_sr],
                           self.x.VM.assert_agile, local)
        shared, shared_sr = self.vm_with_disk_on("ag-shared", shared=True)
        self.x.VM.assert_agile(shared)
        # a network with no PIF on this host is not on every host
        net = self.x.network.create({"name_label": "ag-private", "name_description": "",
                                     "MTU": "1500", "other_config": {}})
        self.x.VIF.create({"device": "0", "network": net, "VM": shared, "MAC": "",
                           "MTU": "1500", "other_config": {}, "qos_algorithm_type": "",
                           "qos_algorithm_params": {}})
        self.assertFailure(["HA_CONSTRAINT_VIOLATION_NETWORK_NOT_SHARED", net],
                           self.x.VM.assert_agile, shared)
        bad = "OpaqueRef:00000000-0000-0000-0000-0000000000ee"
        self.assertFailure(["HANDLE_INVALID", "VM", bad], self.x.VM.assert_agile, bad)

    def test_xe_diagnostic_vm_status(self):
        vm, sr = self.vm_with_disk_on("diag-vm", shared=False)
        uuid = self.x.VM.get_uuid(vm)
        host_name = self.x.host.get_name_label(self.host)
        vbd = self.x.VM.get_VBDs(vm)[0]
        vdi_uuid = self.x.VDI.get_uuid(self.x.VBD.get_VDI(vbd))
        xe = [str(build_dir() / "xe"), "--socket", self.daemon.socket_path, "-u", ROOT_USER,
              "-pw", ROOT_PASSWORD]
        r = subprocess.run(xe + ["diagnostic-vm-status", "uuid=" + uuid], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout
        self.assertIn("uuid ( RO)", out)
        self.assertRegex(out, r"name-label \( RW\): diag-vm\n")
        self.assertRegex(out, r"power-state \( RO\): halted\n")
        self.assertRegex(out, r"possible-hosts \( RO\): %s\n" % self.x.host.get_uuid(self.host))
        self.assertIn("Checking to see whether disks are attachable\n", out)
        self.assertRegex(out, r"vdi-uuid \( RO\): %s\n" % vdi_uuid)
        self.assertRegex(out, r"attachable \( RO\): true\n")
        self.assertIn("Checking to see whether VM can boot on each host\n", out)
        self.assertIn("%s: OK\n" % host_name, out)
        self.assertIn("VM is not agile because: VM requires access to non-shared SR: %s. SR must "
                      "both be marked as shared and a properly configured PBD must be plugged-in "
                      "on every host\n" % self.x.SR.get_uuid(sr), out)
        self.x.host.disable(self.host)
        r = subprocess.run(xe + ["diagnostic-vm-status", "uuid=" + uuid], capture_output=True,
                           text=True, timeout=60)
        self.x.host.enable(self.host)
        self.assertIn("%s: Cannot start here [Host disabled (use 'xe host-enable' to re-enable)]\n"
                      % host_name, r.stdout)
        r = subprocess.run(xe + ["diagnostic-vm-status"], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual((r.returncode, r.stderr), (1, "Required parameter not found: uuid\n"))


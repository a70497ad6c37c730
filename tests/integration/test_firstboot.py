"""What a fresh state dir holds after the first start: the pool, this host
with real facts from the machine, its metrics and CPUs, the control domain
and the templates (xenapi-protocol.md 2.3 and the checklist in 8)."""

import os
import re
import socket
import unittest
import xmlrpc.client

from harness import DaemonTestCase, NULL_REF, REF_RE, UUID_RE


def proc_cpuinfo():
    try:
        with open("/proc/cpuinfo") as f:
            text = f.read()
    except OSError:
        return os.cpu_count(), None, None
    n = len(re.findall(r"^processor\s*:", text, re.M)) or os.cpu_count()
    model = re.search(r"^model name\s*:\s*(.*)$", text, re.M)
    vendor = re.search(r"^vendor_id\s*:\s*(.*)$", text, re.M)
    return n, model and model.group(1).strip(), vendor and vendor.group(1).strip()


def proc_memtotal_bytes():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no MemTotal in /proc/meminfo")


class FirstBootTest(DaemonTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.host = cls.x.session.get_this_host(cls.session.handle)

    def test_one_pool_whose_master_is_this_host(self):
        pools = self.x.pool.get_all()
        self.assertEqual(len(pools), 1)
        rec = self.x.pool.get_record(pools[0])
        self.assertEqual(rec["master"], self.host)
        self.assertRegex(rec["uuid"], UUID_RE)
        self.assertEqual(list(self.x.pool.get_all_records()), pools)   # XO takes the first key
        self.assertEqual(self.x.host.get_all(), [self.host])

    def test_api_version_as_xenapi_py_reads_it(self):
        # XenAPI.py: pool.get_all()[0] -> pool.get_master -> host.get_API_version_major/minor
        master = self.x.pool.get_master(self.x.pool.get_all()[0])
        self.assertEqual(self.x.host.get_API_version_major(master), "2")
        self.assertRegex(self.x.host.get_API_version_minor(master), r"^\d+$")

    def test_host_facts(self):
        rec = self.x.host.get_record(self.host)
        self.assertEqual(rec["hostname"], socket.gethostname())
        self.assertNotEqual(rec["name_label"], "")
        self.assertNotEqual(rec["address"], "")       # clients reach the host by it
        self.assertIs(rec["enabled"], True)
        self.assertRegex(rec["uuid"], UUID_RE)
        # Ansible's xenserver modules read software_version["product_version"]
        self.assertIn("product_version", rec["software_version"])
        n, _, _ = proc_cpuinfo()
        self.assertEqual(rec["cpu_info"].get("cpu_count"), str(n), rec["cpu_info"])
        self.assertRegex(rec["metrics"], REF_RE)
        self.assertNotEqual(rec["control_domain"], NULL_REF)

    def test_host_metrics(self):
        metrics = self.x.host.get_metrics(self.host)
        rec = self.x.host_metrics.get_record(metrics)
        self.assertIs(rec["live"], True)                      # XO: the host is up
        # the hypervisor backend's memory: on sim, MemTotal less a dom0 share
        total = int(rec["memory_total"])
        want = proc_memtotal_bytes()
        self.assertLessEqual(total, want * 1.02, "memory_total %d vs MemTotal %d" % (total, want))
        self.assertGreaterEqual(total, want * 0.45, "memory_total %d vs MemTotal %d" % (total, want))
        self.assertEqual(int(self.x.host.compute_free_memory(self.host)), total)  # no VM runs
        self.assertIsInstance(rec["last_updated"], xmlrpc.client.DateTime)
        self.assertEqual(self.x.host_metrics.get_all(), [metrics])

    def test_host_cpus(self):
        n, model, vendor = proc_cpuinfo()
        cpus = self.x.host_cpu.get_all_records()
        self.assertEqual(len(cpus), n)
        self.assertEqual(sorted(cpus), sorted(self.x.host.get_host_CPUs(self.host)))
        self.assertEqual(sorted(int(c["number"]) for c in cpus.values()), list(range(n)))
        for c in cpus.values():
            self.assertEqual(c["host"], self.host)
            self.assertNotEqual(c["modelname"], "")
            if model:
                self.assertEqual(c["modelname"], model)
            if vendor:
                self.assertEqual(c["vendor"], vendor)

    def test_control_domain(self):
        dom0s = self.x.VM.get_all_records_where('field "is_control_domain" = "true"')
        self.assertEqual(len(dom0s), 1, dom0s)
        (dom0, rec), = dom0s.items()
        self.assertEqual(rec["power_state"], "Running")
        self.assertEqual(rec["resident_on"], self.host)
        self.assertEqual(rec["domid"], "0")
        self.assertIs(rec["is_a_template"], False)
        self.assertEqual(self.x.host.get_control_domain(self.host), dom0)
        self.assertIn(dom0, self.x.host.get_resident_VMs(self.host))

    def test_hypervisor_facts_come_from_the_backend(self):
        # on sim: the Xen it stands for (tests/xen checks them against a real one)
        rec = self.x.host.get_record(self.host)
        self.assertEqual(rec["software_version"]["xen"], "4.17.0")
        self.assertEqual(rec["sched_policy"], "credit2")
        self.assertIn("xen-3.0-x86_64", rec["capabilities"])
        dom0 = rec["control_domain"]
        target = int(self.x.VM.get_memory_target(dom0))
        self.assertGreaterEqual(target, 1 << 30)            # the sim's dom0 keeps 1 GiB + 5%
        metrics = self.x.VM.get_metrics(dom0)
        self.assertEqual(int(self.x.VM_metrics.get_memory_actual(metrics)), target)
        self.assertEqual(self.x.VM_metrics.get_VCPUs_number(metrics), rec["cpu_info"]["cpu_count"])

    def test_templates(self):
        refs = self.x.VM.get_by_name_label("Other install media")
        self.assertEqual(len(refs), 1, refs)
        rec = self.x.VM.get_record(refs[0])
        self.assertIs(rec["is_a_template"], True)
        self.assertIs(rec["is_control_domain"], False)
        self.assertEqual(rec["power_state"], "Halted")
        where = self.x.VM.get_all_records_where(
            'field "name__label" = "Other install media" and field "is_a_template" = "true"')
        self.assertEqual(list(where), refs)
        templates = self.x.VM.get_all_records_where('field "is_a_template" = "true"')
        self.assertIn(refs[0], templates)
        for r in templates.values():
            self.assertIs(r["is_control_domain"], False)

    def test_every_vm_has_metrics(self):
        for ref, rec in self.x.VM.get_all_records().items():
            if rec["metrics"] != NULL_REF:
                self.assertIsInstance(self.x.VM_metrics.get_record(rec["metrics"]), dict)


if __name__ == "__main__":
    unittest.main()

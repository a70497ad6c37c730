"""xe's host administration, BIOS-string, memory-target and template/snapshot
export commands against a running xapid: host-dmesg, host-send-debug-keys,
host-set-hostname-live, host-syslog-reconfigure, host-shutdown-agent,
vm-copy-bios-strings, vm-is-bios-customized, vm-memory-target-set,
vm-memory-balloon, vm-memory-target-wait, vm-memory-shadow-multiplier-set,
template-export, snapshot-export-to-template; their output, exit codes and
the errors for bad input."""
import os
import socket
import subprocess
import tarfile
import unittest

from harness import Xapid
from test_host_admin import syslog_receiver
from test_xe import xe_binary
from test_xe_vm import XeVmBase

MiB = 1 << 20


class XeAdminTest(XeVmBase):
    def setUp(self):
        super().setUp()
        self.host_uuid = self.x.host.get_uuid(self.host)

    def test_help(self):
        out = self.xe("help", "host-set-hostname-live")
        self.assertIn("command name            : host-set-hostname-live\n", out)
        self.assertIn("        reqd params     : host-uuid, host-name\n", out)
        out = self.xe("help", "snapshot-export-to-template")
        self.assertIn("        optional params : preserve-power-state, compress, metadata, "
                      "excluded-device-types\n", out)
        out = self.xe("help", "vm-memory-target-set")
        self.assertIn("        optional params : <vm-selectors>\n", out)
        listed = self.xe("help", "--minimal").strip().split(",")
        for cmd in ("host-dmesg", "host-send-debug-keys", "host-syslog-reconfigure",
                    "host-shutdown-agent", "vm-copy-bios-strings", "vm-is-bios-customized",
                    "vm-memory-balloon", "vm-memory-target-wait",
                    "vm-memory-shadow-multiplier-set", "template-export"):
            self.assertIn(cmd, listed)

    # ---- the host ----

    def test_host_dmesg(self):
        out = self.xe("host-dmesg")
        self.assertTrue(out.startswith("(XEN) Xen version 4.17.0 (xapi-c simulated host)\n"), out)
        self.assertTrue(out.endswith("\n\n"), out)
        name = self.x.host.get_name_label(self.host)
        self.assertEqual(self.xe("host-dmesg", "host=%s" % name),
                         self.x.host.dmesg(self.host) + "\n")
        err = self.xe_fails("host-dmesg", "host=no-such-host")
        self.assertFailure_(err, "No matching hosts found")

    def test_host_send_debug_keys(self):
        self.assertEqual(self.xe("host-send-debug-keys", "host-uuid=%s" % self.host_uuid,
                                 "keys=r"), "")
        self.assertEqual(self.x.host.dmesg(self.host).splitlines()[-1],
                         "(XEN) 'r' pressed -> dumping run queues")
        err = self.xe_fails("host-send-debug-keys", "host-uuid=%s" % self.host_uuid)
        self.assertEqual(err, "Required parameter not found: keys\n")
        err = self.xe_fails("host-send-debug-keys", "host-uuid=nope", "keys=r")
        self.assertIn("Error code: UUID_INVALID\nError parameters: host, nope\n", err)

    def test_host_set_hostname_live(self):
        old = self.x.host.get_hostname(self.host)
        self.addCleanup(lambda: self.x.host.set_hostname_live(self.host, old))
        machine = socket.gethostname()
        self.assertEqual(self.xe("host-set-hostname-live", "host-uuid=%s" % self.host_uuid,
                                 "host-name=xe-host-9"), "")
        self.assertEqual(self.x.host.get_hostname(self.host), "xe-host-9")
        self.assertEqual(socket.gethostname(), machine)
        err = self.xe_fails("host-set-hostname-live", "host-uuid=%s" % self.host_uuid,
                            "host-name=bad_name")
        self.assertIn("Error code: HOST_NAME_INVALID\n"
                      "Error parameters: hostname contains invalid characters\n", err)
        err = self.xe_fails("host-set-hostname-live", "host-uuid=%s" % self.host_uuid)
        self.assertEqual(err, "Required parameter not found: host-name\n")

    def test_host_syslog_reconfigure(self):
        rx, dest = syslog_receiver(self)
        self.xe("host-param-set", "uuid=%s" % self.host_uuid, "logging:syslog_destination=%s" % dest)
        self.assertEqual(self.xe("host-syslog-reconfigure", "host-uuid=%s" % self.host_uuid), "")
        self.assertIn("syslog: forwarding the log to %s" % dest, rx.recv(65536).decode())
        err = self.xe_fails("host-syslog-reconfigure")
        self.assertEqual(err, "Required parameter not found: host-uuid\n")

    def test_pool_disable_ssl_legacy(self):
        """Deprecated upstream: nothing to disable, as xapi's says in its log."""
        self.assertEqual(self.xe("pool-disable-ssl-legacy"), "")
        pool = self.x.pool.get_all()[0]
        self.assertEqual(self.xe("pool-disable-ssl-legacy",
                                 "uuid=%s" % self.x.pool.get_uuid(pool)), "")
        self.assertIn("pool.disable_ssl_legacy: doing nothing", self.daemon.log_text())
        err = self.xe_fails("pool-disable-ssl-legacy", "uuid=nope")
        self.assertIn("Error code: UUID_INVALID\nError parameters: pool, nope\n", err)

    # ---- BIOS strings ----

    def test_bios_strings(self):
        vm, uuid = self.new_vm("xe-bios")
        self.assertEqual(self.xe("vm-is-bios-customized", "vm=xe-bios"),
                         "The BIOS strings of this VM have not yet been set.\n")
        self.assertEqual(self.xe("vm-copy-bios-strings", "vm=xe-bios",
                                 "host-uuid=%s" % self.host_uuid), "")
        self.assertEqual(self.x.VM.get_bios_strings(vm), self.x.host.get_bios_strings(self.host))
        self.assertEqual(self.xe("vm-is-bios-customized", "uuid=%s" % uuid),
                         "This VM is BIOS-customized.\n")
        err = self.xe_fails("vm-copy-bios-strings", "vm=xe-bios", "host-uuid=%s" % self.host_uuid)
        self.assertIn("Error code: VM_BIOS_STRINGS_ALREADY_SET\n", err)
        err = self.xe_fails("vm-copy-bios-strings", "vm=xe-bios")
        self.assertEqual(err, "Required parameter not found: host-uuid\n")
        # a start gives a VM without strings xapi's generic ones
        gen, _ = self.new_vm("xe-bios-gen")
        self.xe("vm-start", "vm=xe-bios-gen")
        self.assertEqual(self.xe("vm-is-bios-customized", "vm=xe-bios-gen"),
                         "This VM is BIOS-generic.\n")
        err = self.xe_fails("vm-is-bios-customized", "vm=no-such-vm")
        self.assertFailure_(err, "No matching VMs found")

    # ---- memory ----

    def test_memory_target_set_and_balloon(self):
        vm, uuid = self.new_vm("xe-target")
        self.assertEqual(self.xe("vm-memory-target-set", "vm=xe-target", "target=192MiB"), "")
        self.assertEqual(int(self.x.VM.get_memory_dynamic_min(vm)), 192 * MiB)
        self.assertEqual(int(self.x.VM.get_memory_dynamic_max(vm)), 192 * MiB)
        self.xe("vm-start", "vm=xe-target")
        self.assertEqual(self.xe("vm-memory-balloon", "uuid=%s" % uuid, "target=160MiB"), "")
        self.assertEqual(int(self.x.VM.get_memory_dynamic_max(vm)), 160 * MiB)
        self.assertEqual(self.xe("vm-memory-target-wait", "vm=xe-target"), "")
        metrics = self.x.VM.get_metrics(vm)
        self.assertEqual(int(self.x.VM_metrics.get_memory_actual(metrics)), 160 * MiB)
        err = self.xe_fails("vm-memory-target-set", "vm=xe-target", "target=lots")
        self.assertEqual(err, "Error: Failed to parse field 'target': expecting an integer "
                         "(possibly with suffix KiB, MiB, GiB, TiB), got 'lots'\n")
        err = self.xe_fails("vm-memory-balloon", "vm=xe-target")
        self.assertEqual(err, "Required parameter not found: target\n")
        err = self.xe_fails("vm-memory-target-set", "vm=xe-target", "target=1GiB")
        self.assertIn("Error code: MEMORY_CONSTRAINT_VIOLATION_ORDER\n", err)
        # as upstream's, these two select the control domain too
        dom0 = self.x.host.get_control_domain(self.host)
        dom0_max = self.x.VM.get_memory_static_max(dom0)
        self.assertEqual(self.xe("vm-memory-target-set", "uuid=%s" % self.x.VM.get_uuid(dom0),
                                 "target=%s" % dom0_max), "")
        self.xe("vm-shutdown", "vm=xe-target", "--force")
        err = self.xe_fails("vm-memory-target-wait", "vm=xe-target")
        self.assertIn("Error code: VM_BAD_POWER_STATE\nError parameters: %s, running, halted\n"
                      % vm, err)

    def test_shadow_multiplier_set(self):
        vm, _ = self.new_vm("xe-shadow")
        self.xe("vm-start", "vm=xe-shadow")
        self.assertEqual(self.xe("vm-memory-shadow-multiplier-set", "vm=xe-shadow",
                                 "multiplier=2.5"), "")
        self.assertEqual(self.x.VM.get_HVM_shadow_multiplier(vm), 2.5)
        err = self.xe_fails("vm-memory-shadow-multiplier-set", "vm=xe-shadow", "multiplier=x")
        self.assertFailure_(err, "Failed to parse parameter 'multiplier': expecting a float")
        err = self.xe_fails("vm-memory-shadow-multiplier-set", "vm=xe-shadow", "multiplier=0.5")
        self.assertIn("Error code: INVALID_VALUE\nError parameters: multiplier, 0.5\n", err)

    # ---- exports ----

    def test_template_and_snapshot_export(self):
        tmpl, tuuid = self.new_vm("xe-exp-tmpl", is_a_template=True)
        out = os.path.join(self.srdir, "tmpl.xva")
        self.assertEqual(self.xe("template-export", "template-uuid=%s" % tuuid,
                                 "filename=%s" % out), "")
        with tarfile.open(out) as t:
            self.assertEqual(t.getnames()[0], "ova.xml")
            ova = t.extractfile("ova.xml").read().decode()
        self.assertIn("xe-exp-tmpl", ova)
        vm, uuid = self.new_vm("xe-exp-vm")
        err = self.xe_fails("template-export", "template-uuid=%s" % uuid,
                            "filename=%s" % out + "2")
        self.assertFailure_(err, "This operation can only be performed on a VM template. %s is "
                            "not a VM template." % uuid)
        snap = self.x.VM.snapshot(vm, "xe-exp-snap")
        suuid = self.x.VM.get_uuid(snap)
        sout = os.path.join(self.srdir, "snap.xva")
        self.assertEqual(self.xe("snapshot-export-to-template", "snapshot-uuid=%s" % suuid,
                                 "filename=%s" % sout, "metadata=true"), "")
        with tarfile.open(sout) as t:
            self.assertIn("xe-exp-snap", t.extractfile("ova.xml").read().decode())
        err = self.xe_fails("snapshot-export-to-template", "snapshot-uuid=%s" % tuuid,
                            "filename=%s" % sout + "2")
        self.assertFailure_(err, "This operation can only be performed on a VM snapshot. %s is "
                            "not a VM snapshot." % tuuid)
        # what this server's export does not do is refused, not ignored
        p = self.run_xe(["snapshot-export-to-template", "snapshot-uuid=%s" % suuid,
                         "filename=%s" % sout + "3", "preserve-power-state=true"])
        self.assertEqual(p.returncode, 1)
        self.assertIn("Unknown parameter preserve_power_state", p.stderr)
        self.assertFalse(os.path.exists(sout + "3"))
        err = self.xe_fails("template-export", "filename=x")
        self.assertEqual(err, "Required parameter not found: template-uuid\n")


class XeShutdownAgent(unittest.TestCase):
    def test_host_shutdown_agent(self):
        d = Xapid(name="xe-shutdown-agent")
        self.addCleanup(d.cleanup)
        d.start()
        cmd = [str(xe_binary()), "--socket", d.socket_path]
        if os.geteuid() != 0:
            cmd += ["-u", "root", "-pw", "xapi-c-root-pw"]
        p = subprocess.run(cmd + ["host-shutdown-agent"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "", ""))
        self.assertEqual(d.proc.wait(20), 0, d.log_tail())
        d._finish(d.proc)
        self.assertIn("host.shutdown_agent: stopping", d.log_text())
        d.check_log_clean()

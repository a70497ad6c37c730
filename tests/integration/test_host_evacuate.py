"""host.disable / host.enable and the evacuation plan on one host, as xapi:
a disabled host starts no VM (HOST_DISABLED) and stays disabled across
restarts of the toolstack until host.enable, and with no other host a running VM blocks host.evacuate
with NO_HOSTS_AVAILABLE [vm]; host.get_vms_which_prevent_evacuation says
which VM and why. Also through xe."""
import os
import subprocess

from harness import DaemonTestCase, NULL_REF, build_dir


class HostEvacuate(DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.host = self.x.host.get_all()[0]
        self.x.host.enable(self.host)

    def test_disabled_host_starts_no_vm_until_enabled(self):
        vm = self.create_vm("ev-start")
        self.x.host.disable(self.host)
        self.x.host.disable(self.host)  # twice: no error, as xapi
        self.assertFalse(self.x.host.get_enabled(self.host))
        self.assertFailure(["HOST_DISABLED", self.host], self.x.VM.start, vm, False, False)
        self.assertEqual(self.x.VM.get_power_state(vm), "Halted")
        self.x.host.enable(self.host)
        self.assertTrue(self.x.host.get_enabled(self.host))
        self.x.VM.start(vm, False, False)
        self.assertEqual(self.x.VM.get_power_state(vm), "Running")
        # running VMs go on running on a disabled host
        self.x.host.disable(self.host)
        self.assertEqual(self.x.VM.get_power_state(vm), "Running")
        self.x.VM.hard_shutdown(vm)
        self.x.VM.destroy(vm)

    def test_disable_is_seen_as_an_event(self):
        token = getattr(self.x.event, "from")(["host"], "", 0.0)["token"]
        self.x.host.disable(self.host)

        def disabled(events):
            return [e for e in events if e["operation"] == "mod" and e["ref"] == self.host
                    and e["snapshot"]["enabled"] is False]
        events, _ = self.events_until(["host"], token, disabled)
        self.assertTrue(disabled(events))

    def test_running_vm_prevents_evacuation_of_a_lone_host(self):
        self.assertEqual(self.x.host.get_vms_which_prevent_evacuation(self.host), {})
        self.x.host.evacuate(self.host)  # nothing resident: nothing to move
        vm = self.running_vm("ev-run")
        halted = self.create_vm("ev-halted")
        self.addCleanup(self.x.VM.destroy, halted)
        self.assertEqual(self.x.host.get_vms_which_prevent_evacuation(self.host),
                         {vm: ["NO_HOSTS_AVAILABLE", vm]})
        self.assertFailure(["NO_HOSTS_AVAILABLE", vm], self.x.host.evacuate, self.host)
        self.assertFailure(["NO_HOSTS_AVAILABLE", vm], self.x.host.evacuate, self.host,
                           NULL_REF, "0")
        self.assertEqual(self.x.VM.get_power_state(vm), "Running")

    def test_bad_refs(self):
        bad = "OpaqueRef:00000000-0000-0000-0000-00000000dead"
        for call in (self.x.host.disable, self.x.host.enable, self.x.host.evacuate,
                     self.x.host.get_vms_which_prevent_evacuation):
            self.assertFailure(["HANDLE_INVALID", "host", bad], call, bad)
        self.assertFailure(["HANDLE_INVALID", "network", bad], self.x.host.evacuate,
                           self.host, bad, "0")

    def test_disable_lasts_across_a_restart(self):
        # an operator's maintenance mode survives a restart of the toolstack
        # (xapi's host.disable with auto_enable=false; this datamodel's has
        # no such argument, so it is always so here)
        self.x.host.disable(self.host)
        self.restart_daemon()
        self.assertFalse(self.x.host.get_enabled(self.host))
        vm = self.create_vm("ev-restart")
        self.assertFailure(["HOST_DISABLED", self.host], self.x.VM.start, vm, False, False)
        self.x.host.enable(self.host)
        self.restart_daemon()
        self.assertTrue(self.x.host.get_enabled(self.host))
        self.x.VM.destroy(vm)

    def test_xe_host_disable_enable_evacuate(self):
        xe = os.path.join(build_dir(), "xe")
        env = dict(os.environ, XE_SOCKET=self.daemon.socket_path)

        def run(*args):
            return subprocess.run([xe] + list(args), env=env, capture_output=True, text=True,
                                  timeout=60)
        uuid = self.x.host.get_uuid(self.host)
        r = run("host-disable", "uuid=" + uuid)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(self.x.host.get_enabled(self.host))
        r = run("host-enable", "uuid=" + uuid)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(self.x.host.get_enabled(self.host))
        vm = self.running_vm("ev-xe")
        r = run("host-evacuate", "uuid=" + uuid)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("NO_HOSTS_AVAILABLE", r.stdout + r.stderr)
        self.assertEqual(self.x.VM.get_power_state(vm), "Running")

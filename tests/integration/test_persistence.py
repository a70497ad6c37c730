"""Restarts: a clean stop (SIGTERM, exit code 0) and a crash (SIGKILL) on
the same state dir keep objects, refs, uuids and sessions; event tokens from
before stay valid and the generation never goes back; tasks pending at a
crash are failed on the next start (tasks.h)."""

import os
import re
import signal
import unittest

from harness import (DaemonTestCase, TOKEN_RE, by_ref, current_token, network_record,
                     vbd_record, vif_record, vm_record)

# Fields that may change by themselves between two reads.
VOLATILE = {"last_active", "last_updated", "utilisation"}


def comparable(rec):
    return {k: v for k, v in rec.items() if k not in VOLATILE}


class PersistenceTest(DaemonTestCase):

    def snapshot_world(self):
        x = self.x
        host = x.session.get_this_host(self.session.handle)
        return {
            "pool": x.pool.get_all(),
            "host": x.host.get_all(),
            "host_cpu": sorted(x.host_cpu.get_all()),
            "host_metrics": x.host_metrics.get_all(),
            "dom0": sorted(x.VM.get_all_records_where('field "is_control_domain" = "true"')),
            "templates": sorted(x.VM.get_all_records_where('field "is_a_template" = "true"')),
            "this_host": host,
        }

    def test_clean_restart_keeps_everything(self):
        x = self.x
        vm = self.create_vm("persist-vm", other_config={"k": "v"})
        x.VM.add_tags(vm, "persist-tag")
        net = x.network.create(network_record("persist-net"))
        vif = x.VIF.create(vif_record(vm, net))
        vbd = x.VBD.create(vbd_record(vm))
        secret = x.secret.create({"value": "kept", "other_config": {}})
        msg = x.message.create("IT_PERSIST", "4", "VM", x.VM.get_uuid(vm), "kept body")
        objects = {"VM": vm, "network": net, "VIF": vif, "VBD": vbd, "secret": secret}
        before = {cls: comparable(getattr(x, cls).get_record(ref)) for cls, ref in objects.items()}
        msg_before = x.message.get_record(msg)
        world = self.snapshot_world()
        other = self.new_session(originator="persist-other")
        token = current_token(x, ["vm"])

        self.restart_daemon()
        x = self.x

        for cls, ref in objects.items():
            with self.subTest(cls=cls):
                rec = comparable(getattr(x, cls).get_record(ref))
                self.assertEqual(rec, before[cls])
                self.assertEqual(getattr(x, cls).get_by_uuid(rec["uuid"]), ref)
        self.assertEqual(x.message.get_record(msg), msg_before)
        self.assertEqual(x.VM.get_VIFs(vm), [vif])
        self.assertEqual(x.network.get_VIFs(net), [vif])
        # first boot is not done again
        self.assertEqual(self.snapshot_world(), world)
        # sessions survive, with their record
        other = self.rebind(other)
        self.assertEqual(other.xenapi.session.get_originator(other.handle), "persist-other")
        other.logout()
        # a token from before the restart is still good...
        r = getattr(x.event, "from")(["vm"], token, 0.0)
        self.assertRegex(r["token"], TOKEN_RE)
        self.assertGreaterEqual(r["token"], token)
        # ...and sees what changes after it
        x.VM.set_name_label(vm, "persist-vm-renamed")
        evs, token2 = self.events_until(["vm"], token, lambda s: [
            e for e in by_ref(s, vm) if e.get("snapshot", {}).get("name_label") == "persist-vm-renamed"])
        self.assertGreater(token2, token)

    def test_generation_never_goes_back(self):
        tokens = [current_token(self.x)]
        for i in range(3):
            self.restart_daemon(kill=(i == 1))
            tokens.append(current_token(self.x))
            self.create_vm("persist-gen-%d" % i)
            tokens.append(current_token(self.x))
        for a, b in zip(tokens, tokens[1:]):
            self.assertLessEqual(a, b, tokens)
        self.assertLess(tokens[0], tokens[-1])
        for i in range(3):
            self.assertEqual(len(self.x.VM.get_by_name_label("persist-gen-%d" % i)), 1)

    def test_crash_fails_pending_tasks_and_keeps_commits(self):
        x = self.x
        pending = x.task.create("persist-pending", "pending at the crash")
        done = x.task.create("persist-done", "")
        x.task.set_status(done, "success")
        vm = self.create_vm("persist-crash")
        x.VM.set_name_label(vm, "persist-crash-last-write")   # returned: so committed
        other = self.new_session()
        token = current_token(x)

        self.restart_daemon(kill=True)
        x = self.x

        rec = x.task.get_record(pending)
        self.assertEqual(rec["status"], "failure", rec)
        self.assertEqual(rec["error_info"][:1], ["INTERNAL_ERROR"], rec)
        self.assertEqual(x.task.get_status(done), "success")
        self.assertEqual(x.VM.get_name_label(vm), "persist-crash-last-write")
        self.assertEqual(self.raw("VM.get_name_label", other.handle, vm),
                         {"Status": "Success", "Value": "persist-crash-last-write"})
        self.assertGreaterEqual(current_token(x), token)
        # the failure of the pending task was itself an event
        evs, _ = self.events_until(["task"], token, lambda s: by_ref(s, pending))
        self.assertEqual(by_ref(evs, pending)[-1]["snapshot"]["status"], "failure")
        x.task.destroy(pending)
        x.task.destroy(done)

    def test_fatal_signal_leaves_the_frames_in_the_log(self):
        # a heap check that fails ends in abort(): the log says where
        # (lib/crash.c); under ASan its own reports do that job
        x = self.x
        vm = self.create_vm("persist-abort")
        proc = self.daemon.proc
        proc.send_signal(signal.SIGABRT)
        self.assertEqual(proc.wait(15), -signal.SIGABRT, "xapid dies of the same signal")
        self.daemon.kill()   # reaps it and drains its log
        header = "xapid: fatal signal 6, the crashing thread's frames:"
        log = self.daemon.wait_log(header)
        if "ASAN_OPTIONS" not in os.environ:
            self.assertIn(header, log)
            frames = re.findall(r"^\S*xapid\(\S*\)\[0x[0-9a-f]+\]$", log, re.M)
            self.assertGreaterEqual(len(frames), 2, log[-2000:])
        self.daemon.start()
        self.__class__.session = self.rebind(self.session)
        self.__class__.x = x = self.session.xenapi
        self.assertEqual(x.VM.get_name_label(vm), "persist-abort")

    def test_queued_async_calls_at_crash(self):
        # Whatever state they were in, after a crash every task is final:
        # success (it ran) or failure (it was cut off).
        x = self.x
        tasks = [x.Async.VM.create(vm_record("persist-async")) for _ in range(20)]
        self.restart_daemon(kill=True)
        x = self.x
        statuses = {t: x.task.get_status(t) for t in tasks}
        self.assertTrue(set(statuses.values()) <= {"success", "failure"}, statuses)
        # A success is committed after its VM, so every success has one (a
        # VM made just before the crash may belong to a task now failed).
        made = x.VM.get_by_name_label("persist-async")
        self.assertGreaterEqual(len(made), list(statuses.values()).count("success"))
        self.assertLessEqual(len(made), len(tasks))


if __name__ == "__main__":
    unittest.main()

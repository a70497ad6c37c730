"""Tasks: task.create/cancel/destroy, Async.<class>.<message> returning a
task whose result is an XML-RPC value string, failures and cancellation
(xenapi-protocol.md 1.6, 3.7)."""

import re
import time
import unittest
import xmlrpc.client

from harness import (DaemonTestCase, Failure, NULL_REF, REF_RE, by_ref, network_record, new_ref,
                     vm_record)

RESULT_REF_RE = re.compile(r"^<value>(OpaqueRef:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                           r"[0-9a-f]{12})</value>$")
TERMINAL = ("success", "failure", "cancelled")


class TaskTest(DaemonTestCase):

    def setUp(self):
        super().setUp()
        self.host = self.x.session.get_this_host(self.session.handle)

    # ---- task.create & co ----

    def test_task_create_record(self):
        t = self.x.task.create("it-task", "made by the tests")
        self.assertRegex(t, REF_RE)
        rec = self.x.task.get_record(t)
        self.assertEqual(rec["name_label"], "it-task")
        self.assertEqual(rec["name_description"], "made by the tests")
        self.assertEqual(rec["status"], "pending")
        self.assertEqual(rec["progress"], 0.0)
        self.assertEqual(rec["resident_on"], self.host)
        self.assertEqual(rec["result"], "")
        self.assertEqual(rec["error_info"], [])
        self.assertEqual(rec["subtasks"], [])
        self.assertEqual(rec["subtask_of"], NULL_REF)
        self.assertIsInstance(rec["created"], xmlrpc.client.DateTime)
        self.assertIn(t, self.x.task.get_all())
        self.assertIn(t, self.x.task.get_by_name_label("it-task"))
        self.assertEqual(self.x.task.get_by_uuid(rec["uuid"]), t)
        self.x.task.destroy(t)

    def test_task_destroy(self):
        t = self.x.task.create("it-destroy", "")
        self.x.task.destroy(t)
        self.assertFailure(["HANDLE_INVALID", "task", t], self.x.task.get_record, t)
        self.assertNotIn(t, self.x.task.get_all())
        self.assertFailure(["HANDLE_INVALID", "task", t], self.x.task.destroy, t)

    def test_client_driven_task(self):
        # clients that attach a task to an HTTP transfer drive it themselves
        t = self.x.task.create("it-driven", "")
        self.x.task.set_progress(t, 0.5)
        self.assertEqual(self.x.task.get_progress(t), 0.5)
        self.x.task.set_result(t, "<value>done</value>")
        self.x.task.set_status(t, "success")
        rec = self.x.task.get_record(t)
        self.assertEqual((rec["status"], rec["result"]), ("success", "<value>done</value>"))
        t2 = self.x.task.create("it-driven-2", "")
        self.x.task.set_error_info(t2, ["SR_BACKEND_FAILURE", "1", "out", "err"])
        self.x.task.set_status(t2, "failure")
        self.assertEqual(self.x.task.get_error_info(t2), ["SR_BACKEND_FAILURE", "1", "out", "err"])
        self.assertFailure(["INVALID_VALUE", "value", "exploded"], self.x.task.set_status, t2, "exploded")
        self.x.task.destroy(t)
        self.x.task.destroy(t2)

    def test_cancel_created_task(self):
        # nothing runs it, so the cancel request is all that happens
        t = self.x.task.create("it-cancel-me", "")
        self.x.task.cancel(t)
        self.assertIn(self.x.task.get_status(t), ("cancelling", "cancelled"))
        self.x.task.destroy(t)

    # ---- Async ----

    def test_async_vm_create(self):
        t0 = time.monotonic()
        t = self.x.Async.VM.create(vm_record("async-vm"))
        self.assertLess(time.monotonic() - t0, 5.0)
        self.assertRegex(t, REF_RE)
        self.assertIn(t, self.x.task.get_all())
        rec = self.wait_task(t)
        self.assertEqual(rec["status"], "success", rec)
        self.assertEqual(rec["name_label"], "Async.VM.create")
        self.assertEqual(rec["progress"], 1.0)
        self.assertEqual(rec["error_info"], [])
        self.assertGreaterEqual(rec["finished"].value, rec["created"].value)
        self.assertEqual(rec["resident_on"], self.host)
        # the result is the XML-RPC serialisation of the value, as a string
        m = RESULT_REF_RE.match(rec["result"])
        self.assertIsNotNone(m, "task.result %r is not <value>OpaqueRef:...</value>" % rec["result"])
        vm = m.group(1)
        self.assertEqual(self.x.VM.get_name_label(vm), "async-vm")
        self.x.task.destroy(t)
        self.assertFailure(["HANDLE_INVALID", "task", t], self.x.task.get_record, t)

    def test_async_void_result(self):
        vm = self.create_vm("async-destroy-me")
        t = self.x.Async.VM.destroy(vm)
        rec = self.wait_task(t)
        self.assertEqual(rec["status"], "success", rec)
        self.assertIn(rec["result"], ("<value></value>", "<value/>"))
        self.assertFailure(["HANDLE_INVALID", "VM", vm], self.x.VM.get_record, vm)
        self.x.task.destroy(t)

    def test_async_other_constructors(self):
        vm = self.create_vm("async-ctor-vm")
        cases = [("network", network_record("async-net")),
                 ("secret", {"value": "async", "other_config": {}}),
                 ("console", {"other_config": {}})]
        for cls, rec in cases:
            with self.subTest(cls=cls):
                t = getattr(self.x.Async, cls).create(rec)
                r = self.wait_task(t)
                self.assertEqual(r["status"], "success", r)
                self.assertEqual(r["name_label"], "Async.%s.create" % cls)
                ref = RESULT_REF_RE.match(r["result"]).group(1)
                self.assertIn(ref, getattr(self.x, cls).get_all())
                self.x.task.destroy(t)
        self.assertTrue(vm)

    def test_async_failure_goes_to_the_task(self):
        bad = new_ref()
        t = self.x.Async.VM.destroy(bad)        # the ref is checked by the work, not the call
        self.assertRegex(t, REF_RE)
        rec = self.wait_task(t)
        self.assertEqual(rec["status"], "failure")
        self.assertEqual(rec["error_info"], ["HANDLE_INVALID", "VM", bad])
        self.assertEqual(rec["progress"], 1.0)
        self.x.task.destroy(t)

    def test_async_of_message_without_async_form(self):
        # xapi answers "No async mode for this operation" (an XML-RPC fault);
        # any refusal will do, but not a task.
        vm = self.create_vm("async-getter")
        try:
            r = self.raw("Async.VM.get_name_label", self.session.handle, vm)
        except xmlrpc.client.Fault:
            return
        self.assertEqual(r.get("Status"), "Failure", r)

    def test_async_watched_through_events(self):
        t = self.x.Async.VM.create(vm_record("async-watched"))
        events, _ = self.events_until(
            ["task/" + t], "",
            lambda seen: any(e.get("snapshot", {}).get("status") == "success" for e in by_ref(seen, t)))
        self.assertTrue(all(e["class"] == "task" for e in events))
        self.x.task.destroy(t)

    def test_async_over_jsonrpc(self):
        js = self.daemon.json_session()
        try:
            t = js.call("Async.VM.create", vm_record("async-json"))
            self.assertRegex(t, REF_RE)
            rec = self.wait_task(t)
            self.assertEqual(rec["status"], "success")
            # task.result is the XML-RPC value string whatever the protocol
            self.assertRegex(rec["result"], RESULT_REF_RE)
        finally:
            js.logout()

    def test_cancel_racing_async_calls(self):
        # Many async calls at once, cancelled newest first: those still
        # queued end "cancelled" with TASK_CANCELLED [task] and did nothing;
        # the others finished normally. Every task ends in a final state.
        # (Whether any is still queued depends on speed: TaskCancelTest
        # below makes sure some are.)
        n = 60
        tasks = [self.x.Async.VM.create(vm_record("cancel-burst")) for _ in range(n)]
        for t in reversed(tasks):
            try:
                self.x.task.cancel(t)
            except Failure as e:
                # already finished: cancel is not allowed any more
                self.assertEqual(e.code, "OPERATION_NOT_ALLOWED", e.details)
        recs = {t: self.wait_task(t) for t in tasks}
        cancelled = [t for t, r in recs.items() if r["status"] == "cancelled"]
        succeeded = [t for t, r in recs.items() if r["status"] == "success"]
        self.assertEqual(len(cancelled) + len(succeeded), n,
                         {t: (r["status"], r["error_info"]) for t, r in recs.items()})
        for t in cancelled:
            self.assertEqual(recs[t]["error_info"], ["TASK_CANCELLED", t])
            self.assertEqual(recs[t]["result"], "")
        made = self.x.VM.get_by_name_label("cancel-burst")
        self.assertEqual(len(made), len(succeeded), "a cancelled VM.create still made its VM")
        self.assertEqual(sorted(made), sorted(RESULT_REF_RE.match(recs[t]["result"]).group(1)
                                              for t in succeeded))
        for t in tasks:
            self.x.task.destroy(t)

    def test_cancel_finished_task_not_allowed(self):
        t = self.x.Async.VM.create(vm_record("async-done"))
        self.assertEqual(self.wait_task(t)["status"], "success")
        self.assertEqual(self.x.task.get_allowed_operations(t), [])
        self.assertFailure("OPERATION_NOT_ALLOWED", self.x.task.cancel, t)
        self.assertEqual(self.x.task.get_status(t), "success")
        self.x.task.destroy(t)

    def test_task_events_and_counts(self):
        ef = getattr(self.x.event, "from")
        token = ef(["task"], "", 0.0)["token"]
        t = self.x.task.create("it-count", "")
        evs, token = self.events_until(["task"], token, lambda seen: by_ref(seen, t))
        self.assertEqual(by_ref(evs, t)[0]["operation"], "add")
        r = ef(["task"], "", 0.0)
        self.assertEqual(r["valid_ref_counts"]["task"], len(self.x.task.get_all()))
        self.x.task.destroy(t)
        evs, _ = self.events_until(["task"], token, lambda seen: by_ref(seen, t))
        self.assertEqual(by_ref(evs, t)[-1]["operation"], "del")


class TaskCancelTest(DaemonTestCase):
    """Cancellation made deterministic: one worker (task_workers) that waits
    task_start_delay seconds before it starts each Async call -- a test hook
    in the spirit of xapi's fist points; while waiting, and while queued, a
    call can be cancelled before it does anything."""

    daemon_config = {"task_workers": 1, "task_start_delay": 0.5}

    def test_cancel_before_work_starts(self):
        first = self.x.Async.VM.create(vm_record("cancel-first"))
        queued = [self.x.Async.VM.create(vm_record("cancel-queued")) for _ in range(3)]
        last = self.x.Async.VM.create(vm_record("cancel-last"))
        rec = self.x.task.get_record(queued[0])
        self.assertEqual((rec["status"], rec["progress"]), ("pending", 0.0))
        for t in [first] + queued:
            self.x.task.cancel(t)
        for t in [first] + queued:
            r = self.wait_task(t)
            self.assertEqual(r["status"], "cancelled", r)
            self.assertEqual(r["error_info"], ["TASK_CANCELLED", t])
            self.assertEqual(r["result"], "")
        self.assertEqual(self.x.VM.get_by_name_label("cancel-first"), [])
        self.assertEqual(self.x.VM.get_by_name_label("cancel-queued"), [])
        # the one nobody cancelled runs as usual
        r = self.wait_task(last)
        self.assertEqual(r["status"], "success", r)
        self.assertEqual(self.x.VM.get_by_name_label("cancel-last"),
                         [RESULT_REF_RE.match(r["result"]).group(1)])
        for t in [first] + queued + [last]:
            self.x.task.destroy(t)

    def test_cancelled_task_seen_through_events(self):
        t = self.x.Async.VM.create(vm_record("cancel-watched"))
        self.x.task.cancel(t)
        events, _ = self.events_until(
            ["task/" + t], "",
            lambda seen: any(e.get("snapshot", {}).get("status") == "cancelled" for e in by_ref(seen, t)))
        self.x.task.destroy(t)


if __name__ == "__main__":
    unittest.main()

"""event.from, event.inject and the legacy event.register/next/unregister
(xenapi-protocol.md 3.6, client-compat.md 0.9)."""

import threading
import time
import unittest

from harness import (DaemonTestCase, Failure, TOKEN_RE, current_token, new_ref, by_ref,
                     vm_record)


def event_from(x, classes, token, timeout):
    return getattr(x.event, "from")(classes, token, timeout)


class EventFromTest(DaemonTestCase):

    def ef(self, classes, token, timeout=5.0, x=None):
        return event_from(x or self.x, classes, token, timeout)

    def test_empty_token_returns_everything_as_add(self):
        vm = self.create_vm("ev-all")
        r = self.ef(["vm"], "", 5.0)
        self.assertEqual(set(r), {"events", "valid_ref_counts", "token"})
        self.assertRegex(r["token"], TOKEN_RE)
        evs = r["events"]
        self.assertEqual(sorted(e["ref"] for e in evs), sorted(self.x.VM.get_all()))
        for e in evs:
            self.assertEqual(e["class"], "vm")
            self.assertEqual(e["operation"], "add")
            self.assertIsInstance(e["id"], str)
            self.assertIn("timestamp", e)
        snap = by_ref(evs, vm)[0]["snapshot"]
        rec = self.x.VM.get_record(vm)
        self.assertEqual(set(snap), set(rec))          # the full record
        self.assertEqual(snap["name_label"], "ev-all")
        self.assertEqual(snap["uuid"], rec["uuid"])

    def test_valid_ref_counts(self):
        r = self.ef(["vm"], "", 0.0)
        counts = r["valid_ref_counts"]
        for cls in ("vm", "host", "pool", "task", "vbd", "network", "host_cpu", "vm_metrics"):
            self.assertIn(cls, counts)
        for k, v in counts.items():
            self.assertEqual(k, k.lower())
            self.assertIs(type(v), int, "valid_ref_counts values are <i4> ints: %r" % ((k, v),))
        self.assertEqual(counts["vm"], len(self.x.VM.get_all()))
        self.assertEqual(counts["host"], 1)
        self.assertEqual(counts["pool"], 1)
        self.assertEqual(counts["task"], len(self.x.task.get_all()))
        task = self.x.task.create("count-me", "")
        self.assertEqual(self.ef(["vm"], "", 0.0)["valid_ref_counts"]["task"], counts["task"] + 1)
        self.x.task.destroy(task)

    def test_add_mod_del(self):
        token = current_token(self.x)
        vm = self.create_vm("ev-life")
        evs, token = self.events_until(["vm"], token, lambda s: by_ref(s, vm))
        e = by_ref(evs, vm)[-1]
        self.assertEqual((e["class"], e["operation"]), ("vm", "add"))
        self.assertEqual(e["snapshot"]["name_label"], "ev-life")

        self.x.VM.set_name_label(vm, "ev-life-2")
        evs, token = self.events_until(["vm"], token, lambda s: by_ref(s, vm))
        e = by_ref(evs, vm)[-1]
        self.assertEqual(e["operation"], "mod")
        self.assertEqual(e["snapshot"]["name_label"], "ev-life-2")

        self.x.VM.destroy(vm)
        evs, token = self.events_until(["vm"], token, lambda s: by_ref(s, vm))
        e = by_ref(evs, vm)[-1]
        self.assertEqual(e["operation"], "del")
        self.assertNotIn("snapshot", e)            # del events carry no snapshot

    def test_changes_collapse_into_latest_state(self):
        vm = self.create_vm("ev-collapse")
        token = current_token(self.x)
        for i in range(5):
            self.x.VM.set_name_label(vm, "ev-collapse-%d" % i)
        time.sleep(0.2)
        r = self.ef(["vm/" + vm], token, 5.0)
        evs = by_ref(r["events"], vm)
        self.assertEqual(len(evs), 1, evs)
        self.assertEqual(evs[0]["operation"], "mod")
        self.assertEqual(evs[0]["snapshot"]["name_label"], "ev-collapse-4")

    def test_class_names_case_insensitive(self):
        vm = self.create_vm("ev-case")
        token = current_token(self.x)
        self.x.VM.set_name_label(vm, "ev-case-2")
        for classes in (["VM"], ["vm"], ["Vm"], ["*"]):
            with self.subTest(classes=classes):
                r = self.ef(classes, token, 5.0)
                self.assertTrue(by_ref(r["events"], vm), r["events"])
                self.assertEqual(by_ref(r["events"], vm)[0]["class"], "vm")

    def test_unknown_class_names_accepted(self):
        # xen-api subscribes to every class listMethods shows; unknown ones
        # are ignored, not an error.
        r = self.ef(["vm", "no_such_class", "VM_guest_metrics"], "", 0.0)
        self.assertRegex(r["token"], TOKEN_RE)

    def test_per_object_subscription(self):
        a = self.create_vm("ev-obj-a")
        b = self.create_vm("ev-obj-b")
        token = current_token(self.x)
        self.x.VM.set_name_label(b, "ev-obj-b2")
        self.x.VM.set_name_label(a, "ev-obj-a2")
        evs, _ = self.events_until(["vm/" + a], token, lambda s: by_ref(s, a))
        self.assertEqual({e["ref"] for e in evs}, {a})
        # an object subscription is also case-insensitive in its class part
        r = self.ef(["VM/" + a], token, 5.0)
        self.assertEqual({e["ref"] for e in r["events"]}, {a})

    def test_timeout_returns_empty_with_fresh_token(self):
        vm = self.create_vm("ev-quiet")
        token = current_token(self.x, ["vm/" + vm])
        for timeout in (1.5, 1):                     # a float, and an int
            with self.subTest(timeout=timeout):
                t0 = time.monotonic()
                r = self.ef(["vm/" + vm], token, timeout)
                elapsed = time.monotonic() - t0
                self.assertEqual(r["events"], [])
                self.assertGreaterEqual(elapsed, timeout - 0.1, "returned empty before the timeout")
                self.assertLess(elapsed, timeout + 3.0)
                self.assertRegex(r["token"], TOKEN_RE)
                self.assertGreaterEqual(r["token"], token)
                token = r["token"]

    def test_returns_early_on_change(self):
        vm = self.create_vm("ev-wake")
        token = current_token(self.x, ["vm/" + vm])
        timer = threading.Timer(0.5, lambda: self.new_session().xenapi.VM.set_name_label(vm, "woken"))
        timer.start()
        try:
            t0 = time.monotonic()
            r = self.ef(["vm/" + vm], token, 30.0)
            self.assertLess(time.monotonic() - t0, 10.0)
            self.assertEqual(by_ref(r["events"], vm)[0]["snapshot"]["name_label"], "woken")
        finally:
            timer.join()

    def test_tokens_increase(self):
        t1 = current_token(self.x)
        self.create_vm("ev-tok")
        t2 = current_token(self.x)
        self.assertRegex(t1, TOKEN_RE)
        self.assertGreater(t2, t1)                  # zero padded: compares as strings

    def test_bad_token(self):
        for bad in ("garbage", "1,2,3", "abc,def"):
            with self.subTest(token=bad):
                self.assertFailure(["EVENT_FROM_TOKEN_PARSE_FAILURE", bad],
                                   self.ef, ["vm"], bad, 0.0)

    def test_inject(self):
        pool = self.x.pool.get_all()[0]
        token = self.x.event.inject("pool", pool)
        self.assertRegex(token, TOKEN_RE)
        r = self.ef(["pool"], token, 5.0)
        evs = by_ref(r["events"], pool)
        self.assertEqual(len(evs), 1)
        self.assertEqual(evs[0]["operation"], "mod")
        self.assertEqual(evs[0]["snapshot"]["uuid"], self.x.pool.get_uuid(pool))
        # XO's connect: inject as a barrier, then the next event.from has it
        bad = new_ref()
        self.assertFailure(["HANDLE_INVALID", "pool", bad], self.x.event.inject, "pool", bad)

    def test_get_current_id(self):
        v = self.x.event.get_current_id()
        self.assertRegex(str(v), r"^\d+$")

    def test_logout_wakes_blocked_call(self):
        s = self.new_session()
        vm = self.create_vm("ev-logout")
        token = current_token(s.xenapi, ["vm/" + vm])
        result = {}

        def waiter():
            try:
                result["r"] = event_from(s.xenapi, ["vm/" + vm], token, 30.0)
            except Failure as e:
                result["e"] = e.details

        th = threading.Thread(target=waiter)
        th.start()
        time.sleep(0.5)
        handle = s.handle
        self.raw("session.logout", handle)
        th.join(10)
        self.assertFalse(th.is_alive(), "event.from still blocked 10 s after its session logged out")
        self.assertEqual(result.get("e"), ["SESSION_INVALID", handle], result)

    def test_event_from_over_jsonrpc(self):
        js = self.daemon.json_session()
        try:
            vm = self.create_vm("ev-json")
            r = js.call("event.from", ["vm/" + vm], "", 1.0)
            self.assertEqual([e["operation"] for e in r["events"]], ["add"])
            self.assertIs(type(r["valid_ref_counts"]["vm"]), int)
        finally:
            js.logout()


class LegacyEventsTest(DaemonTestCase):

    def test_next_without_register(self):
        s = self.new_session()
        try:
            details = self.assertFailure("SESSION_NOT_REGISTERED", s.xenapi.event.next)
            # upstream's parameter is a hash of the session (its "trackid")
            self.assertEqual(len(details), 2, details)
        finally:
            s.logout()

    def test_register_next_unregister(self):
        s = self.new_session()
        x = s.xenapi
        try:
            x.event.register(["vm"])
            vm = self.create_vm("legacy-ev")
            self.x.VM.set_name_label(vm, "legacy-ev-2")
            # Changes may come one event each (xapi's queue) or collapsed
            # into the latest state: wait for the renamed snapshot.
            seen = []
            deadline = time.monotonic() + 10
            while not [e for e in by_ref(seen, vm)
                       if e.get("snapshot", {}).get("name_label") == "legacy-ev-2"]:
                self.assertLess(time.monotonic(), deadline, seen)
                seen += x.event.next()
            mine = by_ref(seen, vm)
            self.assertEqual(mine[0]["operation"], "add")
            self.assertEqual(mine[0]["class"], "vm")
            for e in mine:
                self.assertIsInstance(e["id"], str)
                self.assertIn("timestamp", e)
                self.assertIn("snapshot", e)
            # only registered classes come back
            self.assertEqual({e["class"] for e in seen}, {"vm"})
            x.event.unregister(["vm"])
        finally:
            s.logout()

    def test_register_per_object(self):
        s = self.new_session()
        x = s.xenapi
        try:
            a = self.create_vm("legacy-a")
            b = self.create_vm("legacy-b")
            x.event.register(["vm/" + a])
            self.x.VM.set_name_label(b, "legacy-b2")
            self.x.VM.set_name_label(a, "legacy-a2")
            evs = x.event.next()
            self.assertEqual({e["ref"] for e in evs}, {a})
        finally:
            s.logout()

    def test_logout_wakes_next(self):
        s = self.new_session()
        s.xenapi.event.register(["vm/" + new_ref()])      # nothing will ever come
        result = {}

        def waiter():
            try:
                result["r"] = s.xenapi.event.next()
            except Failure as e:
                result["e"] = e.details

        th = threading.Thread(target=waiter)
        th.start()
        time.sleep(0.5)
        handle = s.handle
        self.raw("session.logout", handle)
        th.join(10)
        self.assertFalse(th.is_alive(), "event.next still blocked after logout")
        self.assertEqual(result.get("e"), ["SESSION_INVALID", handle], result)


class EventsLostTest(DaemonTestCase):
    """A small event history (config key event_history, in generations) so
    that a slow event.next client falls behind and gets EVENTS_LOST."""

    daemon_config = {"event_history": 10}

    def test_events_lost_then_recover(self):
        s = self.new_session()
        x = s.xenapi
        try:
            x.event.register(["vm"])
            vm = self.create_vm("lost-vm")
            for i in range(40):
                self.x.VM.set_name_label(vm, "lost-%d" % i)
            for i in range(10):                          # deletions too
                self.x.VM.destroy(self.create_vm("lost-tmp"))
            self.assertFailure(["EVENTS_LOST"], x.event.next)
            # the client's way out: unregister, register, refetch
            x.event.unregister(["vm"])
            x.event.register(["vm"])
            self.x.VM.set_name_label(vm, "after-loss")
            deadline = time.monotonic() + 10
            got = []
            while not by_ref(got, vm):
                self.assertLess(time.monotonic(), deadline)
                got += x.event.next()
            self.assertEqual(by_ref(got, vm)[-1]["snapshot"]["name_label"], "after-loss")
        finally:
            s.logout()

    def test_event_from_still_works_after_history_wraps(self):
        vm = self.create_vm("lost-from")
        for i in range(30):
            self.x.VM.set_name_label(vm, "lost-from-%d" % i)
        r = event_from(self.x, ["vm/" + vm], "", 1.0)
        self.assertEqual(by_ref(r["events"], vm)[0]["snapshot"]["name_label"], "lost-from-29")


if __name__ == "__main__":
    unittest.main()

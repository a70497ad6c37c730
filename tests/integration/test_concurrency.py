"""20 clients at once: each with its own session and connection, writing,
reading and watching; atomic map updates (XO's pool.other_config lock);
relations consistent afterwards."""

import threading
import time
import traceback
import unittest

from harness import (DaemonTestCase, Failure, by_ref, current_token, network_record,
                     relation_problems, vbd_record, vif_record, vm_record)

CLIENTS = 20


def run_clients(n, fn):
    """Runs fn(i) in n threads started together; returns the list of
    (i, traceback) for those that raised, and the results."""
    barrier = threading.Barrier(n)
    errors, results = [], [None] * n

    def body(i):
        try:
            barrier.wait(30)
            results[i] = fn(i)
        except Exception:
            errors.append((i, traceback.format_exc()))

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    hung = [i for i, t in enumerate(threads) if t.is_alive()]
    if hung:
        errors.append((hung, "threads still running after 120 s"))
    return errors, results


class ConcurrencyTest(DaemonTestCase):

    def assertNoErrors(self, errors):
        self.assertEqual(errors, [], "\n".join("client %s:\n%s" % e for e in errors[:5]))

    def test_20_clients_mixed_work(self):
        net = self.x.network.create(network_record("conc-net"))
        before = len(self.x.VM.get_all())

        def client(i):
            s = self.new_session(originator="conc-%d" % i)
            x = s.xenapi
            try:
                for j in range(8):
                    vm = x.VM.create(vm_record("conc-%d-%d" % (i, j)))
                    x.VM.set_name_description(vm, "client %d" % i)
                    x.VM.add_to_other_config(vm, "client", str(i))
                    x.VM.add_tags(vm, "conc")
                    vbd = x.VBD.create(vbd_record(vm))
                    vif = x.VIF.create(vif_record(vm, net, device=str(j)))
                    rec = x.VM.get_record(vm)
                    oc = dict(rec["other_config"])
                    oc.pop("mac_seed", None)  # xapi's VM.create adds one (VIF MACs)
                    assert oc == {"client": str(i)}, rec["other_config"]
                    assert rec["VBDs"] == [vbd] and rec["VIFs"] == [vif], rec
                    found = x.VM.get_all_records_where('field "name__label" = "conc-%d-%d"' % (i, j))
                    assert list(found) == [vm], found
                    x.VIF.destroy(vif)
                    x.VBD.destroy(vbd)
                    x.VM.destroy(vm)
                return True
            finally:
                s.logout()

        t0 = time.monotonic()
        errors, _ = run_clients(CLIENTS, client)
        self.assertNoErrors(errors)
        self.assertLess(time.monotonic() - t0, 60)
        self.assertEqual(len(self.x.VM.get_all()), before)
        self.assertEqual(self.x.network.get_VIFs(net), [])
        self.assertEqual(relation_problems(self.x), [])

    def test_map_add_is_atomic(self):
        # XO uses pool.add_to_other_config as a lock: exactly one client
        # may win a key, everybody else gets MAP_DUPLICATE_KEY.
        pool = self.x.pool.get_all()[0]
        pool_uuid = self.x.pool.get_uuid(pool)
        key = "xo:barrier:conc"

        def client(i):
            s = self.new_session()
            try:
                s.xenapi.pool.add_to_other_config(pool, key, str(i))
                return "won"
            except Failure as e:
                assert e.details == ["MAP_DUPLICATE_KEY", "pool", "other_config", pool_uuid, key], e.details
                return "lost"
            finally:
                s.logout()

        errors, results = run_clients(CLIENTS, client)
        self.assertNoErrors(errors)
        self.assertEqual(results.count("won"), 1, results)
        winner = results.index("won")
        self.assertEqual(self.x.pool.get_other_config(pool)[key], str(winner))
        self.x.pool.remove_from_other_config(pool, key)

    def test_watchers_see_every_change(self):
        token = current_token(self.x, ["vm"])
        n_watchers, n_vms = 5, 30
        stop = time.monotonic() + 30

        def watcher(i):
            s = self.new_session()
            try:
                want, seen, tok = None, set(), token
                while time.monotonic() < stop:
                    r = getattr(s.xenapi.event, "from")(["vm"], tok, 2.0)
                    tok = r["token"]
                    seen |= {e["ref"] for e in r["events"]
                             if e["operation"] == "add"
                             and e["snapshot"]["name_label"].startswith("conc-watch-")}
                    if len(seen) >= n_vms:
                        return seen
                return seen
            finally:
                s.logout()

        made = []

        def maker():
            s = self.new_session()
            try:
                for k in range(n_vms):
                    made.append(s.xenapi.VM.create(vm_record("conc-watch-%d" % k)))
            finally:
                s.logout()

        m = threading.Thread(target=maker)
        m.start()
        errors, results = run_clients(n_watchers, watcher)
        m.join(60)
        self.assertNoErrors(errors)
        for seen in results:
            self.assertEqual(seen, set(made))

    def test_concurrent_logins_and_logouts(self):
        def client(i):
            refs = []
            for _ in range(10):
                s = self.new_session()
                refs.append(s.handle)
                s.xenapi.pool.get_all()
                s.logout()
            return refs

        errors, results = run_clients(CLIENTS, client)
        self.assertNoErrors(errors)
        allrefs = [r for refs in results for r in refs]
        self.assertEqual(len(set(allrefs)), len(allrefs), "a session ref was handed out twice")
        # every one of them is dead now
        for ref in allrefs[:20]:
            self.assertEnvelopeFailure(["SESSION_INVALID", ref], self.raw("VM.get_all", ref))

    def test_xmlrpc_and_jsonrpc_clients_together(self):
        vm = self.create_vm("conc-shared")

        def client(i):
            if i % 2:
                js = self.daemon.json_session()
                try:
                    for j in range(20):
                        js.call("VM.add_to_other_config", vm, "json-%d-%d" % (i, j), "x")
                        js.call("VM.get_record", vm)
                finally:
                    js.logout()
            else:
                s = self.new_session()
                try:
                    for j in range(20):
                        s.xenapi.VM.add_to_other_config(vm, "xml-%d-%d" % (i, j), "x")
                        s.xenapi.VM.get_record(vm)
                finally:
                    s.logout()

        errors, _ = run_clients(CLIENTS, client)
        self.assertNoErrors(errors)
        oc = self.x.VM.get_other_config(vm)
        oc.pop("mac_seed", None)  # xapi's VM.create adds one (VIF MACs)
        self.assertEqual(len(oc), CLIENTS * 20)

    def test_async_calls_from_many_clients(self):
        def client(i):
            s = self.new_session()
            try:
                tasks = [s.xenapi.Async.VM.create(vm_record("conc-async-%d" % i)) for _ in range(3)]
                out = []
                for t in tasks:
                    deadline = time.monotonic() + 30
                    while s.xenapi.task.get_status(t) == "pending":
                        assert time.monotonic() < deadline, "task %s stuck" % t
                        time.sleep(0.02)
                    out.append(s.xenapi.task.get_status(t))
                    s.xenapi.task.destroy(t)
                return out
            finally:
                s.logout()

        errors, results = run_clients(CLIENTS, client)
        self.assertNoErrors(errors)
        self.assertEqual([st for r in results for st in r], ["success"] * CLIENTS * 3)


if __name__ == "__main__":
    unittest.main()

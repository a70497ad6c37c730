"""The generated (table-driven) messages, for every class we must serve:
get_<field>, set_<field>, add_to_/remove_from_ (maps), add_/remove_ (sets),
get_record, get_all, get_all_records, get_all_records_where, get_by_uuid,
get_by_name_label (DESIGN.md 3, xenapi-protocol.md 1.8).

The field lists come from dm_facts.py (names and types of the upstream
datamodel); the daemon's system.listMethods must offer all of them."""

import re
import time
import unittest
import uuid
import xmlrpc.client

from dm_facts import CLASSES, ENUMS
from harness import (DaemonTestCase, Failure, NULL_REF, REF_RE, UUID_RE, introduce_sr,
                     network_record, new_ref, usable_sr, vbd_record, vdi_record, vm_record)

SCALARS = ("string", "int", "float", "bool", "datetime")
MAP_RE = re.compile(r"^\((.+) -> (.+)\) map$")
A_DATE = xmlrpc.client.DateTime("20200102T03:04:05Z")


def kind(t):
    """('map', k, v) | ('set', elem) | ('ref', cls) | ('enum', name) | (scalar,)"""
    m = MAP_RE.match(t)
    if m:
        return ("map", m.group(1), m.group(2))
    if t.endswith(" set"):
        return ("set", t[:-4])
    if t.endswith(" ref"):
        return ("ref", t[:-4])
    if t.startswith("enum "):
        return ("enum", t[5:])
    assert t in SCALARS, t
    return (t,)


def valid_value(t):
    """Some value of type t (for calls that must fail on the ref instead)."""
    k = kind(t)
    return {"string": "x", "int": "1", "float": 1.0, "bool": True, "datetime": A_DATE,
            "ref": NULL_REF, "enum": ENUMS[k[1]][0] if k[0] == "enum" else None,
            "set": [], "map": {}}[k[0]]


def other_value(t, cur, field):
    """A valid value of type t different from cur, or None if we cannot
    make one without knowing more (ref sets, maps of refs...)."""
    k = kind(t)
    if k[0] == "string" and field == "userdevice":
        return "5" if cur != "5" else "6"       # a device position, keep it plausible
    if k[0] == "string":
        return "it-%s-value" % field if cur != "it-%s-value" % field else "it-%s-other" % field
    if k[0] == "int":
        return "1400" if field == "MTU" else str(int(cur) + 1)
    if k[0] == "float":
        return float(cur) + 0.25
    if k[0] == "bool":
        return not cur
    if k[0] == "datetime":
        return A_DATE
    if k[0] == "ref":
        return NULL_REF if cur != NULL_REF else None
    if k[0] == "enum":
        return next(v for v in ENUMS[k[1]] if v != cur)
    if k[0] == "set":
        e = kind(k[1])
        if e[0] == "string":
            return ["it-a", "it-b"]
        if e[0] == "enum":
            return [ENUMS[e[1]][0]]
        return None
    if k[0] == "map":
        kk, vv = kind(k[1]), kind(k[2])
        if vv[0] != "string":
            return None
        if kk[0] == "string":
            return {"it-k": "it-v"}
        if kk[0] == "enum":
            return {ENUMS[kk[1]][0]: "it-v"}
    return None


def norm(t, v):
    """Canonical form of a value for comparison (sets unordered, ints as the
    strings XML-RPC carries, datetimes as text)."""
    k = kind(t)
    if k[0] == "set":
        return sorted(norm(k[1], e) for e in v)
    if k[0] == "int":
        return str(v)
    if k[0] == "datetime":
        return v.value if isinstance(v, xmlrpc.client.DateTime) else str(v)
    if k[0] == "map":
        return {str(a): norm(k[2], b) for a, b in v.items()}
    return v


def map_keys(t):
    """Two distinct valid keys for a map type."""
    kk = kind(MAP_RE.match(t).group(1))
    if kk[0] == "enum":
        return ENUMS[kk[1]][0], ENUMS[kk[1]][1]
    if kk[0] == "int":
        return "1", "2"
    return "it-k1", "it-k2"


def expected_methods(cls):
    facts = CLASSES[cls]
    names = set(facts["generated"].split())
    if facts["field_accessors"]:
        for f, t, q in facts["fields"]:
            names.add("get_" + f)
            if q == "RW":
                names.add("set_" + f)
                if t.endswith(" map"):
                    names |= {"add_to_" + f, "remove_from_" + f}
                elif t.endswith(" set"):
                    names |= {"add_" + f, "remove_" + f}
    return {"%s.%s" % (cls, n) for n in names}


class GenericTest(DaemonTestCase):
    daemon_plugins = {"file": {}}   # VDIs need an SR driver (usable_sr)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.methods = set(cls.session.proxy.system.listMethods())

    def call(self, method, *args):
        return self.session.call(method, *args)

    def some_records(self, cls):
        """get_all_records, or for session (which has none) our own."""
        if cls == "session":
            return {self.session.handle: self.call("session.get_record", self.session.handle)}
        return self.call("%s.get_all_records" % cls)

    # ---- what is offered ----

    def test_required_classes_served(self):
        served = {m.split(".")[0] for m in self.methods if m.endswith(".get_all_records")}
        for c in ("pool host host_metrics host_cpu VM VM_metrics VM_guest_metrics console VBD VDI "
                  "SR PBD SM network PIF PIF_metrics VIF Bond VLAN tunnel task message secret "
                  "blob").split():
            self.assertIn(c, served)

    def test_listmethods_offers_every_generated_message(self):
        missing = {}
        for cls in CLASSES:
            lack = sorted(expected_methods(cls) - self.methods)
            if lack:
                missing[cls] = lack
        self.assertEqual(missing, {}, "generated messages missing from system.listMethods")

    def test_records_have_every_field(self):
        problems = []
        for cls, facts in CLASSES.items():
            want = [f for f, _, _ in facts["fields"]]
            for ref, rec in list(self.some_records(cls).items())[:3]:
                lack = [f for f in want if f not in rec]
                if lack:
                    problems.append("%s %s lacks %s" % (cls, ref, lack))
        self.assertEqual(problems, [])

    # ---- getters on every object ----

    def test_every_getter_on_existing_objects(self):
        # Some objects, of every class that has any: each get_<field>
        # equals the record (fields that change by themselves, like
        # last_active or metrics, are compared only when stable).
        self.create_vm("getter-vm")
        problems = []
        ncalls = 0
        for cls, facts in CLASSES.items():
            allrecs = self.some_records(cls)
            refs = self.call("%s.get_all" % cls) if "get_all" in facts["generated"] else list(allrecs)
            if sorted(refs) != sorted(allrecs):
                problems.append("%s.get_all %r != keys of get_all_records %r"
                                % (cls, sorted(refs), sorted(allrecs)))
            for ref in refs[:3]:
                rec = self.call("%s.get_record" % cls, ref)
                rec2 = self.call("%s.get_record" % cls, ref)
                if facts["field_accessors"]:
                    for f, t, _ in facts["fields"]:
                        if f not in rec:
                            continue        # reported by test_records_have_every_field
                        v = self.call("%s.get_%s" % (cls, f), ref)
                        ncalls += 1
                        if rec[f] == rec2[f] and norm(t, v) != norm(t, rec[f]):
                            problems.append("%s.get_%s(%s) = %r, record has %r"
                                            % (cls, f, ref, v, rec[f]))
                if "uuid" in rec:
                    self.assertRegex(rec["uuid"], UUID_RE)
                    if "get_by_uuid" in facts["generated"]:
                        got = self.call("%s.get_by_uuid" % cls, rec["uuid"])
                        if got != ref:
                            problems.append("%s.get_by_uuid(%s) = %s, want %s"
                                            % (cls, rec["uuid"], got, ref))
                if "get_by_name_label" in facts["generated"]:
                    got = self.call("%s.get_by_name_label" % cls, rec["name_label"])
                    if ref not in got:
                        problems.append("%s.get_by_name_label(%r) = %r lacks %s"
                                        % (cls, rec["name_label"], got, ref))
        self.assertGreater(ncalls, 100)
        self.assertEqual(problems, [])

    # ---- every accessor reaches the dispatcher with the right types ----

    def test_every_accessor_with_unknown_ref(self):
        # Every generated accessor of every class, called with a
        # well-typed argument list and a ref that names nothing, must say
        # HANDLE_INVALID [class, ref]: this checks the name, the arity and
        # the argument types of each one, also for classes with no objects.
        bad = new_ref()
        problems = []

        def expect(method, *args):
            try:
                r = self.call(method, bad, *args)
                problems.append("%s: success %r" % (method, r))
            except Failure as e:
                if e.details != ["HANDLE_INVALID", method.split(".")[0], bad]:
                    problems.append("%s: %r" % (method, e.details))

        for cls, facts in CLASSES.items():
            expect("%s.get_record" % cls)
            if not facts["field_accessors"]:
                continue
            for f, t, q in facts["fields"]:
                expect("%s.get_%s" % (cls, f))
                if q != "RW":
                    continue
                expect("%s.set_%s" % (cls, f), valid_value(t))
                k = kind(t)
                if k[0] == "map":
                    key = map_keys(t)[0]
                    expect("%s.add_to_%s" % (cls, f), key, valid_value(k[2]))
                    expect("%s.remove_from_%s" % (cls, f), key)
                elif k[0] == "set":
                    expect("%s.add_%s" % (cls, f), valid_value(k[1]))
                    expect("%s.remove_%s" % (cls, f), valid_value(k[1]))
            if "destroy" in facts["generated"]:
                expect("%s.destroy" % cls)
        self.assertEqual(problems, [], "\n".join(problems[:40]))

    # ---- setters, on one object of each class ----

    def check_rw_fields(self, cls, ref, roundtrip_only=()):
        """set_/add_to_/remove_from_/add_/remove_ for every RW field of
        cls on ref; restores each field afterwards."""
        problems = []
        uuid_ = self.call("%s.get_uuid" % cls, ref)
        for f, t, q in CLASSES[cls]["fields"]:
            if q != "RW":
                continue
            get, set_ = "%s.get_%s" % (cls, f), "%s.set_%s" % (cls, f)
            orig = self.call(get, ref)
            try:
                # the current value goes back in unchanged
                self.call(set_, ref, orig)
                if norm(t, self.call(get, ref)) != norm(t, orig):
                    problems.append("%s: round trip changed %r" % (set_, orig))
                new = None if f in roundtrip_only else other_value(t, orig, f)
                if new is not None:
                    self.call(set_, ref, new)
                    got = self.call(get, ref)
                    if norm(t, got) != norm(t, new):
                        problems.append("%s(%r) then %s = %r" % (set_, new, get, got))
                    rec = self.call("%s.get_record" % cls, ref)
                    if norm(t, rec[f]) != norm(t, new):
                        problems.append("%s(%r): record has %r" % (set_, new, rec[f]))
                k = kind(t)
                if k[0] == "map" and kind(k[2])[0] == "string":
                    problems += self.check_map(cls, ref, uuid_, f, t)
                elif k[0] == "set" and other_value(t, [], f) is not None:
                    problems += self.check_set(cls, ref, f, t)
            except Failure as e:
                problems.append("%s: %r" % (f, e.details))
            finally:
                try:
                    self.call(set_, ref, orig)
                except Failure as e:
                    problems.append("%s: cannot restore %r: %r" % (set_, orig, e.details))
        return problems

    def check_map(self, cls, ref, uuid_, f, t):
        problems = []
        k1, k2 = map_keys(t)
        get = "%s.get_%s" % (cls, f)
        self.call("%s.set_%s" % (cls, f), ref, {})
        self.call("%s.add_to_%s" % (cls, f), ref, k1, "v1")
        self.call("%s.add_to_%s" % (cls, f), ref, k2, "v2")
        if norm(t, self.call(get, ref)) != {k1: "v1", k2: "v2"}:
            problems.append("%s.add_to_%s: got %r" % (cls, f, self.call(get, ref)))
        try:
            self.call("%s.add_to_%s" % (cls, f), ref, k1, "again")
            problems.append("%s.add_to_%s of an existing key succeeded" % (cls, f))
        except Failure as e:
            # xapi names the field as its db column ("VCPUs__params"): allow both.
            d = e.details
            if not (len(d) == 5 and d[0] == "MAP_DUPLICATE_KEY" and d[1] == cls
                    and d[2].replace("__", "_") == f and d[3] == uuid_ and d[4] == k1):
                problems.append("%s.add_to_%s duplicate: %r" % (cls, f, d))
        self.call("%s.remove_from_%s" % (cls, f), ref, k1)
        self.call("%s.remove_from_%s" % (cls, f), ref, k1)      # absent key: no-op
        if norm(t, self.call(get, ref)) != {k2: "v2"}:
            problems.append("%s.remove_from_%s: got %r" % (cls, f, self.call(get, ref)))
        return problems

    def check_set(self, cls, ref, f, t):
        problems = []
        elems = other_value(t, [], f)
        e1 = elems[0]
        e2 = elems[1] if len(elems) > 1 else None
        get = "%s.get_%s" % (cls, f)
        self.call("%s.set_%s" % (cls, f), ref, [])
        self.call("%s.add_%s" % (cls, f), ref, e1)
        self.call("%s.add_%s" % (cls, f), ref, e1)                # present: no-op
        want = [e1]
        if e2 is not None:
            self.call("%s.add_%s" % (cls, f), ref, e2)
            want = sorted([e1, e2])
        if norm(t, self.call(get, ref)) != want:
            problems.append("%s.add_%s: got %r want %r" % (cls, f, self.call(get, ref), want))
        self.call("%s.remove_%s" % (cls, f), ref, e1)
        self.call("%s.remove_%s" % (cls, f), ref, e1)             # absent: no-op
        if norm(t, self.call(get, ref)) != [e for e in want if e != e1]:
            problems.append("%s.remove_%s: got %r" % (cls, f, self.call(get, ref)))
        return problems

    def assertNoProblems(self, problems):
        self.assertEqual(problems, [], "\n".join(problems[:40]))

    def test_setters_pool(self):
        self.assertNoProblems(self.check_rw_fields("pool", self.x.pool.get_all()[0]))

    def test_setters_host_and_metrics_and_cpu(self):
        host = self.x.session.get_this_host(self.session.handle)
        # hostname and address are what clients use to reach us: only
        # written back unchanged.
        self.assertNoProblems(self.check_rw_fields("host", host,
                                                   roundtrip_only=("hostname", "address")))
        self.assertNoProblems(self.check_rw_fields("host_metrics", self.x.host.get_metrics(host)))
        self.assertNoProblems(self.check_rw_fields("host_cpu", self.x.host.get_host_CPUs(host)[0]))

    def test_setters_vm_and_metrics(self):
        vm = self.create_vm("setter-vm")
        self.assertNoProblems(self.check_rw_fields("VM", vm))
        metrics = self.x.VM.get_metrics(vm)
        self.assertRegex(metrics, REF_RE, "VM.create makes the VM_metrics object")
        self.assertNoProblems(self.check_rw_fields("VM_metrics", metrics))

    def test_setters_network_vbd_console_secret_task_session(self):
        vm = self.create_vm("setter-vm2")
        net = self.x.network.create(network_record("setter-net"))
        self.assertNoProblems(self.check_rw_fields("network", net))
        vbd = self.x.VBD.create(vbd_record(vm))
        self.assertNoProblems(self.check_rw_fields("VBD", vbd))
        console = self.x.console.create({"other_config": {}})
        self.assertNoProblems(self.check_rw_fields("console", console))
        secret = self.x.secret.create({"value": "s3cret", "other_config": {}})
        self.assertNoProblems(self.check_rw_fields("secret", secret))
        task = self.x.task.create("setter-task", "")
        self.assertNoProblems(self.check_rw_fields("task", task))
        s = self.new_session()
        try:
            self.assertNoProblems(self.check_rw_fields("session", s.handle))
        finally:
            s.logout()

    def test_setters_sr_vdi_pbd(self):
        sr = introduce_sr(self.x, "setter-sr")
        self.assertNoProblems(self.check_rw_fields("SR", sr))
        host = self.x.session.get_this_host(self.session.handle)
        pbd = self.x.PBD.create({"host": host, "SR": sr, "device_config": {"path": "/nonexistent"},
                                 "other_config": {}})
        self.assertNoProblems(self.check_rw_fields("PBD", pbd))
        vdi = self.x.VDI.create(vdi_record(usable_sr(self.x), "setter-vdi"))
        self.assertNoProblems(self.check_rw_fields("VDI", vdi))

    def test_setters_on_other_existing_objects(self):
        # Classes whose objects only the server makes (PIF, SM...): if the
        # sim created some, their RW fields work too.
        problems = []
        for cls in ("PIF", "PIF_metrics", "SM", "VM_guest_metrics", "Bond", "VLAN", "tunnel", "blob"):
            refs = self.call("%s.get_all" % cls)
            if refs:
                problems += self.check_rw_fields(cls, refs[0])
        self.assertNoProblems(problems)

    # ---- queries ----

    def test_get_all_records_where(self):
        a = self.create_vm("where-x")
        b = self.create_vm("where-x", is_a_template=True)
        c = self.create_vm("where-y")
        q = self.x.VM.get_all_records_where
        r = q('field "name__label" = "where-x" and field "is_a_template" = "false"')
        self.assertEqual(sorted(r), [a])
        self.assertEqual(r[a]["name_label"], "where-x")       # values are whole records
        self.assertEqual(r[a]["uuid"], self.x.VM.get_uuid(a))
        self.assertEqual(sorted(q('field "name__label" = "where-x"')), sorted([a, b]))
        self.assertEqual(sorted(q('field "name__label" = "where-x" or field "name__label" = "where-y"')),
                         sorted([a, b, c]))
        # xapi's grammar gives "not" the lowest precedence (db_filter_parse.mly:
        # %right LNOT before %left LAND LOR), so the negation is parenthesised
        self.assertEqual(sorted(q('(not (field "is_a_template" = "true")) and '
                                  '(field "name__label" = "where-x" or field "name__label" = "where-y")')),
                         sorted([a, c]))
        # ...and without the parentheses it covers the whole rest of the
        # expression: not (template and where-x) leaves out b only
        self.assertEqual(sorted(q('not field "is_a_template" = "true" and field "name__label" = "where-x"')),
                         sorted(r for r in self.x.VM.get_all() if r != b))
        self.assertEqual(sorted(q('field "uuid" = "%s"' % self.x.VM.get_uuid(c))), [c])
        self.assertEqual(q('field "name__label" = "no-such-vm"'), {})
        self.assertEqual(sorted(q("true")), sorted(self.x.VM.get_all()))
        self.assertEqual(q("false"), {})
        self.assertEqual(sorted(q('field "power_state" = "Halted" and field "name__label" = "where-y"')), [c])
        # other classes too (SM drivers use it on VDI, SR, SM)
        host = self.x.session.get_this_host(self.session.handle)
        hr = self.x.host.get_all_records_where('field "uuid" = "%s"' % self.x.host.get_uuid(host))
        self.assertEqual(list(hr), [host])

    def test_get_all_records_where_bad_expression(self):
        with self.assertRaises(Failure):
            self.x.VM.get_all_records_where('field "name__label" = ')

    def test_get_by_name_label(self):
        a = self.create_vm("by-name")
        b = self.create_vm("by-name")
        self.assertEqual(sorted(self.x.VM.get_by_name_label("by-name")), sorted([a, b]))
        self.assertEqual(self.x.VM.get_by_name_label("by-name-none"), [])
        net = self.x.network.create(network_record("by-name-net"))
        self.assertEqual(self.x.network.get_by_name_label("by-name-net"), [net])

    def test_get_by_uuid(self):
        vm = self.create_vm("by-uuid")
        u = self.x.VM.get_uuid(vm)
        self.assertEqual(self.x.VM.get_by_uuid(u), vm)
        other = str(uuid.uuid4())
        self.assertFailure(["UUID_INVALID", "VM", other], self.x.VM.get_by_uuid, other)
        # a uuid of another class is not a VM's
        host_uuid = self.x.host.get_uuid(self.x.host.get_all()[0])
        self.assertFailure(["UUID_INVALID", "VM", host_uuid], self.x.VM.get_by_uuid, host_uuid)

    # ---- constructors ----

    def test_create_fills_defaults(self):
        vm = self.create_vm("defaults-vm")
        rec = self.x.VM.get_record(vm)
        self.assertEqual(rec["power_state"], "Halted")
        self.assertEqual(rec["tags"], [])
        self.assertEqual(rec["blocked_operations"], {})
        self.assertEqual(rec["resident_on"], NULL_REF)
        self.assertEqual(rec["VBDs"], [])
        self.assertIs(rec["is_control_domain"], False)
        self.assertRegex(rec["uuid"], UUID_RE)
        # ctor values kept, ints as strings
        self.assertEqual(rec["memory_static_max"], "268435456")
        self.assertEqual(rec["HVM_boot_params"], {"order": "cd"})
        net = self.x.network.create({"other_config": {}})
        nrec = self.x.network.get_record(net)
        self.assertEqual(nrec["name_label"], "")
        self.assertEqual(nrec["MTU"], "1500")
        self.assertIs(nrec["managed"], True)
        self.assertEqual(nrec["VIFs"], [])

    def test_create_ignores_extra_fields(self):
        # exportimport.py passes a whole get_record result to VDI.create;
        # likewise a VM record with server-maintained fields.
        vm = self.create_vm("extra-vm")
        rec = self.x.VM.get_record(vm)
        rec["name_label"] = "extra-vm-copy"
        rec["no_such_field"] = "ignored"
        copy = self.x.VM.create(rec)
        self.assertNotEqual(copy, vm)
        self.assertEqual(self.x.VM.get_name_label(copy), "extra-vm-copy")
        self.assertNotEqual(self.x.VM.get_uuid(copy), rec["uuid"])

    def test_create_missing_required_field(self):
        rec = vm_record("incomplete")
        del rec["memory_static_max"]
        before = len(self.x.VM.get_all())
        with self.assertRaises(Failure):
            self.x.VM.create(rec)
        self.assertEqual(len(self.x.VM.get_all()), before)

    def test_destroy_removes_metrics(self):
        vm = self.create_vm("metrics-vm")
        metrics = self.x.VM.get_metrics(vm)
        self.x.VM.destroy(vm)
        self.assertFailure(["HANDLE_INVALID", "VM", vm], self.x.VM.get_record, vm)
        if metrics != NULL_REF:
            self.assertFailure(["HANDLE_INVALID", "VM_metrics", metrics],
                               self.x.VM_metrics.get_record, metrics)

    def test_enum_keyed_map(self):
        vm = self.create_vm("blocked-vm")
        self.x.VM.add_to_blocked_operations(vm, "start", "blocked by the tests")
        self.assertEqual(self.x.VM.get_blocked_operations(vm), {"start": "blocked by the tests"})
        self.assertFailure(["INVALID_VALUE", "key", "explode"],
                           self.x.VM.add_to_blocked_operations, vm, "explode", "x")
        self.x.VM.remove_from_blocked_operations(vm, "start")
        self.assertEqual(self.x.VM.get_blocked_operations(vm), {})


if __name__ == "__main__":
    unittest.main()

"""Every common error with its exact ErrorDescription (xenapi-protocol.md
1.7, xenapi-errors.json), and the order in which the dispatcher checks
(rpc.h: method and argument count, then argument types, then the session,
then the handler).

Choices where upstream leaves room (from xapi's generated server,
ocaml/idl/ocaml_backend/gen_server.ml and its unmarshallers):
- MESSAGE_PARAMETER_COUNT_MISMATCH [name as sent, expected, received]:
  counts exclude the session; expected is the number of parameters without a
  default.
- FIELD_TYPE_ERROR [param]: the name of the offending parameter as declared
  ("self", "value", "key"...), as xapi's unmarshaller reports it.
- INVALID_VALUE [param, value] for an enum string that is not a member
  (with the parameter name, as FIELD_TYPE_ERROR).
- Writing a read-only field: there is no such message (xapi generates
  setters for RW fields only), so MESSAGE_METHOD_UNKNOWN [name].
"""

import unittest
import uuid

from harness import DaemonTestCase, Failure, new_ref, vbd_record, vm_record


class ErrorsTest(DaemonTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vm = cls.x.VM.create(vm_record("errors-vm"))
        cls.vm_uuid = cls.x.VM.get_uuid(cls.vm)
        cls.pool = cls.x.pool.get_all()[0]

    def s(self):
        return self.session.handle

    # ---- HANDLE_INVALID [class, ref] ----

    def test_handle_invalid(self):
        for bad in (new_ref(), "OpaqueRef:NULL", "garbage", ""):
            with self.subTest(ref=bad):
                self.assertFailure(["HANDLE_INVALID", "VM", bad], self.x.VM.get_record, bad)
                self.assertFailure(["HANDLE_INVALID", "VM", bad], self.x.VM.get_name_label, bad)
                self.assertFailure(["HANDLE_INVALID", "VM", bad], self.x.VM.set_name_label, bad, "x")
        bad = new_ref()
        self.assertFailure(["HANDLE_INVALID", "host", bad], self.x.host.get_record, bad)
        self.assertFailure(["HANDLE_INVALID", "VM_guest_metrics", bad],
                           self.x.VM_guest_metrics.get_record, bad)
        self.assertFailure(["HANDLE_INVALID", "task", bad], self.x.task.get_status, bad)

    def test_handle_invalid_ref_of_another_class(self):
        # a VM ref is not a host ref
        self.assertFailure(["HANDLE_INVALID", "host", self.vm], self.x.host.get_record, self.vm)

    def test_handle_invalid_after_destroy(self):
        vm = self.create_vm("errors-destroyed")
        self.x.VM.destroy(vm)
        self.assertFailure(["HANDLE_INVALID", "VM", vm], self.x.VM.get_record, vm)
        self.assertFailure(["HANDLE_INVALID", "VM", vm], self.x.VM.destroy, vm)
        self.assertFailure(["HANDLE_INVALID", "VM", vm], self.x.VM.add_to_other_config, vm, "k", "v")

    # ---- UUID_INVALID [class, uuid] ----

    def test_uuid_invalid(self):
        u = str(uuid.uuid4())
        self.assertFailure(["UUID_INVALID", "VM", u], self.x.VM.get_by_uuid, u)
        self.assertFailure(["UUID_INVALID", "host", u], self.x.host.get_by_uuid, u)
        self.assertFailure(["UUID_INVALID", "network", "not-a-uuid"], self.x.network.get_by_uuid,
                           "not-a-uuid")

    # ---- MESSAGE_METHOD_UNKNOWN [name] ----

    def test_method_unknown(self):
        for name in ("VM.no_such_message", "NoSuchClass.get_all", "VM_no_such_message",
                     "nodots", "VM.", ".get_all", "system.noSuchThing"):
            with self.subTest(name=name):
                self.assertEnvelopeFailure(["MESSAGE_METHOD_UNKNOWN", name], self.raw(name, self.s()))

    def test_async_of_unknown_method(self):
        r = self.raw("Async.VM.no_such_message", self.s())
        self.assertEnvelopeFailure("MESSAGE_METHOD_UNKNOWN", r)

    def test_read_only_field_writes(self):
        methods = set(self.session.proxy.system.listMethods())
        cases = [
            ("VM.set_power_state", (self.vm, "Running")),
            ("VM.set_uuid", (self.vm, str(uuid.uuid4()))),
            ("VM.set_is_control_domain", (self.vm, True)),
            ("VM.set_VBDs", (self.vm, [])),
            ("VM.add_VBDs", (self.vm, new_ref())),
            ("VM.add_to_blobs", (self.vm, "k", new_ref())),
            ("VM.set_resident_on", (self.vm, "OpaqueRef:NULL")),
            ("host.set_API_version_major", (self.x.host.get_all()[0], "3")),
            ("pool.set_master", (self.pool, "OpaqueRef:NULL")),
            ("host_metrics.set_memory_total", (new_ref(), "1")),
            ("task.set_created", (new_ref(), "20200101T00:00:00Z")),
        ]
        for name, args in cases:
            with self.subTest(method=name):
                self.assertNotIn(name, methods)
                self.assertEnvelopeFailure(["MESSAGE_METHOD_UNKNOWN", name],
                                           self.raw(name, self.s(), *args))
        self.assertEqual(self.x.VM.get_power_state(self.vm), "Halted")

    # ---- MESSAGE_PARAMETER_COUNT_MISMATCH [name, expected, received] ----

    def test_parameter_count_mismatch(self):
        s = self.s()
        cases = [
            ("VM.get_name_label", (s,), "1", "0"),
            ("VM.get_name_label", (s, self.vm, "extra"), "1", "2"),
            ("VM.get_all", (s, "extra"), "0", "1"),
            ("VM.set_name_label", (s, self.vm), "2", "1"),
            ("VM.add_to_other_config", (s, self.vm, "k"), "3", "2"),
            ("VM.create", (s,), "1", "0"),
            ("VM_get_name_label", (s,), "1", "0"),      # the name as sent
            ("event.from", (s, ["vm"], ""), "3", "2"),
            ("task.create", (s, "only-label"), "2", "1"),
        ]
        for name, args, expected, received in cases:
            with self.subTest(method=name, nargs=len(args)):
                self.assertEnvelopeFailure(
                    ["MESSAGE_PARAMETER_COUNT_MISMATCH", name, expected, received],
                    self.raw(name, *args))

    def test_count_checked_before_session(self):
        bad = new_ref()
        self.assertEnvelopeFailure(["MESSAGE_PARAMETER_COUNT_MISMATCH", "VM.get_name_label", "1", "0"],
                                   self.raw("VM.get_name_label", bad))

    def test_async_count_mismatch_is_immediate(self):
        # A failure before the task exists is answered directly. The name is
        # the synchronous one: xapi strips "Async." before dispatching
        # (Server_helpers.sync_ty_and_maybe_remove_prefix) and reports that.
        self.assertEnvelopeFailure(["MESSAGE_PARAMETER_COUNT_MISMATCH", "VM.create", "1", "0"],
                                   self.raw("Async.VM.create", self.s()))

    # ---- FIELD_TYPE_ERROR [param] ----

    def test_field_type_error(self):
        s, vm = self.s(), self.vm
        cases = [
            ("VM.set_name_label", (s, vm, ["a", "list"]), "value"),
            ("VM.set_name_label", (s, vm, {"a": "struct"}), "value"),
            ("VM.get_name_label", (s, {"a": "b"}), "self"),
            ("VM.get_name_label", (s, ["x"]), "self"),
            ("VM.set_is_a_template", (s, vm, {"x": "y"}), "value"),
            ("VM.set_is_a_template", (s, vm, ["x"]), "value"),
            ("VM.set_other_config", (s, vm, "not-a-map"), "value"),
            ("VM.set_other_config", (s, vm, ["not", "a", "map"]), "value"),
            ("VM.set_tags", (s, vm, "not-a-set"), "value"),
            ("VM.set_tags", (s, vm, {"not": "a set"}), "value"),
            ("VM.add_to_other_config", (s, vm, ["k"], "v"), "key"),
            ("VM.set_user_version", (s, vm, ["1"]), "value"),
            ("VM.set_affinity", (s, vm, {"x": "y"}), "value"),
            ("event.from", (s, "vm", "", 1.0), "classes"),
        ]
        for name, args, param in cases:
            with self.subTest(method=name, arg=repr(args[-1])):
                self.assertEnvelopeFailure(["FIELD_TYPE_ERROR", param], self.raw(name, *args))
        self.assertEqual(self.x.VM.get_name_label(vm), "errors-vm")

    def test_types_checked_before_session(self):
        self.assertEnvelopeFailure(["FIELD_TYPE_ERROR", "self"],
                                   self.raw("VM.get_name_label", new_ref(), ["x"]))

    # ---- INVALID_VALUE [param, value] ----

    def test_invalid_enum_value(self):
        s, vm = self.s(), self.vm
        self.assertEnvelopeFailure(["INVALID_VALUE", "value", "explode"],
                                   self.raw("VM.set_actions_after_shutdown", s, vm, "explode"))
        vbd = self.x.VBD.create(vbd_record(vm))
        self.assertEnvelopeFailure(["INVALID_VALUE", "value", "Tape"],
                                   self.raw("VBD.set_type", s, vbd, "Tape"))
        self.assertEnvelopeFailure(["INVALID_VALUE", "cls", "Bogus"],
                                   self.raw("message.create", s, "IT", "3", "Bogus", "", "body"))
        self.assertEqual(self.x.VM.get_actions_after_shutdown(vm), "destroy")

    def test_invalid_enum_in_create_record(self):
        before = len(self.x.VM.get_all())
        with self.assertRaises(Failure) as cm:
            self.x.VM.create(vm_record("bad-enum", actions_after_shutdown="explode"))
        self.assertEqual(cm.exception.code, "INVALID_VALUE", cm.exception.details)
        self.assertIn("explode", cm.exception.details)
        self.assertEqual(len(self.x.VM.get_all()), before)

    # ---- MAP_DUPLICATE_KEY [class, field, uuid, key] ----

    def test_map_duplicate_key(self):
        self.x.VM.add_to_other_config(self.vm, "dup", "1")
        self.assertFailure(["MAP_DUPLICATE_KEY", "VM", "other_config", self.vm_uuid, "dup"],
                           self.x.VM.add_to_other_config, self.vm, "dup", "2")
        self.assertEqual(self.x.VM.get_other_config(self.vm)["dup"], "1")
        self.x.VM.remove_from_other_config(self.vm, "dup")
        self.x.VM.remove_from_other_config(self.vm, "dup")       # absent: no error (as xapi)
        # XO's barrier: pool.add_to_other_config as a lock
        pool_uuid = self.x.pool.get_uuid(self.pool)
        self.x.pool.add_to_other_config(self.pool, "xo:barrier:it", "1")
        try:
            self.assertFailure(["MAP_DUPLICATE_KEY", "pool", "other_config", pool_uuid, "xo:barrier:it"],
                               self.x.pool.add_to_other_config, self.pool, "xo:barrier:it", "2")
        finally:
            self.x.pool.remove_from_other_config(self.pool, "xo:barrier:it")

    # ---- SESSION_INVALID [ref] (raw proxy: no re-login games) ----

    def test_session_invalid(self):
        for bad in (new_ref(), "junk"):
            with self.subTest(session=bad):
                self.assertEnvelopeFailure(["SESSION_INVALID", bad], self.raw("VM.get_all", bad))
                self.assertEnvelopeFailure(["SESSION_INVALID", bad],
                                           self.raw("VM.get_record", bad, self.vm))
                self.assertEnvelopeFailure(["SESSION_INVALID", bad],
                                           self.raw("VM.set_name_label", bad, self.vm, "hacked"))
                self.assertEnvelopeFailure(["SESSION_INVALID", bad],
                                           self.raw("Async.VM.create", bad, vm_record("nope")))
        self.assertEqual(self.x.VM.get_name_label(self.vm), "errors-vm")

    def test_session_checked_before_handle(self):
        bad = new_ref()
        self.assertEnvelopeFailure(["SESSION_INVALID", bad], self.raw("VM.get_record", bad, new_ref()))

    # ---- SESSION_AUTHENTICATION_FAILED ----

    def test_session_authentication_failed(self):
        r = self.raw("session.login_with_password", "root", "definitely-wrong", "1.0", "it")
        self.assertEnvelopeFailure("SESSION_AUTHENTICATION_FAILED", r)
        self.assertEqual(r["ErrorDescription"][1], "root")

    # ---- the envelope is never an XML-RPC fault for API errors ----

    def test_errors_are_envelopes_not_faults(self):
        # ServerProxy would raise xmlrpc.client.Fault for a <fault>.
        for call in (lambda: self.raw("VM.get_record", self.s(), new_ref()),
                     lambda: self.raw("No.such", self.s()),
                     lambda: self.raw("VM.get_all", "junk")):
            r = call()
            self.assertEqual(r["Status"], "Failure")
            self.assertTrue(all(isinstance(p, str) for p in r["ErrorDescription"]), r)


if __name__ == "__main__":
    unittest.main()

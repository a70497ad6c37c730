"""Messages (alerts): message.create/get/get_all/get_since/get_record/
get_by_uuid/get_all_records(_where)/destroy and their events
(xenapi-protocol.md 3.8)."""

import unittest
import xmlrpc.client

from harness import DaemonTestCase, REF_RE, UUID_RE, by_ref, current_token, new_ref, vm_record

EPOCH = xmlrpc.client.DateTime("19700101T00:00:00Z")
FUTURE = xmlrpc.client.DateTime("20991231T23:59:59Z")


class MessageTest(DaemonTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vm = cls.x.VM.create(vm_record("msg-vm"))
        cls.vm_uuid = cls.x.VM.get_uuid(cls.vm)

    def make(self, name="IT_MESSAGE", priority="3", cls="VM", obj_uuid=None, body="it body"):
        return self.x.message.create(name, priority, cls, obj_uuid or self.vm_uuid, body)

    def test_create_and_record(self):
        m = self.make(body="hello <world> & co")
        self.assertRegex(m, REF_RE)
        rec = self.x.message.get_record(m)
        self.assertEqual(rec["name"], "IT_MESSAGE")
        self.assertEqual(rec["priority"], "3")            # int: a string in XML-RPC
        self.assertEqual(rec["cls"], "VM")
        self.assertEqual(rec["obj_uuid"], self.vm_uuid)
        self.assertEqual(rec["body"], "hello <world> & co")
        self.assertRegex(rec["uuid"], UUID_RE)
        self.assertIsInstance(rec["timestamp"], xmlrpc.client.DateTime)
        self.assertEqual(self.x.message.get_by_uuid(rec["uuid"]), m)
        self.x.message.destroy(m)

    def test_priority_as_int(self):
        m = self.x.message.create("IT_INT_PRIO", 2, "Host",
                                  self.x.host.get_uuid(self.x.host.get_all()[0]), "")
        self.assertEqual(self.x.message.get_record(m)["priority"], "2")
        self.x.message.destroy(m)

    def test_get_all_and_records(self):
        a, b = self.make("IT_A"), self.make("IT_B")
        self.assertTrue({a, b} <= set(self.x.message.get_all()))
        recs = self.x.message.get_all_records()
        self.assertEqual(recs[a]["name"], "IT_A")
        self.assertEqual(recs[b]["name"], "IT_B")
        where = self.x.message.get_all_records_where('field "name" = "IT_A"')
        self.assertIn(a, where)
        self.assertNotIn(b, where)
        self.x.message.destroy(a)
        self.x.message.destroy(b)

    def test_get_by_class_and_object(self):
        m = self.make("IT_GET")
        other_vm = self.create_vm("msg-other")
        other = self.make("IT_GET_OTHER", obj_uuid=self.x.VM.get_uuid(other_vm))
        got = self.x.message.get("VM", self.vm_uuid, EPOCH)
        self.assertIn(m, got)
        self.assertNotIn(other, got)
        self.assertEqual(got[m]["name"], "IT_GET")
        self.assertNotIn(m, self.x.message.get("VM", self.vm_uuid, FUTURE))
        host_uuid = self.x.host.get_uuid(self.x.host.get_all()[0])
        self.assertNotIn(m, self.x.message.get("Host", host_uuid, EPOCH))
        # xapi looks the object up: a uuid that is not of that class is refused
        self.assertFailure("UUID_INVALID", self.x.message.get, "Host", self.vm_uuid, EPOCH)
        for ref in (m, other):
            self.x.message.destroy(ref)

    def test_get_since(self):
        m = self.make("IT_SINCE")
        got = self.x.message.get_since(EPOCH)
        self.assertIn(m, got)
        self.assertEqual(got[m]["uuid"], self.x.message.get_record(m)["uuid"])
        self.assertNotIn(m, self.x.message.get_since(FUTURE))
        self.x.message.destroy(m)

    def test_destroy(self):
        m = self.make("IT_DESTROY")
        u = self.x.message.get_record(m)["uuid"]
        self.x.message.destroy(m)
        self.assertNotIn(m, self.x.message.get_all())
        self.assertFailure(["HANDLE_INVALID", "message", m], self.x.message.get_record, m)
        self.assertFailure(["UUID_INVALID", "message", u], self.x.message.get_by_uuid, u)
        self.assertFailure(["HANDLE_INVALID", "message", m], self.x.message.destroy, m)

    def test_events(self):
        token = current_token(self.x, ["message"])
        m = self.make("IT_EVENT")
        evs, token = self.events_until(["message"], token, lambda s: by_ref(s, m))
        e = by_ref(evs, m)[0]
        self.assertEqual((e["class"], e["operation"]), ("message", "add"))
        self.assertEqual(e["snapshot"]["name"], "IT_EVENT")
        self.x.message.destroy(m)
        evs, _ = self.events_until(["message"], token,
                                   lambda s: [e for e in by_ref(s, m) if e["operation"] == "del"])
        self.assertNotIn("snapshot", [e for e in by_ref(evs, m) if e["operation"] == "del"][0])

    def test_messages_in_star_subscription(self):
        token = current_token(self.x, ["*"])
        m = self.make("IT_STAR")
        self.events_until(["*"], token, lambda s: by_ref(s, m))
        self.x.message.destroy(m)

    def test_no_setters(self):
        m = self.make("IT_RO")
        self.assertEnvelopeFailure(["MESSAGE_METHOD_UNKNOWN", "message.set_body"],
                                   self.raw("message.set_body", self.session.handle, m, "x"))
        self.x.message.destroy(m)

    def test_unknown_ref(self):
        bad = new_ref()
        self.assertFailure(["HANDLE_INVALID", "message", bad], self.x.message.get_record, bad)


if __name__ == "__main__":
    unittest.main()

"""Whole-record reads (get_record, get_all_records, get_all_records_where)
answer from the db's memo of each object's encoded record (doc/performance.md):
after every kind of change, including a change made through a relation on the
other side (creating a VBD changes its VM's VBDs), the memos must give the same
bytes as the record encoded afresh. The independent reference is event.from,
whose snapshots are encoded from value trees and never from memos; the check
is made byte for byte over XML-RPC and over JSON-RPC."""

import json
import re
import xmlrpc.client

from harness import DaemonTestCase, usable_sr, vbd_record, vdi_record

XML_SUCCESS_HEAD = (b'<?xml version="1.0"?><methodResponse><params><param><value><struct>'
                    b'<member><name>Status</name><value>Success</value></member>'
                    b'<member><name>Value</name>')
XML_SUCCESS_TAIL = b'</member></struct></value></param></params></methodResponse>'
FROM_GEN_1 = "00000000000000000001,00000000000000000000"
VALUE_TAG = re.compile(rb"<value>|</value>")


def xml_value_end(body, start):
    """The end of the <value>...</value> starting at start (values nest; the
    text inside is escaped, so a literal <value> is always a tag)."""
    assert body.startswith(b"<value>", start), body[start:start + 60]
    depth = 0
    for m in VALUE_TAG.finditer(body, start):
        depth += 1 if m.group() == b"<value>" else -1
        if depth == 0:
            return m.end()
    raise AssertionError("unbalanced <value> at %d" % start)


def xml_member_values(body, name):
    """The raw text of the value of every struct member called name, in order."""
    out = []
    tag = b"<member><name>" + name + b"</name>"
    at = body.find(tag)
    while at >= 0:
        start = at + len(tag)
        end = xml_value_end(body, start)
        out.append(body[start:end])
        at = body.find(tag, end)
    return out


def json_member_values(body, name):
    """The raw text of the value of every object member called name, in order."""
    dec = json.JSONDecoder()
    text = body.decode()
    tag = json.dumps(name) + ":"
    out = []
    at = text.find(tag)
    while at >= 0:
        start = at + len(tag)
        _, end = dec.raw_decode(text, start)
        out.append(text[start:end].encode())
        at = text.find(tag, end)
    return out


class RecordsTest(DaemonTestCase):
    daemon_plugins = {"file": {}}   # VDIs need an SR driver (usable_sr)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.js = cls.daemon.json_session()

    # ---- raw calls: the answer's bytes ----

    def xml_call(self, method, *args):
        """The raw text of the Value of a successful XML-RPC call."""
        body = xmlrpc.client.dumps((self.session.handle,) + args, method).encode()
        status, _, resp = self.daemon.post("/", body)
        self.assertEqual(status, 200)
        self.assertTrue(resp.startswith(XML_SUCCESS_HEAD) and resp.endswith(XML_SUCCESS_TAIL),
                        resp[:300])
        return resp[len(XML_SUCCESS_HEAD):-len(XML_SUCCESS_TAIL)]

    def json_call(self, method, *args):
        """The raw text of the result of a successful JSON-RPC 2.0 call."""
        payload = {"jsonrpc": "2.0", "method": method, "params": [self.js.handle] + list(args),
                   "id": 1}
        status, _, resp = self.daemon.jsonrpc(payload)
        self.assertEqual(status, 200)
        head, tail = b'{"jsonrpc":"2.0","result":', b',"id":1}'
        self.assertTrue(resp.startswith(head) and resp.endswith(tail), resp[:300])
        return resp[len(head):-len(tail)]

    # ---- the check ----

    def check_wire(self, wire):
        """get_all_records, get_record of each object and the event.from
        snapshots agree, as values and as bytes."""
        call = self.xml_call if wire == "xml" else self.json_call
        members = xml_member_values if wire == "xml" else json_member_values

        def decode(raw):
            if wire == "xml":
                return xmlrpc.client.loads(b"<params><param>" + raw + b"</param></params>")[0][0]
            return json.loads(raw)

        for cls in ("VM", "VBD", "VDI"):
            all_raw = call(cls + ".get_all_records")
            records = decode(all_raw)
            self.assertEqual(sorted(records), sorted(decode(call(cls + ".get_all"))))

            # the snapshots of event.from: encoded without memos (a first
            # call, token "", is streamed from the memos: start after the
            # first generation instead, which gives the same objects)
            ev_raw = call("event.from", [cls.lower()], FROM_GEN_1, 0.0)
            events = [e for e in decode(ev_raw)["events"] if e["operation"] != "del"]
            snap_raw = members(ev_raw, b"snapshot" if wire == "xml" else "snapshot")
            self.assertEqual(len(snap_raw), len(events))
            snapshots = {e["ref"]: s for e, s in zip(events, snap_raw)}
            self.assertEqual(sorted(snapshots), sorted(records))

            for ref, rec in records.items():
                one_raw = call(cls + ".get_record", ref)
                self.assertEqual(one_raw, snapshots[ref],
                                 "%s %s.get_record differs from its snapshot" % (wire, cls))
                self.assertEqual(decode(one_raw), rec)
                if wire == "xml":
                    piece = b"<member><name>" + ref.encode() + b"</name>" + one_raw + b"</member>"
                else:
                    piece = json.dumps(ref).encode() + b":" + one_raw
                self.assertIn(piece, all_raw,
                              "%s %s.get_all_records lacks %s's record" % (wire, cls, ref))
            # the same bytes as a value tree would give: the whole answer
            if wire == "xml":
                rebuilt = (b"<value><struct>" + b"".join(
                    b"<member><name>" + r.encode() + b"</name>" + snapshots[r] + b"</member>"
                    for r in records) + b"</struct></value>")
            else:
                rebuilt = b"{" + b",".join(json.dumps(r).encode() + b":" + snapshots[r]
                                           for r in records) + b"}"
            self.assertEqual(all_raw, rebuilt, "%s %s.get_all_records bytes" % (wire, cls))

    def check(self):
        # JSON first then XML and the other way round, so that each wire
        # also reads memos the other one's reads did not make
        self.check_wire("json")
        self.check_wire("xml")
        self.check_wire("json")

    # ---- tests ----

    def test_records_follow_every_change(self):
        x = self.x
        sr = usable_sr(x)
        vm = self.create_vm("rec-vm")
        vm2 = self.create_vm("rec-vm2 <&> \u00e9")
        vdi = x.VDI.create(vdi_record(sr, "rec-vdi"))
        self.check()

        x.VM.set_name_label(vm, "rec-vm renamed")
        x.VM.set_name_description(vm2, "quotes \" and ' and \\")
        self.check()
        x.VM.add_to_other_config(vm, "k", "v")
        x.VM.add_tags(vm2, "tag-1")
        x.VM.set_other_config(vm2, {"a": "1", "b": "<two>"})
        x.VM.set_is_a_template(vm2, True)
        self.check()
        x.VM.remove_from_other_config(vm, "k")
        x.VM.remove_tags(vm2, "tag-1")
        self.check()

        # relations: the VBD changes the VM's VBDs and the VDI's VBDs
        vbd = x.VBD.create(vbd_record(vm, vdi))
        self.assertEqual(x.VM.get_VBDs(vm), [vbd])
        self.check()
        vbd2 = x.VBD.create(vbd_record(vm2, vdi, userdevice="1"))
        self.check()
        x.VBD.destroy(vbd)
        self.assertEqual(x.VM.get_VBDs(vm), [])
        self.check()
        x.VBD.destroy(vbd2)
        x.VDI.destroy(vdi)
        self.check()
        x.VM.destroy(vm2)
        self.check()
        vm3 = self.create_vm("rec-vm3")
        x.VM.set_name_label(vm3, "rec-vm3 renamed")
        self.check()

    def test_get_all_records_where(self):
        x = self.x
        vms = [self.create_vm("where-vm") for _ in range(3)]
        x.VM.set_name_description(vms[1], "picked")
        query = 'field "name__description" = "picked"'
        for wire, call in (("xml", self.xml_call), ("json", self.json_call)):
            raw = call("VM.get_all_records_where", query)
            one = call("VM.get_record", vms[1])
            if wire == "xml":
                self.assertEqual(raw, b"<value><struct><member><name>" + vms[1].encode() +
                                 b"</name>" + one + b"</member></struct></value>")
            else:
                self.assertEqual(raw, b"{" + json.dumps(vms[1]).encode() + b":" + one + b"}")
        # and after a change: another object matches, the old one does not
        x.VM.set_name_description(vms[1], "")
        x.VM.set_name_description(vms[2], "picked")
        got = x.VM.get_all_records_where(query)
        self.assertEqual(list(got), [vms[2]])
        self.assertEqual(got[vms[2]], x.VM.get_record(vms[2]))
        self.assertEqual(got[vms[2]]["name_description"], "picked")
        jgot = self.js.call("VM.get_all_records_where", query)
        self.assertEqual(list(jgot), [vms[2]])
        self.assertEqual(jgot[vms[2]], self.js.call("VM.get_record", vms[2]))

    def test_get_record_of_a_missing_object(self):
        for call in (self.x.VM.get_record, lambda r: self.js.call("VM.get_record", r)):
            self.assertFailure(["HANDLE_INVALID", "VM", "OpaqueRef:nope"], call, "OpaqueRef:nope")
        vm = self.create_vm("gone-vm")
        self.assertEqual(self.x.VM.get_record(vm)["name_label"], "gone-vm")
        self.x.VM.destroy(vm)
        self.assertFailure(["HANDLE_INVALID", "VM", vm], self.x.VM.get_record, vm)
        self.assertNotIn(vm, self.x.VM.get_all_records())
        self.assertNotIn(vm, self.js.call("VM.get_all_records"))

"""Bulk answers written as they are encoded (doc/performance.md, issue 17):
get_all_records, get_all_records_where and the first event.from(["*"], "")
of an answer past 1 MiB go out chunked (HTTP/1.1) or close-delimited
(HTTP/1.0) while the records are read, over XML-RPC and JSON-RPC. Checked
here through the wire: the framing, the bytes (the records of get_record,
in the same order, in the struct or events xapi sends), keep-alive after a
streamed answer, the stock XML-RPC client reading it, and clients that
leave in the middle of an answer (the daemon goes on; under --sanitize its
exit with no leak report is checked when the class stops it)."""

import json
import socket
import struct
import xmlrpc.client

from harness import DaemonTestCase

XML_HEAD = (b'<?xml version="1.0"?><methodResponse><params><param><value><struct>'
            b'<member><name>Status</name><value>Success</value></member>'
            b'<member><name>Value</name>')
XML_TAIL = b'</member></struct></value></param></params></methodResponse>'
NVMS = 120
BIG = "x" * 12000   # ~12 KB per VM: 120 VMs are well past the 1 MiB threshold


def read_response(sock):
    """(status line, headers (lower-case names), body, framing) of one HTTP
    answer on sock; framing is "chunked", "length" or "close"."""
    f = sock.makefile("rb")
    status = f.readline().decode().strip()
    headers = {}
    while True:
        line = f.readline().decode()
        if line in ("\r\n", ""):
            break
        k, v = line.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body, framing = b"", "chunked"
        while True:
            size = int(f.readline().split(b";")[0], 16)
            if size == 0:
                assert f.readline() == b"\r\n"
                break
            body += f.read(size)
            assert f.read(2) == b"\r\n", "chunk not followed by CRLF"
    elif "content-length" in headers:
        body, framing = f.read(int(headers["content-length"])), "length"
    else:
        body, framing = f.read(), "close"
    return status, headers, body, framing


class StreamTest(DaemonTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.js = cls.daemon.json_session()
        cls.vms = [cls.x.VM.create(dict(cls._vm(i))) for i in range(NVMS)]

    @staticmethod
    def _vm(i):
        from harness import vm_record
        return vm_record("stream-vm %d <&>" % i, name_description=BIG)

    # ---- raw calls ----

    def request(self, method, params, json_rpc=False, version="1.1", sock=None):
        if json_rpc:
            body = json.dumps({"jsonrpc": "2.0", "method": method,
                               "params": [self.js.handle] + params, "id": 1}).encode()
            path = "/jsonrpc"
        else:
            body = xmlrpc.client.dumps(tuple([self.session.handle] + params), method).encode()
            path = "/"
        head = ("POST %s HTTP/%s\r\nHost: x\r\nContent-Type: text/xml\r\n"
                "Content-Length: %d\r\n\r\n" % (path, version, len(body))).encode()
        own = sock is None
        if own:
            sock = socket.create_connection(("127.0.0.1", self.daemon.port), timeout=60)
        try:
            sock.sendall(head + body)
            return read_response(sock)
        finally:
            if own:
                sock.close()

    def value(self, body, json_rpc):
        if json_rpc:
            head, tail = b'{"jsonrpc":"2.0","result":', b',"id":1}'
        else:
            head, tail = XML_HEAD, XML_TAIL
        self.assertTrue(body.startswith(head) and body.endswith(tail), body[:300] + body[-300:])
        return body[len(head):-len(tail)]

    def records_text(self, cls, refs, json_rpc):
        """What a whole get_all_records answer holds for refs: each object's
        get_record text, in a struct keyed by ref."""
        parts = []
        for ref in refs:
            _, _, body, _ = self.request(cls + ".get_record", [ref], json_rpc)
            one = self.value(body, json_rpc)
            if json_rpc:
                parts.append(json.dumps(ref).encode() + b":" + one)
            else:
                parts.append(b"<member><name>" + ref.encode() + b"</name>" + one + b"</member>")
        if json_rpc:
            return b"{" + b",".join(parts) + b"}"
        return b"<value><struct>" + b"".join(parts) + b"</struct></value>"

    # ---- tests ----

    def test_get_all_records_streamed_both_wires(self):
        for json_rpc in (False, True):
            status, headers, body, framing = self.request("VM.get_all_records", [], json_rpc)
            self.assertEqual(status, "HTTP/1.1 200 OK")
            self.assertEqual(framing, "chunked", headers)
            self.assertNotIn("content-length", headers)
            self.assertEqual(headers["content-type"],
                             "application/json" if json_rpc else "text/xml")
            self.assertEqual(headers.get("access-control-allow-origin"), "*")
            raw = self.value(body, json_rpc)
            refs = self.x.VM.get_all()
            self.assertEqual(raw, self.records_text("VM", refs, json_rpc))

    def test_get_all_records_where_streamed(self):
        q = 'field "name__description" = "%s"' % BIG
        for json_rpc in (False, True):
            _, _, body, framing = self.request("VM.get_all_records_where", [q], json_rpc)
            self.assertEqual(framing, "chunked")
            raw = self.value(body, json_rpc)
            refs = [r for r in self.x.VM.get_all() if r in self.vms]
            self.assertEqual(len(refs), NVMS)
            self.assertEqual(raw, self.records_text("VM", refs, json_rpc))

    def test_small_answers_keep_content_length(self):
        _, headers, body, framing = self.request("VM.get_all_records_where",
                                                 ['field "name__label" = "none"'])
        self.assertEqual(framing, "length")
        self.assertEqual(self.value(body, False), b"<value><struct></struct></value>")

    def test_keep_alive_after_a_streamed_answer(self):
        sock = socket.create_connection(("127.0.0.1", self.daemon.port), timeout=60)
        try:
            for _ in range(2):
                _, headers, body, framing = self.request("VM.get_all_records", [], sock=sock)
                self.assertEqual(framing, "chunked")
                self.assertNotIn("connection", headers)
            _, _, body, framing = self.request("VM.get_name_label", [self.vms[0]], sock=sock)
            self.assertEqual(framing, "length")
            self.assertIn(b"stream-vm 0 &lt;&amp;&gt;", body)
        finally:
            sock.close()

    def test_http10_close_delimited(self):
        status, headers, body, framing = self.request("VM.get_all_records", [], version="1.0")
        self.assertEqual(status, "HTTP/1.0 200 OK")
        self.assertEqual(framing, "close")
        self.assertEqual(headers.get("connection"), "close")
        self.assertEqual(self.value(body, False),
                         self.records_text("VM", self.x.VM.get_all(), False))

    def test_stock_client_reads_it(self):
        recs = self.x.VM.get_all_records()
        for ref in self.vms:
            self.assertEqual(recs[ref]["name_description"], BIG)
        self.assertEqual(self.x.VM.get_name_label(self.vms[3]), "stream-vm 3 <&>")

    def test_first_event_from_streamed(self):
        for json_rpc in (False, True):
            status, headers, body, framing = self.request("event.from", [["*"], "", 1.0],
                                                          json_rpc)
            self.assertEqual(framing, "chunked")
            raw = self.value(body, json_rpc)
            if json_rpc:
                ans = json.loads(raw)
            else:
                ans = xmlrpc.client.loads(b"<params><param>" + raw + b"</param></params>")[0][0]
            vm_events = [e for e in ans["events"] if e["class"] == "vm"]
            seen = [e["ref"] for e in vm_events]
            self.assertEqual(sorted(seen), sorted(self.x.VM.get_all()))
            for e in vm_events:
                self.assertEqual(e["operation"], "add")
                self.assertEqual(e["timestamp"], "0.0")
            by_ref = {e["ref"]: e["snapshot"] for e in vm_events}
            _, _, one, _ = self.request("VM.get_record", [self.vms[5]], json_rpc)
            one = self.value(one, json_rpc)
            self.assertEqual(by_ref[self.vms[5]], json.loads(one) if json_rpc else
                             xmlrpc.client.loads(b"<params><param>" + one +
                                                 b"</param></params>")[0][0])
            self.assertEqual(ans["valid_ref_counts"]["vm"], len(seen))
            # the token goes on from there: nothing old comes back
            nxt = self.x.event.__getattr__("from")(["vm"], ans["token"], 0.1)
            self.assertEqual(nxt["events"], [])

    def test_client_leaves_mid_answer(self):
        for json_rpc in (False, True, False):
            sock = socket.create_connection(("127.0.0.1", self.daemon.port), timeout=60)
            body = xmlrpc.client.dumps((self.session.handle,), "VM.get_all_records").encode()
            if json_rpc:
                body = json.dumps({"jsonrpc": "2.0", "method": "VM.get_all_records",
                                   "params": [self.js.handle], "id": 1}).encode()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.sendall(("POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"
                          % ("/jsonrpc" if json_rpc else "/", len(body))).encode() + body)
            self.assertTrue(sock.recv(100).startswith(b"HTTP/1.1 200"))
            # leave with a reset, the answer mostly unread
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
        self.daemon.check_alive()
        self.assertEqual(len(self.x.VM.get_all_records()), len(self.x.VM.get_all()))

"""The wire: paths, content types, the exact bytes of XML-RPC responses,
what requests may look like, JSON-RPC v1/v2 envelopes, Class_method names,
system.listMethods, the unix socket (client-compat.md section 0)."""

import http.client
import json
import re
import unittest
import xmlrpc.client

from harness import DaemonTestCase, ROOT_PASSWORD, ROOT_USER, REF_RE, new_ref, vm_record

LOGIN_XML = ("<?xml version='1.0'?><methodCall><methodName>session.login_with_password</methodName>"
             "<params><param><value><string>%s</string></value></param>"
             "<param><value><string>%s</string></value></param></params></methodCall>"
             % (ROOT_USER, ROOT_PASSWORD)).encode()
DATETIME_RE = re.compile(r"^\d{8}T\d{2}:\d{2}:\d{2}Z$")


def call_xml(method, *params):
    """A methodCall as Python's xmlrpc.client writes it (typed, newlines)."""
    return xmlrpc.client.dumps(tuple(params), method, allow_none=True).encode()


def response_value(body):
    """The single param of a methodResponse (raises Fault on <fault>)."""
    params, _ = xmlrpc.client.loads(body)
    return params[0]


class WireTest(DaemonTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vm = cls.x.VM.create(vm_record("wire-vm"))

    def post(self, path, body, content_type="text/xml", **kw):
        return self.daemon.post(path, body, content_type=content_type, **kw)

    def post_call(self, method, *params, path="/"):
        status, headers, body = self.post(path, call_xml(method, *params))
        self.assertEqual(status, 200, body[:300])
        return headers, body

    def call_raw(self, method, *params):
        """Calls with the session; returns the response body bytes."""
        return self.post_call(method, self.session.handle, *params)[1]

    def assertCompact(self, body):
        text = body.decode()
        start = text.find("<methodResponse")
        self.assertGreaterEqual(start, 0, text[:200])
        inner = text[start:].rstrip()
        # xen-api (XO) parses with trim:false: any whitespace between tags
        # becomes a text node and crashes it (client-compat.md 0.4).
        self.assertIsNone(re.search(r">\s+<", inner), "whitespace between tags: %r" % inner[:400])
        self.assertNotIn("<string>", inner, "strings must be bare <value>text</value>")

    # ---- paths and content types ----

    def test_xmlrpc_on_every_post_path(self):
        # xapi routes by longest prefix: every unclaimed POST path is XML-RPC.
        for path in ("/", "/RPC2", "/xmlrpc", "/anything/else"):
            with self.subTest(path=path):
                status, headers, body = self.post(path, LOGIN_XML)
                self.assertEqual(status, 200, body[:300])
                self.assertEqual(headers.get("content-type"), "text/xml")
                result = response_value(body)
                self.assertEqual(result["Status"], "Success", result)
                self.assertRegex(result["Value"], REF_RE)
                self.raw("session.logout", result["Value"])

    def test_xmlrpc_content_type_exact_on_failure_too(self):
        status, headers, body = self.post("/", call_xml("VM.get_record", self.session.handle, new_ref()))
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("content-type"), "text/xml")
        self.assertEqual(response_value(body)["Status"], "Failure")

    def test_cors_header(self):
        # xapi sends Access-Control-Allow-Origin: * on RPC responses.
        _, headers, _ = self.post("/", LOGIN_XML)
        self.assertEqual(headers.get("access-control-allow-origin"), "*")
        _, headers, _ = self.daemon.jsonrpc({"jsonrpc": "2.0", "method": "system.listMethods",
                                             "params": [], "id": 1})
        self.assertEqual(headers.get("access-control-allow-origin"), "*")

    def test_options_preflight(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.daemon.port, timeout=10)
        try:
            conn.request("OPTIONS", "/jsonrpc", headers={
                "Origin": "http://example.org", "Access-Control-Request-Method": "POST"})
            resp = conn.getresponse()
            resp.read()
            self.assertLess(resp.status, 300)
            self.assertEqual(resp.getheader("Access-Control-Allow-Origin"), "*")
        finally:
            conn.close()

    def test_keep_alive_several_calls_one_connection(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.daemon.port, timeout=10)
        try:
            for _ in range(5):
                conn.request("POST", "/", body=call_xml("VM.get_all", self.session.handle),
                             headers={"Content-Type": "text/xml"})
                resp = conn.getresponse()
                body = resp.read()
                self.assertEqual(resp.status, 200)
                self.assertEqual(response_value(body)["Status"], "Success")
        finally:
            conn.close()

    # ---- the exact bytes of responses ----

    def test_compact_success_envelope(self):
        _, body = self.post_call("session.login_with_password", ROOT_USER, ROOT_PASSWORD)
        self.assertCompact(body)
        text = body.decode()
        # Status first, then Value; strings untyped.
        self.assertIn("<member><name>Status</name><value>Success</value></member>", text)
        self.assertLess(text.index("<name>Status</name>"), text.index("<name>Value</name>"))
        self.assertRegex(text, r"<name>Value</name><value>OpaqueRef:[0-9a-f-]{36}</value>")
        self.raw("session.logout", response_value(body)["Value"])

    def test_compact_failure_envelope(self):
        ref = new_ref()
        body = self.call_raw("VM.get_record", ref)
        self.assertCompact(body)
        text = body.decode()
        self.assertIn("<member><name>Status</name><value>Failure</value></member>", text)
        self.assertIn("<name>ErrorDescription</name><value><array><data>"
                      "<value>HANDLE_INVALID</value><value>VM</value><value>%s</value>"
                      "</data></array></value>" % ref, text)
        self.assertNotIn("<fault>", text)

    def test_void_result_is_empty_string_value(self):
        body = self.call_raw("VM.set_name_label", self.vm, "wire-vm")
        self.assertCompact(body)
        self.assertRegex(body.decode(), r"<name>Value</name>(<value></value>|<value/>)</member>")
        self.assertEqual(response_value(body), {"Status": "Success", "Value": ""})

    def test_int64_is_untyped_decimal_string(self):
        body = self.call_raw("VM.get_memory_static_max", self.vm)
        self.assertCompact(body)
        self.assertIn("<name>Value</name><value>268435456</value>", body.decode())

    def test_bool_and_struct_encoding(self):
        body = self.call_raw("VM.get_is_a_template", self.vm)
        self.assertIn("<name>Value</name><value><boolean>0</boolean></value>", body.decode())
        body = self.call_raw("VM.get_record", self.vm)
        self.assertCompact(body)
        text = body.decode()
        # The C SDK wants <value> whose first child is <struct>.
        self.assertIn("<name>Value</name><value><struct>", text)
        self.assertIn("<member><name>is_a_template</name><value><boolean>0</boolean></value></member>", text)
        self.assertIn("<member><name>memory_static_max</name><value>268435456</value></member>", text)
        self.assertIn("<member><name>name_label</name><value>wire-vm</value></member>", text)
        # Empty string and empty collections.
        self.assertRegex(text, r"<member><name>PV_kernel</name>(<value></value>|<value/>)</member>")
        self.assertRegex(text, r"<member><name>VBDs</name><value><array>(<data></data>|<data/>)</array>"
                               r"</value></member>")
        self.assertRegex(text, r"<member><name>platform</name><value>(<struct></struct>|<struct/>)</value>")

    def test_datetime_encoding(self):
        body = self.call_raw("session.get_last_active", self.session.handle)
        self.assertCompact(body)
        m = re.search(r"<name>Value</name><value><dateTime\.iso8601>([^<]*)</dateTime\.iso8601></value>",
                      body.decode())
        self.assertIsNotNone(m, body[:400])
        self.assertRegex(m.group(1), DATETIME_RE)

    def test_double_encoding(self):
        cpus = self.x.host_cpu.get_all()
        self.assertTrue(cpus)
        body = self.call_raw("host_cpu.get_utilisation", cpus[0])
        self.assertRegex(body.decode(), r"<name>Value</name><value><double>[-+0-9.eE]+</double></value>")

    def test_system_listmethods_is_bare_array(self):
        for params in ("<params/>", "<params />", "<params></params>"):
            with self.subTest(params=params):
                body = ("<?xml version=\"1.0\"?><methodCall><methodName>system.listMethods"
                        "</methodName>%s</methodCall>" % params).encode()
                status, headers, data = self.post("/", body)
                self.assertEqual(status, 200)
                self.assertEqual(headers.get("content-type"), "text/xml")
                self.assertCompact(data)
                methods = response_value(data)
                self.assertIsInstance(methods, list)   # not {Status, Value}
                for m in ("session.login_with_password", "VM.get_all_records", "VM.get_name_label",
                          "event.from", "task.cancel", "pool.get_all_records"):
                    self.assertIn(m, methods)
                self.assertFalse([m for m in methods if m.startswith("Async.")],
                                 "listMethods lists synchronous names only")
                self.assertFalse([m for m in methods if "." not in m])

    # ---- what requests may look like ----

    def test_request_untyped_strings_and_compact_xml(self):
        # xen-api sends strings untyped and no whitespace.
        body = ("<?xml version=\"1.0\"?><methodCall><methodName>session.login_with_password"
                "</methodName><params><param><value>%s</value></param><param><value>%s</value>"
                "</param></params></methodCall>" % (ROOT_USER, ROOT_PASSWORD)).encode()
        status, _, data = self.post("/xmlrpc", body)
        self.assertEqual(status, 200)
        result = response_value(data)
        self.assertEqual(result["Status"], "Success", result)
        self.raw("session.logout", result["Value"])

    def test_request_int_forms(self):
        # int64 params as <i4>, <int>, <i8> or a string of digits.
        for form, expect in (("<i4>11</i4>", "11"), ("<int>12</int>", "12"), ("<i8>13</i8>", "13"),
                             ("<string>14</string>", "14"), ("15", "15")):
            with self.subTest(form=form):
                body = ("<?xml version=\"1.0\"?><methodCall><methodName>VM.set_user_version"
                        "</methodName><params><param><value>%s</value></param><param><value>%s"
                        "</value></param><param><value>%s</value></param></params></methodCall>"
                        % (self.session.handle, self.vm, form)).encode()
                status, _, data = self.post("/", body)
                self.assertEqual(status, 200)
                self.assertEqual(response_value(data), {"Status": "Success", "Value": ""})
                self.assertEqual(self.x.VM.get_user_version(self.vm), expect)

    def test_request_big_int_as_string(self):
        big = "17179869184"   # > 2^32: Python callers must send it as a string
        self.x.VM.set_user_version(self.vm, big)
        self.assertEqual(self.x.VM.get_user_version(self.vm), big)
        self.x.VM.set_user_version(self.vm, "1")

    def test_request_double_for_float_param(self):
        # event.from's timeout comes as <double> (XO sends 60.1) or as an int.
        for t in (0.0, 0.01, 0):
            with self.subTest(timeout=t):
                r = getattr(self.x.event, "from")(["vm/" + self.vm], "", t)
                self.assertIn("token", r)

    def test_python_xmlrpc_client_request(self):
        # Python's own serializer: typed <string>, newlines between elements.
        headers, body = self.post_call("VM.get_name_label", self.session.handle, self.vm)
        self.assertEqual(response_value(body), {"Status": "Success", "Value": "wire-vm"})

    # ---- method names ----

    def test_class_underscore_method_names(self):
        p = self.daemon.proxy()
        s = self.session.handle
        self.assertEqual(p.VM_get_name_label(s, self.vm), {"Status": "Success", "Value": "wire-vm"})
        self.assertEqual(p.VM_get_all(s)["Status"], "Success")
        # Class names contain '_': the split must use the name table.
        self.assertEqual(p.VM_guest_metrics_get_all(s)["Status"], "Success")
        self.assertEqual(p.host_metrics_get_all(s)["Status"], "Success")
        self.assertEqual(p.session_get_this_host(s, s)["Status"], "Success")
        # watch-all-events.py calls session.xenapi.event_from(...)
        r = p.event_from(s, ["vm/" + self.vm], "", 0.0)
        self.assertEqual(r["Status"], "Success", r)
        self.assertIn("token", r["Value"])

    def test_async_underscore_not_supported(self):
        # server_helpers.ml: only the "Async." prefix is recognised.
        r = self.raw("Async_VM_get_all", self.session.handle)
        self.assertEnvelopeFailure(["MESSAGE_METHOD_UNKNOWN", "Async_VM_get_all"], r)

    def test_two_argument_login(self):
        r = self.raw("session.login_with_password", ROOT_USER, ROOT_PASSWORD)
        self.assertEqual(r["Status"], "Success", r)
        self.raw("session.logout", r["Value"])

    # ---- JSON-RPC ----

    def jpost(self, payload, **kw):
        status, headers, body = self.daemon.jsonrpc(payload, **kw)
        self.assertEqual(status, 200, body[:300])
        self.assertEqual(headers.get("content-type"), "application/json")
        return json.loads(body)

    def test_jsonrpc_v1_success_shape(self):
        r = self.jpost({"method": "session.login_with_password",
                        "params": [ROOT_USER, ROOT_PASSWORD], "id": 7})
        self.assertEqual(set(r), {"result", "error", "id"}, r)
        self.assertIsNone(r["error"])
        self.assertEqual(r["id"], 7)
        self.assertRegex(r["result"], REF_RE)
        self.raw("session.logout", r["result"])

    def test_jsonrpc_v1_error_shape(self):
        r = self.jpost({"method": "session.login_with_password",
                        "params": [ROOT_USER, "wrong"], "id": "a1"})
        self.assertEqual(set(r), {"result", "error", "id"}, r)
        self.assertIsNone(r["result"])
        self.assertEqual(r["id"], "a1")
        self.assertIsInstance(r["error"], list)
        self.assertEqual(r["error"][0], "SESSION_AUTHENTICATION_FAILED")

    def test_jsonrpc_v2_success_shape(self):
        r = self.jpost({"jsonrpc": "2.0", "method": "session.login_with_password",
                        "params": [ROOT_USER, ROOT_PASSWORD], "id": 0})
        # json-rpc-protocol (XO) treats the mere presence of "error" as an error.
        self.assertEqual(set(r), {"jsonrpc", "result", "id"}, r)
        self.assertEqual(r["jsonrpc"], "2.0")
        self.assertEqual(r["id"], 0)
        self.raw("session.logout", r["result"])

    def test_jsonrpc_v2_error_shape(self):
        ref = new_ref()
        r = self.jpost({"jsonrpc": "2.0", "method": "VM.get_record",
                        "params": [self.session.handle, ref], "id": "x"})
        self.assertEqual(set(r), {"jsonrpc", "error", "id"}, r)
        self.assertEqual(r["id"], "x")
        self.assertEqual(r["error"], {"code": 1, "message": "HANDLE_INVALID", "data": ["VM", ref]})

    def test_jsonrpc_values(self):
        r = self.jpost({"jsonrpc": "2.0", "method": "VM.get_record",
                        "params": [self.session.handle, self.vm], "id": 1})["result"]
        self.assertIs(type(r["memory_static_max"]), int)          # int64: a JSON number
        self.assertEqual(r["memory_static_max"], 268435456)
        self.assertIs(r["is_a_template"], False)
        self.assertEqual(r["name_label"], "wire-vm")
        self.assertEqual(r["VBDs"], [])
        self.assertEqual(r["power_state"], "Halted")
        d = self.jpost({"jsonrpc": "2.0", "method": "session.get_last_active",
                        "params": [self.session.handle, self.session.handle], "id": 2})["result"]
        self.assertRegex(d, DATETIME_RE)                             # datetime: a string

    def test_jsonrpc_int_param_as_number_or_string(self):
        for v, expect in ((21, "21"), ("22", "22")):
            r = self.jpost({"jsonrpc": "2.0", "method": "VM.set_user_version",
                            "params": [self.session.handle, self.vm, v], "id": 3})
            self.assertEqual(r.get("result"), "", r)
            self.assertEqual(self.x.VM.get_user_version(self.vm), expect)

    def test_jsonrpc_list_methods_is_result(self):
        r = self.jpost({"jsonrpc": "2.0", "method": "system.listMethods", "params": [], "id": 1})
        self.assertIsInstance(r["result"], list)
        self.assertIn("VM.get_all_records", r["result"])

    def test_jsonrpc_charset_content_type_accepted(self):
        # The Go SDK sends "application/json; charset=utf-8".
        r = self.jpost({"jsonrpc": "2.0", "method": "VM.get_name_label",
                        "params": [self.session.handle, self.vm], "id": 4},
                       content_type="application/json; charset=utf-8")
        self.assertEqual(r["result"], "wire-vm")

    def test_jsonrpc_request_without_id_refused(self):
        status, _, body = self.daemon.jsonrpc({"jsonrpc": "2.0", "method": "VM.get_all",
                                               "params": [self.session.handle]})
        # Refused: an HTTP error, or a JSON-RPC error object; never a result.
        if status == 200:
            r = json.loads(body)
            self.assertIsNotNone(r.get("error"), r)
            self.assertIsNone(r.get("result"), r)
        else:
            self.assertGreaterEqual(status, 400)
        # and the server is still fine
        self.assertIsInstance(self.x.VM.get_all(), list)

    def test_session_shared_between_protocols(self):
        js = self.daemon.json_session()
        try:
            # a JSON-RPC session works over XML-RPC and vice versa
            r = self.raw("VM.get_name_label", js.handle, self.vm)
            self.assertEqual(r, {"Status": "Success", "Value": "wire-vm"})
            self.assertEqual(js.call_nosession("VM.get_name_label", self.session.handle, self.vm),
                             "wire-vm")
        finally:
            js.logout()

    # ---- the unix socket ----

    def test_xmlrpc_over_unix_socket(self):
        s = self.daemon.unix_session()
        try:
            self.assertEqual(s.xenapi.VM.get_name_label(self.vm), "wire-vm")
            self.assertEqual(s.xenapi.session.get_this_host(s.handle),
                             self.x.session.get_this_host(self.session.handle))
        finally:
            s.logout()

    def test_jsonrpc_over_unix_socket(self):
        from xenapi_client import jsonrpc_post
        status, headers, body = jsonrpc_post(None, None, {"jsonrpc": "2.0", "method": "VM.get_name_label",
                                                          "params": [self.session.handle, self.vm],
                                                          "id": 5},
                                             socket_path=self.daemon.socket_path)
        self.assertEqual(status, 200)
        self.assertEqual(headers.get("content-type"), "application/json")
        self.assertEqual(json.loads(body)["result"], "wire-vm")


if __name__ == "__main__":
    unittest.main()

"""libxenserver, the C bindings (doc/c-bindings.md), from a C programmer's
side: the library, its headers and xenserver.pc installed from the build
under test into a temp DESTDIR (`make install-libLTLIBRARIES
install-xenapiincludeHEADERS install-pkgconfigDATA install-data-local`), the
examples of sdk/examples/c-client built out of tree with their Makefile and
`pkg-config xenserver` only, and run against a live xapid: records of hosts,
VMs and SRs, every record of every class, a VM from a template with a new
disk through start/suspend/resume/shutdown, event.from while this test
changes things, every xen_api_failure string both ways, and misuse reported
through session->ok / error_description (a bad ref, a logged-out session, a
wrong password, a server that closes the connection or answers garbage), the
API surface of upstream's own SDK test programs called their way
(sdk_compat), and the library's libcurl transport over https (checks off,
the host's certificate trusted, an untrusted one refused).
Under valgrind too when it is installed (not on the sanitize build, whose
examples carry ASan instead)."""

import os
import queue
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import unittest
from pathlib import Path

import harness
from harness import DaemonTestCase, NULL_REF, ROOT_PASSWORD, ROOT_USER, vm_record
from test_sdk import run

SRC = harness.REPO / "sdk" / "examples" / "c-client"
PROGRAMS = ("list_objects", "vm_lifecycle", "watch_events", "failures", "wrong_use",
            "sdk_compat", "curl_client")
# The classes list_objects --all reads (the classes xapid serves, but session
# and event, which have no get_all_records).
ALL_CLASSES = ("pool", "host", "host_metrics", "host_cpu", "VM", "VM_metrics",
               "VM_guest_metrics", "VBD", "VDI", "SR", "PBD", "SM", "network",
               "PIF", "PIF_metrics", "VIF", "VLAN", "Bond", "tunnel", "task", "message",
               "console", "blob", "secret")


def sanitize_build(build):
    text = (build / "Makefile").read_text()
    return re.search(r"^SAN_CFLAGS = .*-fsanitize", text, re.M) is not None


class Closer:
    """A TCP server that accepts and closes (or answers garbage) at once."""

    def __init__(self, answer=b""):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.answer = answer
        self.stop = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        self.sock.settimeout(0.2)
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    self.read_request(conn)
                    if self.answer:
                        conn.sendall(self.answer)
                except OSError:
                    pass

    @staticmethod
    def read_request(conn):
        """All of the request: answering before it is in would make the
        client's write fail, a transport fault instead of the answer."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        head, body = data.split(b"\r\n\r\n", 1)
        m = re.search(rb"(?i)content-length: *(\d+)", head)
        while m and len(body) < int(m.group(1)):
            chunk = conn.recv(65536)
            if not chunk:
                return
            body += chunk

    def close(self):
        self.stop = True
        self.thread.join(5)
        self.sock.close()


class CBindingsTest(DaemonTestCase):
    daemon_plugins = {"file": {}}

    @classmethod
    def setUpClass(cls):
        build = harness.xapid_binary().parent
        cls.tmp = Path(tempfile.mkdtemp(prefix="xapid-it-cbind-"))
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        dest = cls.tmp / "dest"
        run(["make", "-C", str(build), "install-libLTLIBRARIES", "install-xenapiincludeHEADERS",
             "install-pkgconfigDATA", "install-data-local", "DESTDIR=%s" % dest])
        pcs = list(dest.rglob("xenserver.pc"))
        if len(pcs) != 1:
            raise AssertionError("xenserver.pc not installed (found %r)" % pcs)
        cls.pc = pcs[0]
        cls.prefix_dir = Path(str(cls.pc.parent.parent.parent))   # <dest><prefix>
        cls.libdir = cls.pc.parent.parent
        cls.env = dict(os.environ, PKG_CONFIG_PATH=str(cls.pc.parent),
                       PKG_CONFIG_SYSROOT_DIR=str(dest),
                       LD_LIBRARY_PATH=str(cls.libdir))
        cls.sanitize = sanitize_build(build)
        make = ["make"]
        if cls.sanitize:
            flags = "-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer"
            make += ["CFLAGS=%s" % flags, "LDFLAGS=%s" % flags]
        cls.ex = cls.tmp / "c-client"
        shutil.copytree(SRC, cls.ex)
        cls.make_out = run(make, cwd=cls.ex, env=cls.env)
        super().setUpClass()
        pool = cls.x.pool.get_all()[0]
        if cls.x.pool.get_default_SR(pool) == NULL_REF:
            cls.x.pool.set_default_SR(pool, harness.usable_sr(cls.x))

    # ---- helpers ----

    def prog(self, name, *args, address=None, valgrind=False, timeout=300, check=True):
        cmd = [str(self.ex / name)]
        if name != "failures":
            cmd += [address or self.daemon.url, ROOT_USER, ROOT_PASSWORD]
        cmd += list(args)
        if valgrind:
            cmd = ["valgrind", "--quiet", "--leak-check=full", "--show-leak-kinds=all",
                   "--errors-for-leak-kinds=all", "--error-exitcode=99"] + cmd
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=timeout, env=self.env)
        if check and p.returncode != 0:
            self.fail("%s: exit %d\nstdout:\n%s\nstderr:\n%s\n%s"
                      % (" ".join(cmd), p.returncode, p.stdout[-3000:], p.stderr[-3000:],
                         self.log_tail(30)))
        return p

    def valgrind_usable(self):
        return shutil.which("valgrind") is not None and not self.sanitize

    # ---- the install ----

    def test_install_holds_library_headers_and_pc(self):
        inc = self.prefix_dir / "include" / "xen" / "api"
        for h in ("xen_all.h", "xen_common.h", "xen_vm.h", "xen_vm_decl.h",
                  "xen_vm_xen_vm_record_map.h", "xen_string_string_map.h", "xen_string_set.h",
                  "xen_vm_power_state.h", "xen_api_failure.h", "xen_event_batch.h",
                  "xen_event.h", "xen_api_version.h", "xen_curl.h"):
            self.assertTrue((inc / h).is_file(), h)
        self.assertTrue(list(self.libdir.glob("libxenserver.so*")))
        self.assertNotIn("@", self.pc.read_text())
        out = run(["pkg-config", "--cflags", "--libs", "xenserver"], env=self.env)
        self.assertIn("-lxenserver", out)
        # The library reaches nothing of the daemon or of libxapi-common.
        so = sorted(self.libdir.glob("libxenserver.so.*"))[-1]
        ldd = run(["ldd", str(so)])
        for lib in ("libxmlrpc", "libjson-c", "libsqlite3", "libxen"):
            self.assertNotIn(lib, ldd)
        self.assertRegex(self.make_out, r"pkg-config|-lxenserver")

    def test_every_header_compiles_on_its_own(self):
        inc = self.prefix_dir / "include" / "xen" / "api"
        cflags = run(["pkg-config", "--cflags", "xenserver"], env=self.env).split()
        headers = sorted(h.name for h in inc.glob("*.h"))
        self.assertGreater(len(headers), 100)
        for h in headers:
            p = subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only",
                                "-x", "c", "-"] + cflags, input="#include <xen/api/%s>\n" % h,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            self.assertEqual(p.returncode, 0, "%s alone:\n%s" % (h, p.stdout[-2000:]))

    # ---- records ----

    def test_lists_hosts_vms_and_srs_with_their_records(self):
        tricky = self.x.VM.create(vm_record("c-list <&> \"q\" 'a' \u00e9 \u2713\ttab"))
        self.addCleanup(self.x.VM.destroy, tricky)
        for address in (self.daemon.url, "unix:" + self.daemon.socket_path):
            out = self.prog("list_objects", address=address).stdout
            hosts = self.x.host.get_all_records()
            for rec in hosts.values():
                self.assertIn("HOST %s %s hostname=%s api=%s.%s cpus=%d\n"
                              % (rec["uuid"], rec["name_label"], rec["hostname"],
                                 rec["API_version_major"], rec["API_version_minor"],
                                 len(rec["host_CPUs"])), out)
            vms = self.x.VM.get_all_records()
            self.assertEqual(len(re.findall(r"^VM ", out, re.M)), len(vms))
            for rec in vms.values():
                self.assertIn("VM %s %s power_state=%s template=%d control_domain=%d memory=%s"
                              " vbds=%d\n" % (rec["uuid"], rec["name_label"], rec["power_state"],
                                              rec["is_a_template"], rec["is_control_domain"],
                                              rec["memory_static_max"], len(rec["VBDs"])), out)
            srs = self.x.SR.get_all_records()
            self.assertEqual(len(re.findall(r"^SR ", out, re.M)), len(srs))
            for rec in srs.values():
                self.assertIn("SR %s %s type=%s physical_size=%s vdis=%d\n"
                              % (rec["uuid"], rec["name_label"], rec["type"],
                                 rec["physical_size"], len(rec["VDIs"])), out)

    def test_reads_every_record_of_every_class(self):
        p = self.prog("list_objects", "--all", valgrind=self.valgrind_usable(), timeout=900)
        counts = dict(re.findall(r"^CLASS (\S+) (\d+)$", p.stdout, re.M))
        self.assertEqual(sorted(counts), sorted(ALL_CLASSES))
        for cls in ALL_CLASSES:
            n = len(getattr(self.x, cls).get_all_records())
            # tasks and messages may come and go between the two reads
            if cls in ("task", "message"):
                continue
            self.assertEqual(int(counts[cls]), n, cls)
        me = self.x.session.get_uuid(self.session.handle)
        # the program's own session: not the test's
        self.assertRegex(p.stdout, r"(?m)^SESSION [0-9a-f-]{36} user=\S+$")
        self.assertNotIn("SESSION %s " % me, p.stdout)
        self.assertEqual(p.stderr.strip(), "")

    # ---- a VM's life ----

    def test_vm_from_template_with_a_disk_through_its_lifecycle(self):
        # markup, entities and non-ASCII written by the library and read back
        name = "c-client <&> \"q\" 'a' \u00e9 \u2713 %d" % os.getpid()
        p = self.prog("vm_lifecycle", "Other install media", name,
                      valgrind=self.valgrind_usable(), timeout=900)
        lines = p.stdout.splitlines()
        self.assertRegex(lines[0], r"^CREATED [0-9a-f-]{36}$")
        self.assertEqual(lines[1], "NAME " + name)
        self.assertRegex(lines[2], r"^DISK [0-9a-f-]{36}$")
        self.assertEqual(lines[3:], ["STATE Halted", "STATE Running", "STATE Suspended",
                                     "STATE Running", "TASK success", "STATE Halted",
                                     "DESTROYED"])
        vm_uuid, vdi_uuid = lines[0].split()[1], lines[2].split()[1]
        self.assertFailure(["UUID_INVALID", "VM", vm_uuid], self.x.VM.get_by_uuid, vm_uuid)
        self.assertFailure(["UUID_INVALID", "VDI", vdi_uuid], self.x.VDI.get_by_uuid, vdi_uuid)
        self.assertEqual(self.x.VM.get_by_name_label(name), [])
        self.assertEqual(p.stderr.strip(), "")

    def test_vm_lifecycle_reports_a_missing_template(self):
        p = self.prog("vm_lifecycle", "no such template", "x", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no template named no such template", p.stderr)

    # ---- events ----

    def test_watches_events_while_another_client_changes_things(self):
        proc = subprocess.Popen([str(self.ex / "watch_events"), self.daemon.url, ROOT_USER,
                                 ROOT_PASSWORD, "vm"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=self.env)
        lines = queue.Queue()
        threading.Thread(target=lambda: [lines.put(l) for l in proc.stdout], daemon=True).start()
        seen = []

        def wait_for(line):
            # event.from reports an object's latest state: each change is
            # made once the watcher has seen the one before.
            deadline = time.monotonic() + 60
            while line not in seen:
                try:
                    seen.append(lines.get(timeout=max(0.1, deadline - time.monotonic())))
                except queue.Empty:
                    self.fail("no %r from watch_events; got %r" % (line, seen))

        try:
            wait_for("READY\n")
            ref = self.x.VM.create(vm_record("c-events"))
            wait_for("EVENT vm add %s\n" % ref)
            self.x.VM.set_name_label(ref, "c-events renamed")
            wait_for("EVENT vm mod %s\n" % ref)
            self.x.VM.destroy(ref)
            wait_for("EVENT vm del %s\n" % ref)
            self.assertEqual(proc.wait(timeout=60), 0, proc.stderr.read())
            wait_for("DONE added=1 modified=1 deleted=1\n")
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        # valid_ref_counts: the VMs there are, once the new one is gone again
        counts = re.findall(r"^COUNT vm (\d+)$", "".join(seen), re.M)
        self.assertEqual(int(counts[-1]), len(self.x.VM.get_all()))

    # ---- upstream's SDK programs: their calls, their way ----

    def test_upstream_sdk_api_surface(self):
        sr_name = self.x.SR.get_name_label(harness.usable_sr(self.x))
        before = set(self.x.VM.get_all())
        p = self.prog("sdk_compat", sr_name, valgrind=self.valgrind_usable(), timeout=900)
        out = p.stdout
        self.assertIn("STEP failure 1 HANDLE_INVALID\n", out)
        self.assertRegex(out, r"STEP host brand=xapi-c bootloaders=\d+ capabilities=[1-9]")
        templates = [r for r in self.x.VM.get_all_records().values() if r["is_a_template"]]
        self.assertIn("STEP templates %d\n" % len(templates), out)
        self.assertRegex(out, r"STEP clone allowed=[1-9]\d* blocked=pool_migrate:123\n")
        self.assertIn("STEP control_domain Running\n", out)
        self.assertIn("STEP name NewVM <&>\n", out)
        self.assertRegex(out, r"STEP created vm=[0-9a-f-]{36} vdi=[0-9a-f-]{36} vbd=[0-9a-f-]{36}\n")
        self.assertIn("STEP blob mime_type=test\n", out)
        states = re.findall(r"^STEP power_state (\S+)$", out, re.M)
        self.assertEqual(states, ["Halted", "Running", "Suspended", "Running", "Halted"])
        self.assertIn("STEP task failure VM_BAD_POWER_STATE\n", out)
        self.assertIn("STEP events vm_mod=1\n", out)
        # The session argument went out as its id: the server's own answer to
        # the call, the same as a Python client's with the same arguments.
        vm = self.x.VM.get_by_name_label("Other install media")[0]
        try:
            self.x.VM.assert_can_be_recovered(vm, self.session.handle)
            self.assertIn("STEP recover ok\n", out)
        except harness.Failure as e:
            want = e.details + [""]
            self.assertIn("STEP recover %s %s\n" % (want[0], want[1]), out)
        self.assertIn("DONE failed=0\n", out)
        self.assertEqual(p.stderr.strip(), "")
        # everything it made is gone again
        self.assertEqual(set(self.x.VM.get_all()), before)

    # ---- the libcurl transport over https ----

    def curl_client(self, *args, url=None, check=True):
        return self.prog("curl_client", *args, address=url or self.daemon.tls_url,
                         valgrind=self.valgrind_usable(), check=check)

    def check_curl_client_out(self, out):
        lines = out.splitlines()
        host = self.x.host.get_all()[0]
        pool = self.x.pool.get_all()[0]
        self.assertEqual(lines[0], "HOST " + self.x.host.get_name_label(host))
        self.assertEqual(lines[1], "POOL " + self.x.pool.get_name_label(pool))
        self.assertRegex(lines[2], r"^VMS \d+$")
        self.assertRegex(lines[3], r"^CREATED [0-9a-f-]{36}$")
        self.assertEqual(lines[4:], ["LOGGED_OUT"])
        self.assertFailure(["UUID_INVALID", "VM", lines[3].split()[1]], self.x.VM.get_by_uuid,
                           lines[3].split()[1])

    def test_curl_transport_over_https_without_checks(self):
        self.check_curl_client_out(self.curl_client("--insecure").stdout)
        # and over plain http, the same program
        self.check_curl_client_out(self.curl_client(url=self.daemon.url).stdout)

    def test_curl_transport_over_https_trusting_the_hosts_certificate(self):
        from test_tls import make_cert
        # The host's certificate names 127.0.0.1, where the test reaches it.
        cert, key = make_cert(str(self.tmp), "127.0.0.1",
                              key_args=("-newkey", "rsa:2048", "-addext",
                                        "subjectAltName=IP:127.0.0.1,DNS:localhost"))
        host = self.x.host.get_all()[0]
        self.x.host.install_server_certificate(host, cert, key, "")
        self.addCleanup(self.x.host.reset_server_certificate, host)
        ca = self.tmp / "host.pem"
        ca.write_text(self.x.host.get_server_certificate(host))
        self.check_curl_client_out(self.curl_client("--ca", str(ca)).stdout)
        # the system's CAs do not know it: curl's CURLE_PEER_FAILED_VERIFICATION
        p = self.curl_client(check=False)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr.strip(), "login: ERROR TRANSPORT_FAULT 60")
        # nor does another certificate
        other, _ = make_cert(str(self.tmp), "other")
        (self.tmp / "other.pem").write_text(other)
        p = self.curl_client("--ca", str(self.tmp / "other.pem"), check=False)
        self.assertEqual(p.stderr.strip(), "login: ERROR TRANSPORT_FAULT 60")

    # ---- failures ----

    def test_every_api_failure_round_trips(self):
        codes = [l.strip() for l in (harness.REPO / "clients" / "c" / "api-errors.txt")
                 .read_text().splitlines() if l.strip() and not l.startswith("#")]
        p = self.prog("failures", "HANDLE_INVALID", "SESSION_INVALID", "NOT_A_CODE")
        self.assertIn("FAILURES %d round-tripped, 0 broken" % len(codes), p.stdout)
        self.assertIn("CODE HANDLE_INVALID %d HANDLE_INVALID\n"
                      % sorted(codes).index("HANDLE_INVALID"), p.stdout)
        self.assertIn("CODE SESSION_INVALID %d SESSION_INVALID\n"
                      % sorted(codes).index("SESSION_INVALID"), p.stdout)
        self.assertIn("CODE NOT_A_CODE %d UNDEFINED\n" % len(codes), p.stdout)

    # ---- wrong use: session->ok false and the server's error, never a crash ----

    def wrong_use(self, mode, address=None):
        p = self.prog("wrong_use", mode, address=address, valgrind=self.valgrind_usable())
        first = p.stdout.splitlines()[0]
        self.assertTrue(first.startswith("OK 0 ERROR\t"), p.stdout)
        return first[len("OK 0 ERROR\t"):].split("\t"), p.stdout

    def test_bad_ref_is_the_servers_handle_invalid(self):
        got, out = self.wrong_use("bad-ref")
        want = self.assertFailure("HANDLE_INVALID", self.x.VM.get_name_label,
                                  "OpaqueRef:no-such-vm")
        self.assertEqual(got, want)
        self.assertIn("FAILURE_ENUM HANDLE_INVALID", out)

    def test_logged_out_session_is_session_invalid(self):
        got, _ = self.wrong_use("logged-out")
        self.assertEqual(got[0], "SESSION_INVALID")
        self.assertEqual(len(got), 2)
        self.assertRegex(got[1], r"^OpaqueRef:")
        gone = self.new_session()
        handle = gone.handle
        gone.logout()
        stale = harness.Session(self.daemon.url)
        stale.handle = handle
        self.assertFailure(["SESSION_INVALID", handle], stale.xenapi.VM.get_all)

    def test_wrong_password_is_authentication_failed(self):
        got, _ = self.wrong_use("bad-login")
        want = self.assertFailure("SESSION_AUTHENTICATION_FAILED",
                                  self.x_login, ROOT_USER, "wrong")
        self.assertEqual(got, want)

    def x_login(self, user, pw):
        return harness.Session(self.daemon.url).login_with_password(user, pw, "1.0", "c-test")

    def against_closer(self, answer):
        """wrong_use's login against a server answering that (b"": hanging up)."""
        closer = Closer(answer)
        try:
            got, _ = self.wrong_use("bad-login", address="http://127.0.0.1:%d/" % closer.port)
        finally:
            closer.close()
        return got

    def test_server_closing_the_connection_is_a_transport_fault(self):
        self.assertEqual(self.against_closer(b""), ["TRANSPORT_FAULT", "1"])

    def test_garbage_answer_is_a_server_fault(self):
        got = self.against_closer(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n"
                                  b"<oops>not xml-rpc")
        self.assertEqual(got, ["SERVER_FAULT", "not an XML-RPC response"])

    def test_xmlrpc_fault_is_reported_with_its_code_and_string(self):
        got = self.against_closer(
            b"HTTP/1.1 200 OK\r\n\r\n<?xml version='1.0'?><methodResponse><fault>"
            b"<value><struct><member><name>faultCode</name><value><int>-1</int>"
            b"</value></member><member><name>faultString</name><value>boom</value>"
            b"</member></struct></value></fault></methodResponse>")
        self.assertEqual(got, ["FAULT", "-1", "boom"])


if __name__ == "__main__":
    unittest.main()

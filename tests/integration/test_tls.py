"""HTTPS (--listen-tls): the handshake (TLS 1.2 and 1.3, nothing older),
the self-signed certificate made at first boot, calls from a XenAPI.py
shaped client and JSON-RPC, a VDI transfer, xe over TLS (and --nossl),
host.get_server_certificate / install_ / reset_server_certificate with xapi's
errors, a broken certificate file refused at start, and a client that
speaks plain HTTP to the TLS port dropped without harming the others."""

import http.client
import json
import os
import socket
import ssl
import stat
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

import harness
from harness import ROOT_PASSWORD, ROOT_USER, Xapid, XapidError
from storage_util import MIB, StorageTestCase, pattern
from xenapi_client import Session
from xo_client import xo_call


def unverified(minimum=None, maximum=None):
    ctx = ssl._create_unverified_context()
    if minimum:
        ctx.minimum_version = minimum
    if maximum:
        ctx.maximum_version = maximum
    return ctx


def openssl(*args, stdin=None):
    return subprocess.run(["openssl"] + list(args), input=stdin, capture_output=True,
                          check=True).stdout


def make_cert(tmp, name, key_args=("-newkey", "rsa:2048"), digest="-sha256", days="30",
              key_file=None):
    """A self-signed certificate made with the openssl CLI: (cert, key) PEM."""
    key = os.path.join(tmp, name + ".key")
    crt = os.path.join(tmp, name + ".crt")
    args = ["req", "-x509", "-nodes", digest, "-days", days, "-subj", "/CN=" + name,
            "-keyout", key, "-out", crt]
    if key_file:
        args = ["req", "-x509", digest, "-days", days, "-subj", "/CN=" + name, "-key", key_file,
                "-out", crt]
        key = key_file
    else:
        args += list(key_args)
    openssl(*args)
    with open(crt) as c, open(key) as k:
        return c.read(), k.read()


class TlsTest(StorageTestCase):

    def connect(self, ctx=None):
        raw = socket.create_connection(("127.0.0.1", self.daemon.tls_port), timeout=10)
        return (ctx or unverified()).wrap_socket(raw, server_hostname="127.0.0.1")

    def presented_der(self):
        with self.connect() as s:
            return s.getpeercert(binary_form=True)

    # ---- the handshake ----

    def test_tls12_and_tls13(self):
        for version, name in ((ssl.TLSVersion.TLSv1_2, "TLSv1.2"),
                              (ssl.TLSVersion.TLSv1_3, "TLSv1.3")):
            with self.connect(unverified(version, version)) as s:
                self.assertEqual(s.version(), name)
                s.sendall(b"GET /nothing-here HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                self.assertTrue(s.recv(100).startswith(b"HTTP/1.1 404"))

    def test_older_protocols_refused(self):
        ctx = unverified(ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1)
        try:
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        except ssl.SSLError:
            pass
        with self.assertRaises((ssl.SSLError, ConnectionError)):
            with self.connect(ctx):
                pass

    def test_first_boot_certificate(self):
        path = self.daemon.dir / "xapi-ssl.pem"
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        text = path.read_text()
        self.assertIn("PRIVATE KEY-----", text)
        self.assertIn("-----BEGIN CERTIFICATE-----", text)
        # the one presented is the one in the file and the one the API gives
        host = self.x.host.get_all()[0]
        pem = self.x.host.get_server_certificate(host)
        self.assertEqual(ssl.PEM_cert_to_DER_cert(pem), self.presented_der())
        self.assertIn(pem.strip(), text)
        info = openssl("x509", "-noout", "-subject", "-ext", "subjectAltName",
                       stdin=pem.encode()).decode()
        self.assertIn("CN = " + socket.gethostname(), info)
        self.assertIn("DNS:" + socket.gethostname(), info)
        self.assertFailure(["HANDLE_INVALID", "host", "OpaqueRef:NULL"],
                           self.x.host.get_server_certificate, "OpaqueRef:NULL")

    # ---- clients ----

    def test_xenapi_session_over_https(self):
        # as XenAPI.Session("https://...", ignore_ssl=True)
        s = Session(self.daemon.tls_url, ignore_ssl=True)
        s.login_with_password(ROOT_USER, ROOT_PASSWORD, "1.0", "it-tls")
        try:
            x = s.xenapi
            vm = x.VM.create(harness.vm_record("tls-vm"))
            self.assertEqual(x.VM.get_name_label(vm), "tls-vm")
            # the same session works on the plain listener: one server
            self.assertEqual(self.x.VM.get_name_label(vm), "tls-vm")
            x.VM.destroy(vm)
        finally:
            s.logout()
        # verification on fails against the self-signed certificate
        strict = Session(self.daemon.tls_url)
        with self.assertRaises(ssl.SSLCertVerificationError):
            strict.login_with_password(ROOT_USER, ROOT_PASSWORD)

    def test_jsonrpc_over_https(self):
        conn = http.client.HTTPSConnection("127.0.0.1", self.daemon.tls_port, timeout=30,
                                           context=unverified())
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "session.login_with_password",
                           "params": [ROOT_USER, ROOT_PASSWORD]})
        conn.request("POST", "/jsonrpc", body, {"Content-Type": "application/json"})
        resp = conn.getresponse()
        self.assertEqual(resp.status, 200)
        sess = json.loads(resp.read())["result"]
        # keep-alive: a second call on the same TLS connection
        body = json.dumps({"jsonrpc": "2.0", "id": 2, "method": "pool.get_all", "params": [sess]})
        conn.request("POST", "/jsonrpc", body, {"Content-Type": "application/json"})
        self.assertEqual(json.loads(conn.getresponse().read())["result"], self.x.pool.get_all())
        conn.close()

    def check_xo_answer(self, got):
        """xo_call.mjs made and destroyed a VM and logged out."""
        self.assertNotIn("error", got)
        self.assertEqual(got["pool"], self.x.pool.get_name_label(self.x.pool.get_all()[0]))
        self.assertEqual(got["label"], "xo <&> vm")
        self.assertFailure(["HANDLE_INVALID", "VM", got["vm"]], self.x.VM.get_name_label,
                           got["vm"])
        # its disconnect() logged the session out
        stale = harness.Session(self.daemon.url)
        stale.handle = got["session"]
        self.assertFailure(["SESSION_INVALID", got["session"]], stale.xenapi.pool.get_all)

    def test_xen_orchestra_client_over_https(self):
        # XO's own client (npm xen-api), certificate checks off as XO's
        # "allow unauthorized", over both of its transports
        for transport in ("xml-rpc", "json-rpc", "auto"):
            with self.subTest(transport=transport):
                self.check_xo_answer(xo_call(self.daemon.tls_url, ROOT_USER, ROOT_PASSWORD,
                                             transport))
        # checks on: the first-boot certificate is self-signed
        got = xo_call(self.daemon.tls_url, ROOT_USER, ROOT_PASSWORD, insecure=False)
        self.assertEqual(got, {"error": "DEPTH_ZERO_SELF_SIGNED_CERT"})
        # a wrong password is xapi's error, over TLS too
        got = xo_call(self.daemon.tls_url, ROOT_USER, "wrong")
        self.assertEqual(got["error"], "SESSION_AUTHENTICATION_FAILED")

    def test_vdi_transfer_over_https(self):
        sr, _ = self.create_sr("tls-sr")
        vdi = self.create_vdi(sr, 4 * MIB)
        data = pattern(4 * MIB, 7)
        q = urllib.parse.urlencode({"vdi": vdi, "session_id": self.session.handle})
        conn = http.client.HTTPSConnection("127.0.0.1", self.daemon.tls_port, timeout=60,
                                           context=unverified())
        conn.request("PUT", "/import_raw_vdi?" + q, data)
        resp = conn.getresponse()
        resp.read()
        self.assertEqual(resp.status, 200)
        conn.close()
        conn = http.client.HTTPSConnection("127.0.0.1", self.daemon.tls_port, timeout=60,
                                           context=unverified())
        conn.request("GET", "/export_raw_vdi?" + q)
        resp = conn.getresponse()
        self.assertEqual(resp.status, 200)
        self.assertTrue(resp.read() == data)
        conn.close()

    def xe(self, *args):
        return subprocess.run([str(harness.build_dir() / "xe")] + list(args), capture_output=True,
                              text=True, timeout=60)

    def test_xe_over_tls(self):
        creds = ["-u", ROOT_USER, "-pw", ROOT_PASSWORD]
        p = self.xe("-s", "127.0.0.1", "-p", str(self.daemon.tls_port), *creds, "pool-list",
                    "--minimal")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.strip(), self.x.pool.get_uuid(self.x.pool.get_all()[0]))
        # https is the default: the plain port does not answer a handshake
        p = self.xe("-s", "127.0.0.1", "-p", str(self.daemon.port), *creds, "pool-list")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("TLS handshake failed", p.stderr)
        p = self.xe("--nossl", "-s", "127.0.0.1", "-p", str(self.daemon.port), *creds,
                    "pool-list", "--minimal")
        self.assertEqual(p.returncode, 0, p.stderr)
        # --nossl against the TLS port: no HTTP answer comes back
        p = self.xe("--nossl", "-s", "127.0.0.1", "-p", str(self.daemon.tls_port), *creds,
                    "pool-list")
        self.assertNotEqual(p.returncode, 0)

    # ---- hostile and broken clients ----

    def test_plain_http_on_tls_port_dropped(self):
        s = socket.create_connection(("127.0.0.1", self.daemon.tls_port), timeout=10)
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789")
        got = b""
        try:
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
        except ConnectionResetError:
            pass
        s.close()
        self.assertNotIn(b"HTTP/1.1", got)
        # silent connections that never finish a handshake hold nobody up
        idle = [socket.create_connection(("127.0.0.1", self.daemon.tls_port)) for _ in range(20)]
        try:
            t0 = time.monotonic()
            s = Session(self.daemon.tls_url, ignore_ssl=True)
            s.login_with_password(ROOT_USER, ROOT_PASSWORD)
            s.xenapi.pool.get_all()
            s.logout()
            self.assertLess(time.monotonic() - t0, 10.0)
        finally:
            for c in idle:
                c.close()
        self.daemon.check_alive()

    def test_concurrent_clients(self):
        errors = []

        def client(i):
            try:
                s = Session(self.daemon.tls_url, ignore_ssl=True)
                s.login_with_password(ROOT_USER, ROOT_PASSWORD)
                for _ in range(20):
                    s.xenapi.pool.get_all()
                s.logout()
            except Exception as e:  # reported below
                errors.append(repr(e))

        threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])


class InstallCertificateTest(StorageTestCase):
    """host.install_server_certificate: checked as xapi's gencert, written to
    the certificate file, served to new connections, kept over a restart."""

    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="xapid-it-tls-")
        self.addCleanup(subprocess.run, ["rm", "-rf", self.tmp])
        self.host = self.x.host.get_all()[0]

    def presented_der(self):
        raw = socket.create_connection(("127.0.0.1", self.daemon.tls_port), timeout=10)
        with unverified().wrap_socket(raw) as s:
            return s.getpeercert(binary_form=True)

    def test_install_and_serve(self):
        cert, key = make_cert(self.tmp, "installed")
        ca, _ = make_cert(self.tmp, "some-ca")
        self.x.host.install_server_certificate(self.host, cert, key, ca)
        self.assertEqual(self.presented_der(), ssl.PEM_cert_to_DER_cert(cert))
        self.assertEqual(ssl.PEM_cert_to_DER_cert(self.x.host.get_server_certificate(self.host)),
                         ssl.PEM_cert_to_DER_cert(cert))
        # the file holds key, leaf and chain, and a restart serves it again
        text = (self.daemon.dir / "xapi-ssl.pem").read_text()
        self.assertEqual(text.count("-----BEGIN CERTIFICATE-----"), 2)
        self.restart_daemon()
        self.assertEqual(self.presented_der(), ssl.PEM_cert_to_DER_cert(cert))
        # an empty chain is no chain
        cert2, key2 = make_cert(self.tmp, "second")
        self.x.host.install_server_certificate(self.host, cert2, key2, "")
        self.assertEqual(self.presented_der(), ssl.PEM_cert_to_DER_cert(cert2))

    def test_clients_trusting_the_installed_certificate(self):
        # XO's xen-api with verification on, trusting the host's
        # certificate (made for the address it uses: NODE_EXTRA_CA_CERTS)
        cert, key = make_cert(self.tmp, "127.0.0.1",
                              key_args=("-newkey", "rsa:2048", "-addext",
                                        "subjectAltName=IP:127.0.0.1,DNS:localhost"))
        self.x.host.install_server_certificate(self.host, cert, key, "")
        ca = os.path.join(self.tmp, "host.pem")
        with open(ca, "w") as f:
            f.write(self.x.host.get_server_certificate(self.host))
        got = xo_call(self.daemon.tls_url, ROOT_USER, ROOT_PASSWORD, insecure=False,
                      extra_ca=ca)
        self.assertNotIn("error", got)
        self.assertEqual(got["label"], "xo <&> vm")
        # and an untrusted one is still refused
        other, _ = make_cert(self.tmp, "other")
        with open(os.path.join(self.tmp, "other.pem"), "w") as f:
            f.write(other)
        got = xo_call(self.daemon.tls_url, ROOT_USER, ROOT_PASSWORD, insecure=False,
                      extra_ca=os.path.join(self.tmp, "other.pem"))
        self.assertIn(got.get("error"), ("DEPTH_ZERO_SELF_SIGNED_CERT",
                                         "UNABLE_TO_VERIFY_LEAF_SIGNATURE"))

    def test_reset_to_self_signed(self):
        cert, key = make_cert(self.tmp, "to-be-replaced")
        self.x.host.install_server_certificate(self.host, cert, key, "")
        self.assertEqual(self.presented_der(), ssl.PEM_cert_to_DER_cert(cert))
        self.x.host.reset_server_certificate(self.host)
        fresh = self.x.host.get_server_certificate(self.host)
        self.assertNotEqual(ssl.PEM_cert_to_DER_cert(fresh), ssl.PEM_cert_to_DER_cert(cert))
        self.assertEqual(self.presented_der(), ssl.PEM_cert_to_DER_cert(fresh))
        info = openssl("x509", "-noout", "-subject", "-issuer", stdin=fresh.encode()).decode()
        self.assertIn("subject=CN = " + socket.gethostname(), info)
        self.assertIn("issuer=CN = " + socket.gethostname(), info)   # self-signed
        self.assertFailure(["HANDLE_INVALID", "host", "OpaqueRef:NULL"],
                           self.x.host.reset_server_certificate, "OpaqueRef:NULL")

    def test_bad_inputs(self):
        cert, key = make_cert(self.tmp, "good")
        other_cert, other_key = make_cert(self.tmp, "other")
        ec_cert, ec_key = make_cert(self.tmp, "ec", key_args=("-newkey", "ec",
                                                              "-pkeyopt", "ec_paramgen_curve:P-256"))
        small_cert, small_key = make_cert(self.tmp, "small", key_args=("-newkey", "rsa:1024"))
        sha1_cert, _ = make_cert(self.tmp, "sha1", digest="-sha1",
                                 key_file=os.path.join(self.tmp, "good.key"))
        install = self.x.host.install_server_certificate
        self.assertFailure(["SERVER_CERTIFICATE_KEY_INVALID"], install, self.host, cert,
                           "not a key", "")
        self.assertFailure(["SERVER_CERTIFICATE_KEY_ALGORITHM_NOT_SUPPORTED", "EC"], install,
                           self.host, ec_cert, ec_key, "")
        self.assertFailure(["SERVER_CERTIFICATE_KEY_RSA_LENGTH_NOT_SUPPORTED", "1024"], install,
                           self.host, small_cert, small_key, "")
        self.assertFailure(["SERVER_CERTIFICATE_INVALID"], install, self.host, "not a cert",
                           key, "")
        self.assertFailure(["SERVER_CERTIFICATE_KEY_MISMATCH"], install, self.host, other_cert,
                           key, "")
        self.assertFailure(["SERVER_CERTIFICATE_SIGNATURE_NOT_SUPPORTED"], install, self.host,
                           sha1_cert, key, "")
        self.assertFailure(["SERVER_CERTIFICATE_CHAIN_INVALID"], install, self.host, cert, key,
                           "not a chain")
        self.assertFailure(["HANDLE_INVALID", "host", "OpaqueRef:NULL"], install,
                           "OpaqueRef:NULL", cert, key, "")
        # nothing of it was taken
        self.assertNotEqual(self.presented_der(), ssl.PEM_cert_to_DER_cert(cert))

    def dated_cert(self, name, start, end):
        """A self-signed certificate valid from start to end (openssl ca
        -selfsign takes explicit dates): (cert, key) PEM."""
        d = os.path.join(self.tmp, name)
        os.makedirs(d)
        with open(os.path.join(d, "ca.conf"), "w") as f:
            f.write("[ca]\ndefault_ca=d\n[d]\ndatabase=%s/index.txt\nnew_certs_dir=%s\n"
                    "serial=%s/serial\npolicy=p\ndefault_md=sha256\n[p]\ncommonName=supplied\n"
                    % (d, d, d))
        open(os.path.join(d, "index.txt"), "w").close()
        with open(os.path.join(d, "serial"), "w") as f:
            f.write("01\n")
        key, csr, crt = (os.path.join(d, n) for n in ("k.pem", "csr.pem", "crt.pem"))
        openssl("req", "-new", "-nodes", "-newkey", "rsa:2048", "-keyout", key, "-subj",
                "/CN=" + name, "-out", csr)
        openssl("ca", "-batch", "-notext", "-selfsign", "-keyfile", key, "-in", csr, "-out", crt,
                "-startdate", start, "-enddate", end, "-config", os.path.join(d, "ca.conf"))
        with open(crt) as c, open(key) as k:
            return c.read(), k.read()

    def test_expired_and_not_yet_valid(self):
        install = self.x.host.install_server_certificate
        cert, key = self.dated_cert("expired", "20200101000000Z", "20210101000000Z")
        try:
            install(self.host, cert, key, "")
            self.fail("an expired certificate was installed")
        except harness.Failure as e:
            self.assertEqual(e.details[0], "SERVER_CERTIFICATE_EXPIRED")
            self.assertRegex(e.details[1], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
            self.assertEqual(e.details[2:], ["2021-01-01T00:00:00Z"])
        cert, key = self.dated_cert("future", "20990101000000Z", "21000101000000Z")
        try:
            install(self.host, cert, key, "")
            self.fail("a certificate not valid yet was installed")
        except harness.Failure as e:
            self.assertEqual(e.details[0], "SERVER_CERTIFICATE_NOT_VALID_YET")
            self.assertEqual(e.details[2:], ["2099-01-01T00:00:00Z"])


class StartupTest(unittest.TestCase):

    def test_bad_certificate_file_refused(self):
        tmp = tempfile.mkdtemp(prefix="xapid-it-badcert-")
        self.addCleanup(subprocess.run, ["rm", "-rf", tmp])
        bad = os.path.join(tmp, "bad.pem")
        with open(bad, "w") as f:
            f.write("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
        d = Xapid(config={"tls_cert": bad}, name="badcert")
        self.addCleanup(d.cleanup)
        with self.assertRaises(XapidError) as cm:
            d.start(timeout=20)
        self.assertIn("xapid: TLS certificate: no usable certificate in %s" % bad, str(cm.exception))
        with open(bad) as f:  # never replaced by a self-signed one
            self.assertIn("not base64", f.read())

    def test_no_tls_listener(self):
        d = Xapid(name="notls")
        self.addCleanup(d.cleanup)
        d.tls = False
        d.start(timeout=20)
        try:
            self.assertIsNone(d.tls_port)
            self.assertNotIn("xapid TLS ready", d.log_text())
            self.assertFalse((d.dir / "xapi-ssl.pem").exists())
        finally:
            d.stop()


if __name__ == "__main__":
    unittest.main()

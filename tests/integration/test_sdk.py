"""The plugin SDK from a vendor's side: the SDK installed from the source tree
(configure --prefix=<tmp> in a temp build dir, then `make install-data
install-libLIBRARIES install-mockexecPROGRAMS`, the parts of `make install`
that put the headers, xapi-plugin.pc, xapi-plugin-mock.pc, the mock host's
libxapi-plugin-mock.a, xapi-plugin-call and the plugins in place), the three examples of sdk/examples built out of
tree with their plain Makefiles and nothing but `pkg-config xapi-plugin`,
their unit tests run by `make check` against the installed mock host (no
xapid), then the SR example enabled in a running xapid (plugins.d + rescan): its SM
record, `xe sr-create type=example`, `xe vdi-create`, data through
import/export, `xe sr-destroy`."""

import hashlib
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
from pathlib import Path

import harness
from harness import DaemonTestCase, ROOT_PASSWORD, ROOT_USER, UUID_RE

EXAMPLES = {"sr-example": "example.so", "net-example": "net_example.so",
            "metrics-example": "metrics_example.so"}


def run(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=kw.pop("timeout", 300), **kw)
    if p.returncode != 0:
        raise AssertionError("%s: exit %d\n%s" % (" ".join(map(str, cmd)), p.returncode,
                                                  p.stdout[-3000:]))
    return p.stdout


def abi_of_header():
    text = (harness.REPO / "sdk" / "include" / "xapi" / "plugin.h").read_text()
    major = re.search(r"^#define XAPI_ABI_MAJOR (\d+)$", text, re.M).group(1)
    minor = re.search(r"^#define XAPI_ABI_MINOR (\d+)$", text, re.M).group(1)
    return "%s.%s" % (major, minor)


class SdkTest(DaemonTestCase):
    """One SDK install and example build for the class; a daemon with no
    plugins enabled at start."""

    @classmethod
    def setUpClass(cls):
        configure = harness.REPO / "configure"
        if not os.access(configure, os.X_OK):
            raise AssertionError("no %s (tools/build makes it)" % configure)
        cls.tmp = Path(tempfile.mkdtemp(prefix="xapid-it-sdk-"))
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        cls.prefix = cls.tmp / "prefix"
        build = cls.tmp / "build"
        build.mkdir()
        run([str(configure), "--prefix=%s" % cls.prefix], cwd=build)
        # the SDK's parts only: install-data would also generate and build
        # the C bindings (clients/c), minutes on a loaded machine
        run(["make", "-j2", "install-xapiincludeHEADERS", "install-pkgconfigDATA",
             "install-libLIBRARIES", "install-mockexecPROGRAMS"], cwd=build)
        cls.env = dict(os.environ, PKG_CONFIG_PATH=str(cls.prefix / "lib" / "pkgconfig"))
        cls.built = {}
        for ex, so in EXAMPLES.items():
            d = cls.tmp / ex
            shutil.copytree(harness.REPO / "sdk" / "examples" / ex, d)
            cls.make_out = run(["make"], cwd=d, env=cls.env)
            cls.built[ex] = d / so
        super().setUpClass()

    def xe(self, *args):
        cmd = [str(harness.xapid_binary().parent / "xe"), "--socket", self.daemon.socket_path]
        if os.geteuid() != 0:
            cmd += ["-u", ROOT_USER, "-pw", ROOT_PASSWORD]
        p = subprocess.run(cmd + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=120)
        if p.returncode != 0:
            self.fail("xe %s: exit %d\n%s%s" % (" ".join(args), p.returncode, p.stdout,
                                                 p.stderr))
        return p.stdout.strip()

    def enable(self, name, path):
        self.daemon.write_plugin_conf(name, {"path": str(path)})
        host = self.x.session.get_this_host(self.session.handle)
        self.x.host.call_plugin(host, "xapi-c", "rescan_plugins", {})

    def test_conformance_kit_passes_on_the_example(self):
        self.enable("example", self.built["sr-example"])
        kit = harness.REPO / "sdk" / "conformance" / "xapi-sr-conformance"
        p = subprocess.run([sys.executable, str(kit), "--type", "example", "--url",
                            self.daemon.url, "-u", ROOT_USER, "-pw", ROOT_PASSWORD,
                            "--device-config", "path=%s" % (self.tmp / "conformance"),
                            "--size-mib", "8"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=600)
        self.assertEqual(p.returncode, 0, p.stdout)
        # what the example does not claim is checked as refused
        for name in ("sr.probe.before", "vdi.snapshot", "vdi.clone"):
            self.assertRegex(p.stdout, r"(?m)^PASS  %s: not claimed: refused$" % re.escape(name))
        self.assertRegex(p.stdout, r"(?m)^PASS  vdi.data.roundtrip: ")
        self.assertRegex(p.stdout, r"conformance: example: \d+ passed, 0 failed")

    # ---- the install ----

    def test_install_holds_the_sdk(self):
        for h in ("plugin.h", "storage.h", "network.h", "metrics.h", "mock.h"):
            self.assertTrue((self.prefix / "include" / "xapi" / h).is_file(), h)
        for name in ("xapi-plugin.pc", "xapi-plugin-mock.pc"):
            pc = self.prefix / "lib" / "pkgconfig" / name
            self.assertTrue(pc.is_file(), name)
            self.assertNotIn("@", pc.read_text(), "unsubstituted variable in %s" % name)
        self.assertTrue((self.prefix / "lib" / "libxapi-plugin-mock.a").is_file())
        self.assertTrue(os.access(self.prefix / "bin" / "xapi-plugin-call", os.X_OK))

    # ---- the examples' own unit tests, with the installed mock host ----

    def test_mock_pkg_config_answers(self):
        out = run(["pkg-config", "--cflags", "--libs", "xapi-plugin-mock"], env=self.env).split()
        self.assertIn("-I%s" % (self.prefix / "include"), out)
        self.assertIn("-L%s" % (self.prefix / "lib"), out)
        self.assertIn("-lxapi-plugin-mock", out)

    def test_examples_unit_tests_pass_without_xapid(self):
        for ex, test in (("sr-example", "test_sr_example"), ("net-example", "test_net_example"),
                         ("metrics-example", "test_metrics_example")):
            with self.subTest(ex):
                out = run(["make", "check"], cwd=self.tmp / ex, env=self.env)
                self.assertRegex(out, r"%s: [1-9]\d* checks, 0 failed" % test)

    def test_plugin_call_runs_one_op_by_hand(self):
        """xapi-plugin-call: one op of the example driver, no xapid, what it
        emitted printed; a failing op exits 1 with the driver's error."""
        tool = str(self.prefix / "bin" / "xapi-plugin-call")
        so = str(self.built["sr-example"])
        sr = self.tmp / "by-hand"
        out = run([tool, so, "sr_create", "dc.path=%s" % sr, "sr.uuid=5e4b2c1a-0000-4000-8000-0000000000c1"])
        self.assertRegex(out, r"(?m)^sr: uuid=5e4b2c1a-0000-4000-8000-0000000000c1 .*physical_size=[1-9]")
        self.assertRegex(out, r"(?m)^status: 0 \(XAPI_OK\)$")
        self.assertTrue(sr.is_dir())
        uuid = "5e4b2c1a-0000-4000-8000-0000000000d1"
        run([tool, so, "vdi_create", "dc.path=%s" % sr, "size=4096", "want.uuid=%s" % uuid])
        out = run([tool, so, "vdi_attach", "dc.path=%s" % sr, "location=%s.raw" % uuid])
        self.assertIn("datapath=file://%s/%s.raw" % (sr, uuid), out)
        p = subprocess.run([tool, so, "vdi_resize", "dc.path=%s" % sr, "location=%s.raw" % uuid,
                            "size=0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertRegex(p.stdout, r"(?m)^error: SR_BACKEND_FAILURE 79 VDI Invalid size")
        self.assertNotIn("driver bug", p.stdout)
        p = subprocess.run([tool, so, "vdi_snapshot"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("example has no vdi_snapshot op", p.stdout)
        out = run([tool, str(self.built["metrics-example"]), "collect"])
        self.assertRegex(out, r"(?m)^sample: example_loadavg owner=\(host\) value=")

    def test_example_unit_test_catches_a_broken_driver(self):
        """The SR example's test is real: a driver whose sr_attach forgets
        its emit_sr fails it (the mock's ABI check and the test's own)."""
        d = self.tmp / "broken-sr-example"
        shutil.copytree(harness.REPO / "sdk" / "examples" / "sr-example", d)
        src = d / "sr_example.c"
        text = src.read_text()
        broken = text.replace("""		return xapi_fail(ex->host, call, NULL, E_SR_UNAVAILABLE,
				 "The SR is not available: %s is not a directory", dir);
	return emit_space(ex, call, sr->uuid, dir);""", """		return xapi_fail(ex->host, call, NULL, E_SR_UNAVAILABLE,
				 "The SR is not available: %s is not a directory", dir);
	return XAPI_OK;""")
        self.assertNotEqual(text, broken, "the patch applies to sr_example.c")
        src.write_text(broken)
        p = subprocess.run(["make", "check"], cwd=d, env=self.env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=300)
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertIn("sr_attach: sr_attach returned XAPI_OK without emit_sr()", p.stdout)
        self.assertIn("... emits the SR's space", p.stdout)

    def test_pkg_config_answers(self):
        out = run(["pkg-config", "--cflags", "--libs", "xapi-plugin"], env=self.env).strip()
        self.assertEqual(out, "-I%s" % (self.prefix / "include"))
        out = run(["pkg-config", "--variable=abi_version", "xapi-plugin"], env=self.env).strip()
        self.assertEqual(out, abi_of_header())
        out = run(["pkg-config", "--variable=plugindir", "xapi-plugin"], env=self.env).strip()
        self.assertEqual(out, str(self.prefix / "lib" / "xapi-c" / "plugins"))

    def test_examples_export_one_symbol(self):
        for ex, so in self.built.items():
            with self.subTest(ex):
                self.assertTrue(so.is_file())
                syms = run(["nm", "-D", "--defined-only", str(so)]).split()
                self.assertEqual([s for s in syms if not re.fullmatch(r"[0-9a-f]+|T", s)],
                                 ["xapi_plugin_init"])

    def test_makefile_needs_the_sdk(self):
        d = self.tmp / "no-sdk"
        shutil.copytree(harness.REPO / "sdk" / "examples" / "sr-example", d)
        env = dict(os.environ, PKG_CONFIG_PATH=str(self.tmp / "nowhere"),
                   PKG_CONFIG_LIBDIR=str(self.tmp / "nowhere"))
        p = subprocess.run(["make"], cwd=d, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("pkg-config xapi-plugin fails", p.stdout)

    # ---- loaded into xapid ----

    def test_examples_load_into_a_running_xapid(self):
        for ex, name in (("net-example", "net_example"), ("metrics-example", "metrics_example"),
                         ("sr-example", "example")):
            self.enable(name, self.built[ex])
        # the log file is filled by a harness thread: wait for all three lines
        # (an earlier test may have loaded "example" into this daemon already)
        deadline = time.monotonic() + 20
        while (not all("plugin %s: loaded " % n in self.daemon.log_text()
                       for n in ("example", "net_example", "metrics_example"))
               and time.monotonic() < deadline):
            time.sleep(0.05)
        log = self.daemon.log_text()
        for name in ("example", "net_example", "metrics_example"):
            self.assertRegex(log, r"plugin %s: loaded " % name)
            self.assertNotRegex(log, r"plugin %s .*refused" % name)
        sms = [r for r in self.x.SM.get_all_records().values() if r["type"] == "example"]
        self.assertEqual(len(sms), 1, "one SM record of type example")
        sm = sms[0]
        self.assertEqual(sm["vendor"], "Example Vendor")
        self.assertEqual(sm["version"], "1.0")
        self.assertEqual(sorted(sm["capabilities"]),
                         ["VDI_ATTACH", "VDI_CREATE", "VDI_DELETE", "VDI_DETACH", "VDI_RESIZE"])
        self.assertIn("path", sm["configuration"])
        self.assertEqual(self.xe("sm-list", "type=example", "params=vendor", "--minimal"),
                         "Example Vendor")

        # from an empty directory to xe sr-create type=example
        path = self.tmp / "example-sr"
        sr_uuid = self.xe("sr-create", "type=example", "name-label=sdk example",
                          "device-config:path=%s" % path)
        self.assertRegex(sr_uuid, UUID_RE)
        sr = self.x.SR.get_by_uuid(sr_uuid)
        self.assertEqual(self.x.SR.get_type(sr), "example")
        pbds = self.x.SR.get_PBDs(sr)
        self.assertEqual(len(pbds), 1)
        self.assertTrue(self.x.PBD.get_currently_attached(pbds[0]))
        self.assertTrue(path.is_dir())

        vdi_uuid = self.xe("vdi-create", "sr-uuid=%s" % sr_uuid, "name-label=disk0",
                           "virtual-size=4MiB")
        vdi = self.x.VDI.get_by_uuid(vdi_uuid)
        loc = self.x.VDI.get_location(vdi)
        self.assertEqual(os.path.getsize(path / loc), 4 << 20)
        self.assertEqual(self.x.VDI.get_virtual_size(vdi), str(4 << 20))

        # data through the file:// datapath
        data = hashlib.sha256(b"sdk").digest() * ((4 << 20) // 32)
        self.transfer("PUT", "import_raw_vdi", vdi, data)
        self.assertEqual(self.transfer("GET", "export_raw_vdi", vdi), data)
        self.assertEqual((path / loc).read_bytes(), data)

        # what it does not claim is refused
        with self.assertRaises(harness.Failure) as cm:
            self.x.VDI.snapshot(vdi, {})
        self.assertEqual(cm.exception.code, "SR_OPERATION_NOT_SUPPORTED")

        self.xe("vdi-destroy", "uuid=%s" % vdi_uuid)
        self.assertFalse((path / loc).exists())
        self.xe("pbd-unplug", "uuid=%s" % self.x.PBD.get_uuid(pbds[0]))
        self.xe("sr-destroy", "uuid=%s" % sr_uuid)
        self.assertFalse(path.exists())

    def transfer(self, method, what, vdi, body=None):
        q = urllib.parse.urlencode({"vdi": vdi, "session_id": self.session.handle})
        c = http.client.HTTPConnection("127.0.0.1", self.daemon.port, timeout=120)
        try:
            c.request(method, "/%s?%s" % (what, q), body=body)
            r = c.getresponse()
            out = r.read()
            self.assertEqual(r.status, 200, out[:300])
            return out
        finally:
            c.close()


if __name__ == "__main__":
    unittest.main()

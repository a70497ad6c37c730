"""The layout of the tree (doc/architecture.md, "Folders") holds: clients and
plugins reach nothing of the daemon, lib/ needs nothing of core/, a core
subsystem uses another only through that one's public header, and xe links
libxapi-common and nothing of the daemon.

The include checks read the sources; the link checks read the binaries of
the build under test (ldd, nm)."""
import os
import re
import shutil
import subprocess
import unittest

import harness

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The one header of each core/ subsystem that the others may include.
PUBLIC = {
    "api": "api/api.h",
    "auth": "auth/session.h",
    "datapath": "datapath/vdi_data.h",
    "db": "db/db.h",
    "events": "events/events.h",
    "generic": "generic/generic.h",
    "host": "host/firstboot.h",
    "http": "http/http.h",
    "hv": "hv/hv.h",
    "loader": "loader/plugins.h",
    "metrics": "metrics/metrics.h",
    "network": "network/network.h",
    "rbac": "rbac/rbac.h",
    "rpc": "rpc/rpc.h",
    "storage": "storage/storage.h",
    "tasks": "tasks/tasks.h",
    "tls": "tls/tls.h",
    "transfer": "transfer/transfer.h",
}
# Libraries that belong to the daemon alone: a client linking one of them
# has reached into the daemon.
DAEMON_LIBS = ("libsqlite3", "libpam", "libxen", "libnbd", "libcrypt.")
# Symbol prefixes of daemon modules: one of them defined in xe means a
# daemon source file is in its link line.
DAEMON_SYMBOLS = ("xd_db_", "xd_rpc_", "xd_session_", "xd_hv_", "xd_plugins_", "xd_storage_",
                  "xd_task", "xd_http_", "xd_generic_", "xd_config_", "xd_firstboot")

INCLUDE = re.compile(r'^\s*#\s*include\s+([<"])([^>"]+)[>"]', re.M)


def sources(*dirs):
    for d in dirs:
        for root, _, files in os.walk(os.path.join(TOP, d)):
            for f in files:
                if f.endswith((".c", ".h")):
                    yield os.path.join(root, f)


def includes(path):
    with open(path, encoding="utf-8", errors="replace") as fh:
        return INCLUDE.findall(fh.read())


def headers_under(d):
    return {os.path.relpath(p, os.path.join(TOP, d)) for p in sources(d) if p.endswith(".h")}


def core_violations(path, incs, core_headers):
    """The includes of a core/ file that reach into another subsystem
    other than through its public header."""
    rel = os.path.relpath(path, os.path.join(TOP, "core"))
    own = rel.split(os.sep)[0] if os.sep in rel else None
    bad = []
    for kind, name in incs:
        if kind != '"' or name not in core_headers or os.sep not in name:
            continue  # lib/ headers, the top-level config.h, same-folder names
        sub = name.split("/")[0]
        if sub != own and PUBLIC.get(sub) != name:
            bad.append(name)
    return bad


def client_violations(path, incs, core_headers, lib_headers, may_use_lib):
    """The includes of a client or plugin file that name a daemon header
    (or, for plugins and the SDK, a lib/ one: they see <xapi/...> only)."""
    here = os.path.dirname(path)
    bad = []
    for kind, name in incs:
        if kind == '"' and os.path.exists(os.path.join(here, name)):
            base = os.path.normpath(os.path.join(here, name))
            if not base.startswith(os.path.join(TOP, "core")) and \
                    not base.startswith(os.path.join(TOP, "lib")):
                continue  # its own folder's header
        # a bare name may be found through an -I of any folder; a name with a
        # folder part (<xapi/storage.h>) only where that path is
        bare = "/" not in name
        in_core = name in core_headers or \
            (bare and name in {os.path.basename(h) for h in core_headers})
        in_lib = name in lib_headers
        if in_core and not (in_lib and may_use_lib):
            bad.append(name)
        elif in_lib and not may_use_lib:
            bad.append(name)
    return bad


class IncludeRules(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.core_headers = headers_under("core")
        cls.lib_headers = headers_under("lib")

    def test_public_header_map_is_current(self):
        subs = sorted(d for d in os.listdir(os.path.join(TOP, "core"))
                      if os.path.isdir(os.path.join(TOP, "core", d)))
        self.assertEqual(subs, sorted(PUBLIC), "a core/ folder without a public header here")
        for sub, header in PUBLIC.items():
            self.assertTrue(os.path.exists(os.path.join(TOP, "core", header)), header)

    def test_cli_includes_lib_only(self):
        for path in sources("cli"):
            bad = client_violations(path, includes(path), self.core_headers, self.lib_headers, True)
            self.assertEqual(bad, [], "%s includes daemon headers" % path)

    def test_sdk_and_plugins_include_the_sdk_only(self):
        for path in sources("sdk", "plugins"):
            bad = client_violations(path, includes(path), self.core_headers, self.lib_headers, False)
            self.assertEqual(bad, [], "%s includes headers of the daemon or lib/" % path)

    def test_c_bindings_include_nothing_of_lib_or_core(self):
        # libxenserver is installed alone: its runtime and headers see libc
        # and themselves only (clients/c/dm_dump.c, a build tool, reads lib/).
        for path in sources(os.path.join("clients", "c", "src"),
                            os.path.join("clients", "c", "include")):
            bad = client_violations(path, includes(path), self.core_headers, self.lib_headers,
                                    False)
            self.assertEqual(bad, [], "%s includes headers of the daemon or lib/" % path)

    def test_lib_includes_nothing_of_core(self):
        for path in sources("lib"):
            for kind, name in includes(path):
                if kind == '"':
                    self.assertIn(name, self.lib_headers, "%s includes %s" % (path, name))

    def test_core_subsystems_meet_through_public_headers(self):
        for path in sources("core"):
            bad = core_violations(path, includes(path), self.core_headers)
            self.assertEqual(bad, [], "%s includes private headers of another subsystem" % path)

    def test_the_checks_see_a_violation(self):
        # the rules above must be able to fail: fed a made-up file, they do
        cli = os.path.join(TOP, "cli", "made_up.c")
        self.assertEqual(client_violations(cli, [('"', "db/db.h"), ('"', "value.h")],
                                           self.core_headers, self.lib_headers, True), ["db/db.h"])
        self.assertEqual(client_violations(cli, [('"', "session.h")], self.core_headers,
                                           self.lib_headers, True), ["session.h"])
        plugin = os.path.join(TOP, "plugins", "storage", "file", "made_up.c")
        self.assertEqual(client_violations(plugin, [('"', "value.h"), ("<", "xapi/storage.h")],
                                           self.core_headers, self.lib_headers, False), ["value.h"])
        api = os.path.join(TOP, "core", "api", "made_up.c")
        self.assertEqual(core_violations(api, [('"', "db/db_int.h"), ('"', "db/db.h"),
                                               ('"', "vm_int.h")], self.core_headers),
                         ["db/db_int.h"])


class LinkRules(unittest.TestCase):
    def binary(self, name):
        path = harness.build_dir() / name
        if not path.exists():
            self.fail("%s is not built (%s)" % (name, path))
        return str(path)

    def ldd(self, path):
        return subprocess.run(["ldd", path], capture_output=True, text=True, check=True).stdout

    def test_xe_links_no_daemon_library(self):
        out = self.ldd(self.binary("xe"))
        for lib in DAEMON_LIBS:
            self.assertNotIn(lib, out, "xe links %s:\n%s" % (lib, out))

    def test_xe_holds_no_daemon_code(self):
        if not shutil.which("nm"):
            self.fail("nm (binutils) is needed")
        out = subprocess.run(["nm", "--defined-only", self.binary("xe")], capture_output=True,
                             text=True, check=True).stdout
        syms = [line.split()[-1] for line in out.splitlines() if line.split()]
        daemon = [s for s in syms if s.startswith(DAEMON_SYMBOLS)]
        self.assertEqual(daemon, [], "daemon code linked into xe")
        # and it does hold the shared library's code
        self.assertIn("xd_value_free", syms)

    def test_plugin_worker_stays_lean(self):
        out = self.ldd(self.binary("xapid-plugin-worker"))
        for lib in DAEMON_LIBS + ("libxmlrpc",):
            self.assertNotIn(lib, out, "the plugin worker links %s" % lib)


if __name__ == "__main__":
    unittest.main()

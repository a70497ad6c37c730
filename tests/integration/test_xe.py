"""The xe command-line client against a running xapid: <class>-list (default
columns, exact layout, --minimal, params=, filters), the -param-* commands
on VMs and the pool, event-wait, call, help, the errors it prints and its
exit codes, and remote mode (-s/-p/-u/-pw/-pwf).

The xe binary: env XE, else next to the xapid binary the harness runs
(the build dir), else <repo>/xe.
"""

import os
import re
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

import harness
from harness import DaemonTestCase, ROOT_PASSWORD, ROOT_USER, UUID_RE, vm_record

XE_TIMEOUT = 60


def xe_binary():
    if os.environ.get("XE"):
        return Path(os.environ["XE"])
    beside = harness.xapid_binary().parent / "xe"
    if beside.exists():
        return beside
    return harness.REPO / "xe"


def blocks(text):
    """xe's record blocks: a list of [(field, marker, value)] per record."""
    out = []
    for chunk in text.split("\n\n\n"):
        if not chunk.strip():
            continue
        rec = []
        for line in chunk.strip("\n").split("\n"):
            m = re.match(r"^\s*(\S+) (\( RO\)|\( RW\)|\(SRO\)|\(SRW\)|\(MRO\)|\(MRW\))"
                         r"(?: \[DEPRECATED\])?\s*: ?(.*)$", line)
            if not m:
                raise AssertionError("not an xe record line: %r" % line)
            rec.append((m.group(1), m.group(2), m.group(3)))
        out.append(rec)
    return out


def as_dict(block):
    return {k: v for k, _, v in block}


class XeTest(DaemonTestCase):

    @classmethod
    def new_vm(cls, record):
        """VM.create, without the mac_seed xapi's VM.create adds to
        other_config (these tests look at other_config alone)."""
        vm = cls.x.VM.create(record)
        cls.x.VM.remove_from_other_config(vm, "mac_seed")
        return vm

    @classmethod
    def setUpClass(cls):
        binary = xe_binary()
        # A build without xe is broken: fail, do not skip.
        if not binary.is_file() or not os.access(binary, os.X_OK):
            raise AssertionError("xe binary not found at %s (build it or set XE=)" % binary)
        cls.xe_path = str(binary)
        super().setUpClass()
        cls.vm1 = cls.new_vm(vm_record("xe-vm-1", other_config={"team": "blue"},
                                       tags=["web", "prod"]))
        cls.vm2 = cls.new_vm(vm_record("xe vm two"))
        cls.vm1_uuid = cls.x.VM.get_uuid(cls.vm1)
        cls.vm2_uuid = cls.x.VM.get_uuid(cls.vm2)
        cls.pool = cls.x.pool.get_all()[0]
        cls.pool_uuid = cls.x.pool.get_uuid(cls.pool)

    # ---- running xe ----

    def xe(self, *args, local=True, ok=True, timeout=XE_TIMEOUT):
        """Runs xe; over the daemon's unix socket unless local=False. With
        ok=True a non-zero exit fails the test. Returns CompletedProcess."""
        cmd = [self.xe_path]
        if local:
            cmd += ["--socket", self.daemon.socket_path]
            if os.geteuid() != 0:
                # only a uid-0 peer may log in as root without a password
                cmd += ["-u", ROOT_USER, "-pw", ROOT_PASSWORD]
        cmd += list(args)
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, env=self.env())
        p.stdout = p.stdout.decode()
        p.stderr = p.stderr.decode()
        if ok and p.returncode != 0:
            self.fail("xe %s: exit %d\nstdout: %s\nstderr: %s"
                      % (" ".join(args), p.returncode, p.stdout, p.stderr))
        return p

    def env(self):
        env = dict(os.environ)
        env.pop("XE_SOCKET", None)
        return env

    def remote(self, *args, user=ROOT_USER, password=ROOT_PASSWORD, ok=True):
        # -s speaks https (as upstream's xe): the TLS listener
        extra = ["-s", "127.0.0.1", "-p", str(self.daemon.tls_port)]
        if user is not None:
            extra += ["-u", user, "-pw", password]
        return self.xe(*(list(args) + extra), local=False, ok=ok)

    def xe_fails(self, *args, **kw):
        p = self.xe(*args, ok=False, **kw)
        self.assertEqual(p.returncode, 1, "want exit 1: %r %r" % (p.stdout, p.stderr))
        return p

    # ---- <class>-list ----

    def test_vm_list_default_columns_and_layout(self):
        p = self.xe("vm-list")
        recs = blocks(p.stdout)
        by_uuid = {as_dict(b)["uuid"]: b for b in recs}
        self.assertIn(self.vm1_uuid, by_uuid)
        self.assertIn(self.vm2_uuid, by_uuid)
        for b in recs:
            self.assertEqual([k for k, _, _ in b], ["uuid", "name-label", "power-state"])
        # templates are not VMs for vm-list
        templates = [r["uuid"] for r in self.x.VM.get_all_records().values() if r["is_a_template"]]
        for t in templates:
            self.assertNotIn(t, by_uuid)
        # the exact bytes of one record, as xe prints it: the first label
        # padded right, the others left, to 4 + the longest; two empty
        # lines after each record
        one = self.xe("vm-list", "uuid=" + self.vm1_uuid).stdout
        self.assertEqual(one,
                         "uuid ( RO)           : %s\n"
                         "     name-label ( RW): xe-vm-1\n"
                         "    power-state ( RO): halted\n\n\n" % self.vm1_uuid)

    def test_list_minimal(self):
        p = self.xe("vm-list", "--minimal")
        self.assertEqual(p.stdout.count("\n"), 1)
        got = set(p.stdout.strip().split(","))
        want = {r["uuid"] for r in self.x.VM.get_all_records().values() if not r["is_a_template"]}
        self.assertEqual(got, want)
        p = self.xe("vm-list", "name-label=no such vm", "--minimal")
        self.assertEqual(p.stdout, "\n")
        p = self.xe("pool-list", "--minimal")
        self.assertEqual(p.stdout, self.pool_uuid + "\n")
        # the first shown field, whatever it is
        p = self.xe("vm-list", "uuid=" + self.vm2_uuid, "params=name-label", "--minimal")
        self.assertEqual(p.stdout, "xe vm two\n")

    def test_list_params(self):
        p = self.xe("vm-list", "uuid=" + self.vm1_uuid, "params=power-state,name-label")
        # record order, not the order asked for
        self.assertEqual(p.stdout,
                         "name-label ( RW)     : xe-vm-1\n"
                         "    power-state ( RO): halted\n\n\n")
        p = self.xe("vm-list", "uuid=" + self.vm1_uuid, "params=all")
        rec = as_dict(blocks(p.stdout)[0])
        self.assertEqual(rec["memory-static-max"], "268435456")
        self.assertEqual(rec["other-config"], "team: blue")
        self.assertEqual(rec["tags"], "web; prod")
        self.assertEqual(rec["is-a-template"], "false")
        self.assertEqual(rec["actions-after-shutdown"], "destroy")

    def test_list_filters(self):
        def uuids(*args):
            return set(filter(None, self.xe("vm-list", "--minimal", *args).stdout.strip().split(",")))

        self.assertEqual(uuids("name-label=xe-vm-1"), {self.vm1_uuid})
        self.assertEqual(uuids("name-label=xe vm two"), {self.vm2_uuid})
        self.assertEqual(uuids("name-label=XE-VM-1"), set(), "strings compare exactly")
        self.assertEqual(uuids("other-config:team=blue"), {self.vm1_uuid})
        self.assertEqual(uuids("other-config:team=red"), set())
        self.assertEqual(uuids("tags:contains=prod"), {self.vm1_uuid})
        self.assertEqual(uuids("power-state=halted", "name-label=xe-vm-1"), {self.vm1_uuid})
        self.assertIn(self.vm2_uuid, uuids("power-state=halted"))
        self.assertEqual(uuids("power-state=running", "name-label=xe-vm-1"), set())
        self.assertEqual(uuids("uuid=" + self.vm2_uuid), {self.vm2_uuid})
        p = self.xe_fails("vm-list", "bogus-field=1")
        self.assertEqual(p.stderr, "Error: Unknown field 'bogus-field'\n")
        self.assertEqual(p.stdout, "")
        p = self.xe_fails("vm-list", "tags:prod=1")
        self.assertIn("set-param:contains=key", p.stderr)

    def test_template_list(self):
        p = self.xe("template-list", "--minimal")
        got = set(filter(None, p.stdout.strip().split(",")))
        self.assertNotIn(self.vm1_uuid, got)
        want = {r["uuid"] for r in self.x.VM.get_all_records().values()
                if r["is_a_template"] and not r["is_a_snapshot"]}
        self.assertEqual(got, want)

    def test_host_and_pool_list_resolve_refs(self):
        host = self.x.host.get_all()[0]
        host_uuid = self.x.host.get_uuid(host)
        rec = as_dict(blocks(self.xe("pool-list").stdout)[0])
        self.assertEqual(rec["uuid"], self.pool_uuid)
        self.assertEqual(rec["master"], host_uuid, "refs show as the target's uuid")
        sr = self.x.pool.get_default_SR(self.pool)
        want = "<not in database>" if sr == "OpaqueRef:NULL" else self.x.SR.get_uuid(sr)
        self.assertEqual(rec["default-SR"], want)
        hosts = blocks(self.xe("host-list").stdout)
        self.assertEqual([as_dict(b)["uuid"] for b in hosts], [host_uuid])
        self.assertEqual([k for k, _, _ in hosts[0]], ["uuid", "name-label", "name-description"])

    # ---- param-list / param-get ----

    def test_vm_param_list(self):
        p = self.xe("vm-param-list", "uuid=" + self.vm1_uuid)
        recs = blocks(p.stdout)
        self.assertEqual(len(recs), 1)
        rec = recs[0]
        self.assertEqual(rec[0], ("uuid", "( RO)", self.vm1_uuid))
        self.assertTrue(p.stdout.startswith("uuid ( RO)  "), p.stdout[:40])
        marks = {k: m for k, m, _ in rec}
        vals = as_dict(rec)
        self.assertEqual(marks["name-label"], "( RW)")
        self.assertEqual(marks["power-state"], "( RO)")
        self.assertEqual(marks["other-config"], "(MRW)")
        self.assertEqual(marks["tags"], "(SRW)")
        self.assertEqual(marks["allowed-operations"], "(SRO)")
        self.assertEqual(marks["current-operations"], "(MRO)")
        self.assertEqual(vals["name-label"], "xe-vm-1")
        self.assertEqual(vals["power-state"], "halted")
        self.assertEqual(vals["resident-on"], "<not in database>")
        self.assertEqual(vals["HVM-boot-params"], "order: cd")
        # every field of the record is there
        self.assertGreaterEqual(len(rec), len(self.x.VM.get_record(self.vm1)))

    def test_vm_param_get(self):
        def get(*args):
            return self.xe("vm-param-get", "uuid=" + self.vm1_uuid, *args).stdout

        self.assertEqual(get("param-name=name-label"), "xe-vm-1\n")
        self.assertEqual(get("param-name=uuid"), self.vm1_uuid + "\n")
        self.assertEqual(get("param-name=memory-static-min"), "134217728\n")
        self.assertEqual(get("param-name=other-config"), "team: blue\n")
        self.assertEqual(get("param-name=other-config", "param-key=team"), "blue\n")
        self.assertEqual(get("param-name=tags"), "web; prod\n")
        self.assertEqual(get("param-name=is-a-template"), "false\n")
        p = self.xe_fails("vm-param-get", "uuid=" + self.vm1_uuid, "param-name=other-config",
                          "param-key=nope")
        self.assertEqual(p.stderr, "Error: Key nope not found in map\n")
        p = self.xe_fails("vm-param-get", "uuid=" + self.vm1_uuid, "param-name=nope")
        self.assertEqual(p.stderr, "Error: Unknown field 'nope'\n")
        p = self.xe_fails("vm-param-get", "uuid=" + self.vm1_uuid)
        self.assertEqual(p.stderr, "Required parameter not found: param-name\n")

    def test_bad_uuid(self):
        for cmd in ("vm-param-list", "vm-param-get"):
            with self.subTest(cmd=cmd):
                p = self.xe_fails(cmd, "uuid=not-a-uuid", "param-name=name-label")
                self.assertIn("Error code: UUID_INVALID\n", p.stderr)
                self.assertIn("Error parameters: VM, not-a-uuid\n", p.stderr)
                self.assertEqual(p.stdout, "")
        p = self.xe_fails("pool-param-set", "uuid=" + self.vm1_uuid, "name-label=x")
        self.assertIn("Error parameters: pool, %s\n" % self.vm1_uuid, p.stderr)

    # ---- param-set / add / remove / clear on a VM ----

    def test_vm_param_set(self):
        vm = self.new_vm(vm_record("xe-set"))
        u = self.x.VM.get_uuid(vm)
        self.xe("vm-param-set", "uuid=" + u, "name-label=renamed by xe",
                "name-description=two words", "other-config:k1=v1", "user-version=7")
        self.assertEqual(self.x.VM.get_name_label(vm), "renamed by xe")
        self.assertEqual(self.x.VM.get_name_description(vm), "two words")
        self.assertEqual(self.x.VM.get_other_config(vm), {"k1": "v1"})
        self.assertEqual(str(self.x.VM.get_user_version(vm)), "7")
        # a map key that exists is replaced
        self.xe("vm-param-set", "uuid=" + u, "other-config:k1=v2", "other-config:k2=x")
        self.assertEqual(self.x.VM.get_other_config(vm), {"k1": "v2", "k2": "x"})
        # xe's older map syntax
        self.xe("vm-param-set", "uuid=" + u, "other-config-k3=y")
        self.assertEqual(self.x.VM.get_other_config(vm)["k3"], "y")

    def test_vm_param_set_errors_change_nothing(self):
        vm = self.new_vm(vm_record("xe-ro"))
        u = self.x.VM.get_uuid(vm)
        p = self.xe_fails("vm-param-set", "uuid=" + u, "name-label=changed", "power-state=running")
        self.assertEqual(p.stderr, "Error: Field 'power-state' is read-only.\n")
        self.assertEqual(self.x.VM.get_power_state(vm), "Halted")
        self.assertEqual(self.x.VM.get_name_label(vm), "xe-ro", "nothing is sent after a bad argument")
        p = self.xe_fails("vm-param-set", "uuid=" + u, "user-version=abc")
        self.assertEqual(p.stderr, "Error: Parameter user-version must be an integer\n")
        p = self.xe_fails("vm-param-set", "uuid=" + u, "other-config=x")
        self.assertEqual(p.stderr,
                         "Error: Field 'other-config' is a map or set. use the 'name:key=value' syntax.\n")
        p = self.xe_fails("vm-param-set", "uuid=" + u, "allowed-operations:x=1")
        self.assertEqual(p.stderr, "Error: Cannot param-set on set fields\n")
        p = self.xe_fails("vm-param-set", "uuid=" + u, "current-operations:x=1")
        self.assertEqual(p.stderr, "Error: Map field 'current-operations' is read-only.\n")
        p = self.xe_fails("vm-param-set", "uuid=" + u, "no-such-field=1")
        self.assertEqual(p.stderr, "Error: Unknown field 'no-such-field'\n")
        p = self.xe_fails("vm-param-set", "name-label=x")
        self.assertEqual(p.stderr, "Required parameter not found: uuid\n")

    def test_vm_param_add_remove_clear(self):
        vm = self.new_vm(vm_record("xe-add", tags=["a"]))
        u = self.x.VM.get_uuid(vm)
        self.xe("vm-param-add", "uuid=" + u, "param-name=tags", "param-key=b")
        self.assertEqual(self.x.VM.get_tags(vm), ["a", "b"])
        self.xe("vm-param-remove", "uuid=" + u, "param-name=tags", "param-key=a")
        self.assertEqual(self.x.VM.get_tags(vm), ["b"])
        p = self.xe_fails("vm-param-remove", "uuid=" + u, "param-name=tags", "param-key=zz")
        self.assertEqual(p.stderr, "Error: Key zz is not in the set\n")
        self.xe("vm-param-add", "uuid=" + u, "param-name=other-config", "x=1", "y=2")
        self.assertEqual(self.x.VM.get_other_config(vm), {"x": "1", "y": "2"})
        self.xe("vm-param-remove", "uuid=" + u, "param-name=other-config", "param-key=x")
        self.assertEqual(self.x.VM.get_other_config(vm), {"y": "2"})
        p = self.xe_fails("vm-param-remove", "uuid=" + u, "param-name=other-config",
                          "param-key=x")
        self.assertEqual(p.stderr, "Error: Key x is not in map\n")
        self.xe("vm-param-clear", "uuid=" + u, "param-name=other-config")
        self.assertEqual(self.x.VM.get_other_config(vm), {})
        self.xe("vm-param-clear", "uuid=" + u, "param-name=tags")
        self.assertEqual(self.x.VM.get_tags(vm), [])
        self.xe("vm-param-clear", "uuid=" + u, "param-name=name-description")
        self.assertEqual(self.x.VM.get_name_description(vm), "")
        p = self.xe_fails("vm-param-add", "uuid=" + u, "param-name=name-label", "param-key=x")
        self.assertEqual(p.stderr, "Error: Can only add to parameters of type Set or Map\n")
        p = self.xe_fails("vm-param-add", "uuid=" + u, "param-name=allowed-operations",
                          "param-key=start")
        self.assertEqual(p.stderr, "Error: Parameter is read-only\n")
        p = self.xe_fails("vm-param-clear", "uuid=" + u, "param-name=power-state")
        self.assertEqual(p.stderr, "Error: Can only clear RW parameters\n")

    # ---- the pool ----

    def test_pool_params(self):
        u = self.pool_uuid
        old = self.x.pool.get_name_label(self.pool)
        try:
            self.xe("pool-param-set", "uuid=" + u, "name-label=xe pool", "other-config:xe=1")
            self.assertEqual(self.x.pool.get_name_label(self.pool), "xe pool")
            self.assertEqual(self.x.pool.get_other_config(self.pool).get("xe"), "1")
            self.assertEqual(self.xe("pool-param-get", "uuid=" + u,
                                     "param-name=name-label").stdout, "xe pool\n")
            self.assertEqual(self.xe("pool-param-get", "uuid=" + u, "param-name=other-config",
                                     "param-key=xe").stdout, "1\n")
            self.xe("pool-param-add", "uuid=" + u, "param-name=tags", "param-key=t1")
            self.assertIn("t1", self.x.pool.get_tags(self.pool))
            self.xe("pool-param-remove", "uuid=" + u, "param-name=tags", "param-key=t1")
            self.assertNotIn("t1", self.x.pool.get_tags(self.pool))
            self.xe("pool-param-remove", "uuid=" + u, "param-name=other-config", "param-key=xe")
            self.assertNotIn("xe", self.x.pool.get_other_config(self.pool))
            rec = as_dict(blocks(self.xe("pool-param-list", "uuid=" + u).stdout)[0])
            self.assertEqual(rec["name-label"], "xe pool")
            p = self.xe_fails("pool-param-set", "uuid=" + u, "master=x")
            self.assertEqual(p.stderr, "Error: Field 'master' is read-only.\n")
            # a reference is given by the uuid of its target
            p = self.xe_fails("pool-param-set", "uuid=" + u, "default-SR=no-such-sr")
            self.assertIn("Error code: UUID_INVALID\nError parameters: SR, no-such-sr\n", p.stderr)
            self.xe("pool-param-set", "uuid=" + u, "default-SR=")
            self.assertEqual(self.x.pool.get_default_SR(self.pool), "OpaqueRef:NULL")
            self.xe("pool-param-clear", "uuid=" + u, "param-name=name-description")
            self.assertEqual(self.x.pool.get_name_description(self.pool), "")
        finally:
            self.x.pool.set_name_label(self.pool, old)

    # ---- event-wait ----

    def test_event_wait_already_true(self):
        self.xe("event-wait", "class=vm", "uuid=" + self.vm1_uuid, "power-state=halted",
                "--timeout", "10")
        self.xe("event-wait", "class=vm", "uuid=" + self.vm1_uuid, "name-label=/=something else",
                "--timeout", "10")

    def test_event_wait_returns_when_another_client_changes_a_field(self):
        vm = self.new_vm(vm_record("xe-wait"))
        u = self.x.VM.get_uuid(vm)
        cmd = [self.xe_path, "--socket", self.daemon.socket_path, "event-wait", "class=vm",
               "uuid=" + u, "name-label=after the change", "other-config:phase=2"]
        if os.geteuid() != 0:
            cmd += ["-u", ROOT_USER, "-pw", ROOT_PASSWORD]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=self.env())
        try:
            time.sleep(1.0)
            if proc.poll() is not None:
                self.fail("event-wait returned before the change: %r" % (proc.communicate(),))
            self.x.VM.set_name_label(vm, "after the change")
            time.sleep(0.5)
            self.assertIsNone(proc.poll(), "event-wait returned with one condition of two")
            self.x.VM.add_to_other_config(vm, "phase", "2")
            out, err = proc.communicate(timeout=20)
            self.assertEqual(proc.returncode, 0, err)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()

    def test_event_wait_timeout_and_errors(self):
        t0 = time.monotonic()
        p = self.xe_fails("event-wait", "class=vm", "uuid=" + self.vm1_uuid,
                          "name-label=never", "--timeout", "1")
        self.assertLess(time.monotonic() - t0, 15)
        self.assertEqual(p.stderr, "Timed out waiting for the condition\n")
        p = self.xe_fails("event-wait", "class=nope")
        self.assertEqual(p.stderr, "Error: Unknown class 'nope'\n")
        p = self.xe_fails("event-wait", "class=vm", "nope=1")
        self.assertEqual(p.stderr, "Error: Unknown field 'nope'\n")
        p = self.xe_fails("event-wait", "power-state=halted")
        self.assertEqual(p.stderr, "Required parameter not found: class\n")

    # ---- call, help, other errors ----

    def test_call(self):
        import json
        p = self.xe("call", "VM.get_name_label", self.vm1)
        self.assertEqual(json.loads(p.stdout), "xe-vm-1")
        p = self.xe("call", "VM.get_by_uuid", self.vm2_uuid)
        self.assertEqual(json.loads(p.stdout), self.vm2)
        p = self.xe("call", "VM.get_all_records")
        self.assertEqual(json.loads(p.stdout)[self.vm1]["name_label"], "xe-vm-1")
        p = self.xe("call", "system.listMethods")
        self.assertIn("VM.get_all", json.loads(p.stdout))
        p = self.xe("call", "VM.get_other_config", self.vm1)
        self.assertEqual(json.loads(p.stdout), {"team": "blue"})
        p = self.xe_fails("call", "VM.get_record", "OpaqueRef:NULL")
        self.assertIn("Error code: HANDLE_INVALID\n", p.stderr)
        p = self.xe_fails("call", "VM.no_such_message")
        self.assertIn("Error code: MESSAGE_METHOD_UNKNOWN\n", p.stderr)
        self.assertIn("Error parameters: VM.no_such_message\n", p.stderr)

    def test_help_and_version(self):
        p = self.xe("help", local=False)
        self.assertIn("-param-list", p.stdout)
        self.assertIn("event-wait", p.stdout)
        p = self.xe("help", "vm-param-set", local=False)
        self.assertIn("command name            : vm-param-set", p.stdout)
        self.assertIn("name-label", p.stdout)
        p = self.xe("vm-list", "--help", local=False)
        self.assertIn("command name            : vm-list", p.stdout)
        p = self.xe("--version", local=False)
        self.assertRegex(p.stdout, r"^xe \(xapi-c\) \d+\.\d+")

    def test_unknown_command(self):
        p = self.xe_fails("frobnicate", local=False)
        self.assertEqual(p.stderr, "Unknown command: frobnicate\nFor usage run: 'xe help'\n")
        p = self.xe_fails("vm-frobnicate", local=False)
        self.assertTrue(p.stderr.startswith("Unknown command: vm-frobnicate\n"))

    def test_connection_failure(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "no.sock")
            p = self.xe("--socket", path, "vm-list", local=False, ok=False)
            self.assertEqual(p.returncode, 1)
            self.assertEqual(p.stderr, "Cannot connect to %s: No such file or directory\n" % path)
            env = self.env()
            env["XE_SOCKET"] = path
            p = subprocess.run([self.xe_path, "vm-list"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env, timeout=XE_TIMEOUT)
            self.assertEqual(p.returncode, 1)
            self.assertEqual(p.stderr.decode(),
                             "Cannot connect to %s: No such file or directory\n" % path)

    # ---- remote mode ----

    def test_remote_mode(self):
        p = self.remote("vm-list", "uuid=" + self.vm1_uuid, "--minimal")
        self.assertEqual(p.stdout, self.vm1_uuid + "\n")
        p = self.xe("-s", "127.0.0.1:%d" % self.daemon.tls_port, "-u", ROOT_USER, "-pw", ROOT_PASSWORD,
                    "vm-param-get", "uuid=" + self.vm1_uuid, "param-name=name-label", local=False)
        self.assertEqual(p.stdout, "xe-vm-1\n")
        self.addCleanup(self.x.subject.destroy, harness.add_subject(self.x, "alice", "read-only"))
        p = self.remote("pool-list", "--minimal", user="alice", password=harness.USERS["alice"])
        self.assertEqual(p.stdout, self.pool_uuid + "\n")
        with tempfile.NamedTemporaryFile("w", suffix=".pw") as f:
            f.write("%s\n%s\n" % (ROOT_USER, ROOT_PASSWORD))
            f.flush()
            p = self.xe("-s", "127.0.0.1", "-p", str(self.daemon.tls_port), "-pwf", f.name,
                        "host-list", "--minimal", local=False)
            self.assertRegex(p.stdout.strip(), UUID_RE)
        # --nossl: plain HTTP to the plain listener
        p = self.xe("--nossl", "-s", "127.0.0.1", "-p", str(self.daemon.port), "-u", ROOT_USER,
                    "-pw", ROOT_PASSWORD, "pool-list", "--minimal", local=False)
        self.assertEqual(p.stdout, self.pool_uuid + "\n")

    def test_remote_mode_errors(self):
        p = self.remote("vm-list", password="wrong", ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("Error code: SESSION_AUTHENTICATION_FAILED\n", p.stderr)
        self.assertEqual(p.stdout, "")
        p = self.remote("vm-list", user=None, ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr, "Username/password must be specified\n")
        p = self.xe("-s", "127.0.0.1", "-p", "1", "-u", ROOT_USER, "-pw", "x", "vm-list",
                    local=False, ok=False)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr, "Cannot connect to 127.0.0.1:1: Connection refused\n")


if __name__ == "__main__":
    unittest.main()

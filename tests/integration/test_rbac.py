"""RBAC as xapi's: the role, subject and auth classes, the six roles with
the datamodel's permission per message (allowed and denied with the exact
error, per role, on a sample of messages of every class), subjects' logins
and lifecycle, session records, the HTTP data paths, the local superuser."""

import hashlib
import os
import subprocess
import time
import unittest

import harness
from harness import (Failure, RBAC_ROLES, REF_RE, ROOT_PASSWORD, ROOT_USER, USERS, Session,
                     add_subject)
from storage_util import StorageTestCase

POOL_ADMIN_REF = "OpaqueRef:0165f154-ba3e-034e-6b27-5d271af109ba"
BOGUS = "OpaqueRef:00000000-0000-0000-0000-00000000dead"

# Upstream's role order (ocaml/idl/datamodel_roles.ml), in which the denial
# message names the roles holding a permission.
ALL_ROLES = ["pool-admin", "pool-operator", "vm-power-admin", "vm-admin", "vm-operator",
             "client-cert", "read-only"]


def roles_from(least, client_cert=False):
    """upstream's _R_*: the role and every one above it (client-cert only
    where the datamodel adds it)."""
    out = RBAC_ROLES[:RBAC_ROLES.index(least) + 1]
    if client_cert or least == "read-only":
        out = out + ["client-cert"]
    return [r for r in ALL_ROLES if r in out]


# (method, args, roles allowed as xenapi-datamodel.json says): a sample of
# every class. The args name objects that do not exist: an allowed call
# gets past the permission check to the handler's HANDLE_INVALID (or
# another non-RBAC answer); a denied one never reaches the handler.
SAMPLE = [
    ("VM.get_record", [BOGUS], roles_from("read-only")),
    ("VM.start", [BOGUS, False, False], roles_from("vm-operator")),
    ("VM.clean_shutdown", [BOGUS], roles_from("vm-operator")),
    ("VM.set_name_label", [BOGUS, "x"], roles_from("vm-admin")),
    ("VM.add_to_other_config", [BOGUS, "k", "v"], roles_from("vm-admin")),
    ("VM.snapshot", [BOGUS, "s"], roles_from("vm-power-admin")),
    ("VM.set_affinity", [BOGUS, BOGUS], roles_from("vm-power-admin")),
    ("VM.set_memory_dynamic_range", [BOGUS, "1048576", "2097152"],
     roles_from("vm-power-admin")),
    ("pool.set_name_label", [BOGUS, "x"], roles_from("pool-operator")),
    ("host.get_record", [BOGUS], roles_from("read-only")),
    ("host.set_name_label", [BOGUS, "x"], roles_from("pool-operator")),
    ("host.disable", [BOGUS], roles_from("pool-operator", client_cert=True)),
    ("host.call_plugin", [BOGUS, "p", "f", {}], roles_from("pool-admin")),
    ("SR.get_record", [BOGUS], roles_from("read-only")),
    ("SR.set_name_label", [BOGUS, "x"], roles_from("pool-operator")),
    ("VDI.get_record", [BOGUS], roles_from("read-only")),
    ("VDI.set_name_label", [BOGUS, "x"], roles_from("vm-admin")),
    ("VBD.get_record", [BOGUS], roles_from("read-only")),
    ("VBD.destroy", [BOGUS], roles_from("vm-admin")),
    ("PBD.destroy", [BOGUS], roles_from("pool-operator")),
    ("network.set_name_label", [BOGUS, "x"], roles_from("pool-operator")),
    ("VIF.destroy", [BOGUS], roles_from("vm-admin")),
    ("PIF.get_record", [BOGUS], roles_from("read-only")),
    ("VLAN.destroy", [BOGUS], roles_from("pool-operator")),
    ("Bond.destroy", [BOGUS], roles_from("pool-operator")),
    ("tunnel.destroy", [BOGUS], roles_from("pool-operator")),
    ("task.get_record", [BOGUS], roles_from("read-only")),
    ("message.destroy", [BOGUS], roles_from("pool-operator")),
    ("blob.get_record", [BOGUS], roles_from("read-only")),
    ("secret.destroy", [BOGUS], roles_from("pool-operator")),
    ("console.get_record", [BOGUS], roles_from("read-only")),
    ("SM.get_record", [BOGUS], roles_from("read-only")),
    ("subject.destroy", [BOGUS], roles_from("pool-admin")),
    ("subject.get_record", [BOGUS], roles_from("read-only")),
    ("role.get_record", [BOGUS], roles_from("read-only")),
    ("session.logout_subject_identifier", ["nobody"], roles_from("pool-operator")),
    ("auth.get_subject_identifier", ["user-read-only"], roles_from("read-only")),
]


def denial(method, roles):
    perm = method.lower()
    return ["RBAC_PERMISSION_DENIED", perm,
            "No permission in user session. (Roles with this permission: %s)"
            % ", ".join(roles)]


def perm_uuid(name):
    """upstream's hash2uuid: the MD5 of the name printed as a uuid."""
    h = hashlib.md5(name.encode()).hexdigest()
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


class RbacTest(StorageTestCase):
    """One daemon; a subject per role, each logged in."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.subjects = {r: add_subject(cls.x, "user-" + r, r) for r in RBAC_ROLES}
        cls.sessions = {r: cls.daemon.session("user-" + r, USERS["user-" + r])
                        for r in RBAC_ROLES}

    @classmethod
    def tearDownClass(cls):
        for s in cls.sessions.values():
            s.close()
        super().tearDownClass()

    def call(self, session, method, args):
        """The envelope of a raw call with that session."""
        return self.raw(method, session.handle, *args)

    # ---- the role class ----

    def test_roles_served(self):
        x = self.x
        roles = x.role.get_all_records_where("subroles<>[]")
        self.assertEqual(sorted(r["name_label"] for r in roles.values()), sorted(ALL_ROLES))
        self.assertEqual(x.role.get_by_name_label("pool-admin"), [POOL_ADMIN_REF])
        rec = x.role.get_record(POOL_ADMIN_REF)
        self.assertEqual(rec["uuid"], "0165f154-ba3e-034e-6b27-5d271af109ba")
        self.assertIs(rec["is_internal"], False)
        self.assertIn("full access", rec["name_description"])
        ro = x.role.get_by_name_label("read-only")[0]
        self.assertEqual(ro, "OpaqueRef:" + perm_uuid("read-only"))
        self.assertIs(x.role.get_is_internal(x.role.get_by_name_label("client-cert")[0]), True)
        names = x.role.get_permissions_name_label(ro)
        self.assertIn("vm.get_record", names)
        self.assertIn("http/get_rrd_updates", names)
        self.assertNotIn("vm.start", names)
        self.assertNotIn("http/put_import_raw_vdi", names)
        # a permission is a role without subroles, uuid the MD5 of its wire name
        start = x.role.get_by_name_label("vm.start")[0]
        self.assertEqual(start, "OpaqueRef:" + perm_uuid("VM.start"))
        self.assertEqual(x.role.get_record(start),
                         {"uuid": perm_uuid("VM.start"), "name_label": "vm.start",
                          "name_description": "A basic permission", "subroles": [],
                          "is_internal": True})
        self.assertEqual(x.role.get_permissions(start), [start])
        self.assertIn(start, x.role.get_subroles(POOL_ADMIN_REF))
        self.assertNotIn(start, x.role.get_subroles(ro))
        self.assertEqual(
            [x.role.get_name_label(r) for r in x.role.get_by_permission_name_label("vm.start")],
            roles_from("vm-operator"))
        self.assertEqual(x.role.get_by_permission(start),
                         x.role.get_by_permission_name_label("vm.start"))
        perms = x.role.get_all_where("subroles=[]")
        self.assertIn(start, perms)
        self.assertNotIn(POOL_ADMIN_REF, perms)
        self.assertEqual(len(x.role.get_all()), len(perms) + len(ALL_ROLES))
        self.assertEqual(x.role.get_by_uuid(perm_uuid("VM.start")), start)
        self.assertFailure(["UUID_INVALID", "role", "nope"], x.role.get_by_uuid, "nope")
        self.assertFailure(["HANDLE_INVALID", "role", BOGUS], x.role.get_record, BOGUS)
        self.assertEqual(x.role.get_by_name_label("no-such-role"), [])

    # ---- per role, allowed and denied ----

    def test_sample_per_role(self):
        for role in RBAC_ROLES:
            s = self.sessions[role]
            for method, args, allowed in SAMPLE:
                with self.subTest(role=role, method=method):
                    r = self.call(s, method, args)
                    if role in allowed:
                        # past the check: whatever the handler answers, not RBAC
                        if r.get("Status") == "Failure":
                            self.assertNotEqual(r["ErrorDescription"][0],
                                                "RBAC_PERMISSION_DENIED", r)
                    else:
                        self.assertEnvelopeFailure(denial(method, allowed), r)

    def test_allowed_calls_work(self):
        ro = self.sessions["read-only"].xenapi
        self.assertEqual(ro.pool.get_all(), self.x.pool.get_all())
        self.assertEqual(sorted(ro.VM.get_all()), sorted(self.x.VM.get_all()))
        op = self.sessions["vm-admin"].xenapi
        vm = op.VM.create(harness.vm_record("rbac-vm"))
        self.addCleanup(self.x.VM.destroy, vm)
        op.VM.set_name_label(vm, "renamed by vm-admin")
        self.assertEqual(ro.VM.get_name_label(vm), "renamed by vm-admin")
        self.assertFailure(denial("VM.set_name_label", roles_from("vm-admin")),
                           ro.VM.set_name_label, vm, "nope")
        self.assertFailure(denial("pool.set_name_label", roles_from("pool-operator")),
                           op.pool.set_name_label, self.x.pool.get_all()[0], "nope")
        po = self.sessions["pool-operator"].xenapi
        po.pool.set_name_description(self.x.pool.get_all()[0], "set by pool-operator")

    def test_async_and_json_checked_too(self):
        ro = self.sessions["read-only"]
        r = self.raw("Async.VM.start", ro.handle, BOGUS, False, False)
        self.assertEnvelopeFailure(denial("VM.start", roles_from("vm-operator")), r)
        j = harness.JsonRpcSession("127.0.0.1", self.daemon.port, version=2,
                                   timeout=harness.CALL_TIMEOUT)
        j.login_with_password("user-read-only", USERS["user-read-only"])
        try:
            with self.assertRaises(Failure) as cm:
                j.call("VM.set_name_label", BOGUS, "x")
            self.assertEqual(cm.exception.details,
                             denial("VM.set_name_label", roles_from("vm-admin")))
            self.assertIsInstance(j.call("VM.get_all"), list)
        finally:
            j.logout()

    # ---- session records ----

    def test_session_records(self):
        ro = self.sessions["read-only"]
        rec = self.x.session.get_record(ro.handle)
        self.assertIs(rec["is_local_superuser"], False)
        self.assertEqual(rec["subject"], self.subjects["read-only"])
        self.assertEqual(rec["auth_user_sid"], "user-read-only")
        self.assertEqual(rec["auth_user_name"], "user-read-only")
        perms = ro.xenapi.session.get_rbac_permissions(ro.handle)
        self.assertEqual(sorted(perms), sorted(self.x.role.get_permissions_name_label(
            self.x.role.get_by_name_label("read-only")[0])))
        self.assertEqual(sorted(perms), sorted(
            self.x.subject.get_permissions_name_label(self.subjects["read-only"])))
        self.assertIn("vm.get_record", perms)
        self.assertNotIn("vm.start", perms)
        root = self.x.session.get_record(self.session.handle)
        self.assertIs(root["is_local_superuser"], True)
        self.assertEqual(root["subject"], "OpaqueRef:NULL")
        self.assertEqual(root["auth_user_sid"], "")
        ids = self.x.session.get_all_subject_identifiers()
        self.assertEqual(sorted(set(ids)), sorted(ids))
        for r in RBAC_ROLES:
            self.assertIn("user-" + r, ids)
        self.assertNotIn("root", ids)

    # ---- logins and subjects ----

    def test_user_without_subject_refused(self):
        for user in ("alice",):
            r = self.raw("session.login_with_password", user, USERS[user], "1.0", "it")
            self.assertEnvelopeFailure(
                ["SESSION_AUTHENTICATION_FAILED", user,
                 "Subject alice (identifier alice, from 127.0.0.1) has no access rights in "
                 "this pool"], r)

    def test_subject_lifecycle(self):
        x = self.x
        subject = x.subject.create({"subject_identifier": "alice", "other_config": {}})
        self.assertRegex(subject, REF_RE)
        rec = x.subject.get_record(subject)
        self.assertEqual(rec["subject_identifier"], "alice")
        self.assertEqual(rec["roles"], [])
        self.assertEqual(rec["other_config"]["subject-name"], "alice")
        self.assertFailure(["SUBJECT_ALREADY_EXISTS"], x.subject.create,
                           {"subject_identifier": "alice", "other_config": {}})
        self.assertFailure(["SUBJECT_CANNOT_BE_RESOLVED"], x.subject.create,
                           {"subject_identifier": "nosuchuser", "other_config": {}})
        # a subject without roles may not log in (xapi: RBAC_PERMISSION_DENIED)
        r = self.raw("session.login_with_password", "alice", USERS["alice"], "1.0", "it")
        self.assertEnvelopeFailure(["RBAC_PERMISSION_DENIED", "alice",
                                    "Subject alice (identifier alice) has no roles in this pool"],
                                   r)
        vmop = x.role.get_by_name_label("vm-operator")[0]
        x.subject.add_to_roles(subject, vmop)
        self.assertFailure(["ROLE_ALREADY_EXISTS"], x.subject.add_to_roles, subject, vmop)
        self.assertFailure(["ROLE_NOT_FOUND"], x.subject.add_to_roles, subject, BOGUS)
        self.assertFailure(["HANDLE_INVALID", "subject", BOGUS], x.subject.add_to_roles, BOGUS,
                           vmop)
        self.assertEqual(x.subject.get_roles(subject), [vmop])
        s1 = self.daemon.session("alice", USERS["alice"])
        s2 = self.daemon.session("alice", USERS["alice"])
        self.assertIsInstance(s1.xenapi.VM.get_all(), list)
        self.assertFailure(denial("VM.set_name_label", roles_from("vm-admin")),
                           s1.xenapi.VM.set_name_label, BOGUS, "x")
        # role changes take effect at the next login, as xapi's
        x.subject.add_to_roles(subject, x.role.get_by_name_label("vm-admin")[0])
        s3 = self.daemon.session("alice", USERS["alice"])
        self.assertFailure(["HANDLE_INVALID", "VM", BOGUS], s3.xenapi.VM.set_name_label,
                           BOGUS, "x")
        self.assertFailure(denial("VM.set_name_label", roles_from("vm-admin")),
                           s1.xenapi.VM.set_name_label, BOGUS, "x")
        x.subject.remove_from_roles(subject, x.role.get_by_name_label("vm-admin")[0])
        self.assertFailure(["ROLE_NOT_FOUND"], x.subject.remove_from_roles, subject,
                           x.role.get_by_name_label("vm-admin")[0])
        # logout_subject_identifier ends them all but the caller's
        self.x.session.logout_subject_identifier("alice")
        for s in (s1, s2, s3):
            self.assertFailure("SESSION_INVALID", s.xenapi.VM.get_all)
        # destroying the subject ends its sessions and its logins
        s4 = self.daemon.session("alice", USERS["alice"])
        x.subject.destroy(subject)
        self.assertFailure("SESSION_INVALID", s4.xenapi.VM.get_all)
        self.assertNotIn(subject, x.subject.get_all())
        r = self.raw("session.login_with_password", "alice", USERS["alice"], "1.0", "it")
        self.assertEnvelopeFailure("SESSION_AUTHENTICATION_FAILED", r)
        self.assertFailure(["HANDLE_INVALID", "subject", subject], x.subject.destroy, subject)
        for s in (s1, s2, s3, s4):
            s.close()

    def test_logout_subject_identifier_spares_the_caller(self):
        subject = add_subject(self.x, "alice", "pool-operator")
        self.addCleanup(self.x.subject.destroy, subject)
        po = self.daemon.session("alice", USERS["alice"])
        other = self.daemon.session("alice", USERS["alice"])
        po.xenapi.session.logout_subject_identifier("alice")
        self.assertIsInstance(po.xenapi.VM.get_all(), list)
        self.assertFailure("SESSION_INVALID", other.xenapi.VM.get_all)
        po.logout()
        other.close()
        # the root session is never logged out that way
        self.x.session.logout_subject_identifier("root")
        self.assertIsInstance(self.x.VM.get_all(), list)

    def test_auth_class(self):
        x = self.x
        self.assertEqual(x.auth.get_subject_identifier("alice"), "alice")
        self.assertFailure(["SUBJECT_CANNOT_BE_RESOLVED"], x.auth.get_subject_identifier,
                           "nosuchuser")
        info = x.auth.get_subject_information_from_identifier("alice")
        self.assertEqual(info["subject-name"], "alice")
        self.assertEqual(info["subject-is-group"], "false")
        self.assertFailure(["SUBJECT_CANNOT_BE_RESOLVED"],
                           x.auth.get_subject_information_from_identifier, "nosuchuser")
        self.assertEqual(x.auth.get_group_membership("alice"), [])  # a users file has no groups

    # ---- HTTP data paths ----

    def test_data_paths(self):
        sr, _ = self.create_sr("rbac-sr")
        vdi = self.create_vdi(sr, size=1024 * 1024)
        data = b"\x5a" * 4096
        for role in RBAC_ROLES:
            with self.subTest(role=role):
                q = {"vdi": vdi, "session_id": self.sessions[role].handle}
                status, _, body = self.http("PUT", "/import_raw_vdi", q, body=data,
                                            headers={"Content-Length": str(len(data))})
                if role in roles_from("vm-admin"):
                    self.assertEqual(status, 200, body)
                else:
                    self.assertEqual(status, 403, body)
                    self.assertIn(b"RBAC_PERMISSION_DENIED http/put_import_raw_vdi", body)
                status, _, body = self.http("GET", "/export_raw_vdi", q)
                self.assertEqual(status, 200 if role in roles_from("vm-admin") else 403)
                # rrd_updates is read-only's too
                status, _, body = self.http("GET", "/rrd_updates",
                                            {"session_id": self.sessions[role].handle,
                                             "start": str(int(time.time()) - 10)})
                self.assertEqual(status, 200, body[:200])
        # Basic auth: the user's subject's roles; no subject: 401
        status, _, _ = self.http("GET", "/export_raw_vdi", {"vdi": vdi},
                                 headers=self.basic_auth("user-read-only",
                                                           USERS["user-read-only"]))
        self.assertEqual(status, 403)
        status, _, _ = self.http("GET", "/export_raw_vdi", {"vdi": vdi},
                                 headers=self.basic_auth("user-vm-admin",
                                                           USERS["user-vm-admin"]))
        self.assertEqual(status, 200)
        status, _, _ = self.http("GET", "/export_raw_vdi", {"vdi": vdi},
                                 headers=self.basic_auth("alice", USERS["alice"]))
        self.assertEqual(status, 401)

    def test_data_path_denial_fails_the_task(self):
        sr, _ = self.create_sr("rbac-task-sr")
        vdi = self.create_vdi(sr, size=1024 * 1024)
        ro = self.sessions["read-only"]
        task = ro.xenapi.task.create("rbac", "")
        status, _, _ = self.http("GET", "/export_raw_vdi",
                                 {"vdi": vdi, "session_id": ro.handle, "task_id": task})
        self.assertEqual(status, 403)
        rec = self.x.task.get_record(task)
        self.assertEqual(rec["status"], "failure")
        self.assertEqual(rec["error_info"],
                         ["RBAC_PERMISSION_DENIED", "http/get_export_raw_vdi",
                          "No permission in user session. (Roles with this permission: "
                          "pool-admin, pool-operator, vm-power-admin, vm-admin)"])

    # ---- the local superuser ----

    def test_root_over_unix_socket_is_superuser(self):
        # no password over the socket as uid 0, as xapi; all permissions,
        # also those of no role (session.create_from_db_file's, pool-admin only
        # by the datamodel's roles... host.call_plugin)
        if os.geteuid() != 0:
            self.skipTest("needs root (uid 0 on the unix socket)")
        s = Session(socket_path=self.daemon.socket_path, timeout=harness.CALL_TIMEOUT)
        s.login_with_password("", "")
        try:
            self.assertIs(s.xenapi.session.get_is_local_superuser(s.handle), True)
            self.assertEqual(s.xenapi.session.get_rbac_permissions(s.handle), [])
            self.assertFailure(["HANDLE_INVALID", "host", BOGUS], s.xenapi.host.call_plugin,
                               BOGUS, "p", "f", {})
            self.assertFailure(["HANDLE_INVALID", "subject", BOGUS], s.xenapi.subject.destroy,
                               BOGUS)
        finally:
            s.logout()


class RbacXeTest(harness.DaemonTestCase):
    """xe subject-add, subject-role-add/-remove, subject-remove, role-list."""

    def xe(self, *args, check=True):
        xe = os.path.join(os.path.dirname(os.environ.get("XAPID", "xapid")), "xe")
        p = subprocess.run([xe, "--socket", self.daemon.socket_path] + list(args),
                           capture_output=True, text=True, timeout=60)
        if check:
            self.assertEqual(p.returncode, 0, "xe %s: %s%s" % (args, p.stdout, p.stderr))
        return p

    def setUp(self):
        super().setUp()
        if os.geteuid() != 0:
            self.skipTest("xe over the unix socket logs in as root: needs uid 0")

    def test_role_list(self):
        p = self.xe("role-list")
        self.assertRegex(p.stdout, r"uuid \( RO\)\s*: 0165f154-ba3e-034e-6b27-5d271af109ba\n"
                                   r"\s*name \( RO\): pool-admin\n\s*description \( RO\): The Pool")
        self.assertNotIn("vm.start", p.stdout)
        uuids = self.xe("role-list", "--minimal").stdout.strip().split(",")
        self.assertEqual(len(uuids), len(ALL_ROLES))
        self.assertIn("0165f154-ba3e-034e-6b27-5d271af109ba", uuids)

    def test_subject_commands(self):
        uuid = self.xe("subject-add", "subject-name=alice").stdout.strip()
        subject = self.x.subject.get_by_uuid(uuid)
        self.assertEqual(self.x.subject.get_subject_identifier(subject), "alice")
        self.xe("subject-role-add", "uuid=" + uuid, "role-name=read-only")
        ro = self.x.role.get_by_name_label("read-only")[0]
        self.assertEqual(self.x.subject.get_roles(subject), [ro])
        s = self.daemon.session("alice", USERS["alice"])
        self.assertIsInstance(s.xenapi.VM.get_all(), list)
        p = self.xe("subject-role-add", "uuid=" + uuid, "role-name=read-only", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("ROLE_ALREADY_EXISTS", p.stdout + p.stderr)
        p = self.xe("subject-role-add", "uuid=" + uuid, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Required parameter not found: role-uuid or role-name", p.stderr)
        self.xe("subject-role-add", "uuid=" + uuid,
                "role-uuid=" + self.x.role.get_uuid(self.x.role.get_by_name_label("vm-admin")[0]))
        self.xe("subject-role-remove", "uuid=" + uuid, "role-name=vm-admin")
        self.assertEqual(self.x.subject.get_roles(subject), [ro])
        p = self.xe("subject-role-remove", "uuid=" + uuid, "role-name=no-such-role", check=False)
        self.assertIn("ROLE_NOT_FOUND", p.stdout + p.stderr)
        self.xe("subject-remove", "subject-uuid=" + uuid)
        self.assertEqual(self.x.subject.get_all(), [])
        self.assertFailure("SESSION_INVALID", s.xenapi.VM.get_all)
        s.close()
        p = self.xe("subject-add", "subject-name=nosuchuser", check=False)
        self.assertIn("SUBJECT_CANNOT_BE_RESOLVED", p.stdout + p.stderr)

    def test_session_subject_identifier_commands(self):
        subject = add_subject(self.x, "user-read-only", "read-only")
        self.addCleanup(self.x.subject.destroy, subject)
        self.assertEqual(self.xe("session-subject-identifier-list", "--minimal").stdout, "\n")
        s1 = self.daemon.session("user-read-only", USERS["user-read-only"])
        self.assertEqual(self.xe("session-subject-identifier-list", "--minimal").stdout,
                         "user-read-only\n")
        self.assertRegex(self.xe("session-subject-identifier-list").stdout,
                         r"subject-identifier \( RO\)\s*: user-read-only\n")
        self.xe("session-subject-identifier-logout", "subject-identifier=user-read-only")
        self.assertFailure("SESSION_INVALID", s1.xenapi.VM.get_all)
        s2 = self.daemon.session("user-read-only", USERS["user-read-only"])
        self.xe("session-subject-identifier-logout-all")
        self.assertFailure("SESSION_INVALID", s2.xenapi.VM.get_all)
        self.assertIsInstance(self.x.VM.get_all(), list)  # root's session stays
        s1.close()
        s2.close()


if __name__ == "__main__":
    unittest.main()

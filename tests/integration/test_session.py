"""Sessions: login forms, authentication failures, logout, local logout,
session records, the local root login over the unix socket, idle expiry
(xenapi-protocol.md 3.1)."""

import os
import time
import unittest

import xmlrpc.client

from harness import (DaemonTestCase, Failure, ROOT_PASSWORD, ROOT_USER, REF_RE, UUID_RE,
                     USERS, Session, add_subject, new_ref)


class SessionTest(DaemonTestCase):

    def test_login_with_4_3_2_arguments(self):
        for args in ((ROOT_USER, ROOT_PASSWORD, "1.0", "it-four"),
                     (ROOT_USER, ROOT_PASSWORD, "2.14.18"),       # Ansible sends its own version
                     (ROOT_USER, ROOT_PASSWORD)):                 # xen-api (XO) sends two
            with self.subTest(nargs=len(args)):
                r = self.raw("session.login_with_password", *args)
                self.assertEqual(r["Status"], "Success", r)
                self.assertRegex(r["Value"], REF_RE)
                self.assertEqual(self.raw("VM.get_all", r["Value"])["Status"], "Success")
                self.assertEqual(self.raw("session.logout", r["Value"]),
                                 {"Status": "Success", "Value": ""})

    def test_login_parameter_count(self):
        # expected = the parameters without a default (uname, pwd).
        self.assertEnvelopeFailure(
            ["MESSAGE_PARAMETER_COUNT_MISMATCH", "session.login_with_password", "2", "1"],
            self.raw("session.login_with_password", ROOT_USER))
        self.assertEnvelopeFailure(
            ["MESSAGE_PARAMETER_COUNT_MISMATCH", "session.login_with_password", "2", "0"],
            self.raw("session.login_with_password"))

    def test_authentication_failed(self):
        # xapi: SESSION_AUTHENTICATION_FAILED [uname, reason text]
        for user, pw in ((ROOT_USER, "wrong"), ("nosuchuser", "x"), ("alice", ROOT_PASSWORD),
                         (ROOT_USER, "")):
            with self.subTest(user=user, pw=pw):
                r = self.raw("session.login_with_password", user, pw, "1.0", "it")
                self.assertEqual(r.get("Status"), "Failure", r)
                desc = r["ErrorDescription"]
                self.assertEqual(desc[0], "SESSION_AUTHENTICATION_FAILED", desc)
                self.assertEqual(len(desc), 3, desc)
                self.assertEqual(desc[1], user)

    def test_other_user_login(self):
        # a user other than root logs in as a subject (test_rbac for the rest)
        subject = add_subject(self.x, "alice", "read-only")
        self.addCleanup(self.x.subject.destroy, subject)
        s = self.daemon.session("alice", USERS["alice"])
        try:
            self.assertIsInstance(s.xenapi.VM.get_all(), list)
            # only root is the local superuser
            self.assertIs(s.xenapi.session.get_is_local_superuser(s.handle), False)
        finally:
            s.logout()

    def test_session_record(self):
        s = self.new_session(originator="it-originator")
        try:
            x = s.xenapi
            rec = x.session.get_record(s.handle)
            self.assertRegex(rec["uuid"], UUID_RE)
            self.assertEqual(x.session.get_by_uuid(rec["uuid"]), s.handle)
            self.assertEqual(rec["originator"], "it-originator")
            self.assertEqual(rec["this_host"], x.pool.get_master(x.pool.get_all()[0]))
            self.assertIs(rec["is_local_superuser"], True)
            self.assertIs(rec["pool"], False)
            self.assertIsInstance(rec["last_active"], xmlrpc.client.DateTime)
            self.assertIsInstance(rec["other_config"], dict)
            self.assertIsInstance(rec["tasks"], list)
            # another session may read this one's record
            self.assertEqual(self.x.session.get_originator(s.handle), "it-originator")
        finally:
            s.logout()

    def test_get_this_host_and_this_user(self):
        host = self.x.session.get_this_host(self.session.handle)
        self.assertRegex(host, REF_RE)
        self.assertEqual(self.x.host.get_all(), [host])
        user = self.x.session.get_this_user(self.session.handle)
        self.assertTrue(user.startswith("OpaqueRef:"), user)

    def test_last_active_is_refreshed(self):
        s = self.new_session()
        try:
            before = s.xenapi.session.get_last_active(s.handle)
            time.sleep(1.2)
            s.xenapi.VM.get_all()
            after = s.xenapi.session.get_last_active(s.handle)
            self.assertGreater(after.value, before.value)
        finally:
            s.logout()

    def test_logout(self):
        s = self.new_session()
        ref = s.handle
        self.assertEqual(self.raw("session.logout", ref), {"Status": "Success", "Value": ""})
        self.assertEnvelopeFailure(["SESSION_INVALID", ref], self.raw("VM.get_all", ref))
        self.assertEnvelopeFailure(["SESSION_INVALID", ref], self.raw("session.logout", ref))
        # its record is gone for everybody else
        self.assertFailure(["HANDLE_INVALID", "session", ref], self.x.session.get_record, ref)

    def test_logout_leaves_other_sessions(self):
        a, b = self.new_session(), self.new_session()
        a.logout()
        try:
            self.assertIsInstance(b.xenapi.VM.get_all(), list)
        finally:
            b.logout()

    def test_session_invalid_refs(self):
        # Negative SESSION_INVALID tests bypass any re-login logic: raw proxy.
        for bad in (new_ref(), "OpaqueRef:NULL", "not-a-ref", ""):
            with self.subTest(session=bad):
                self.assertEnvelopeFailure(["SESSION_INVALID", bad], self.raw("VM.get_all", bad))
                self.assertEnvelopeFailure(["SESSION_INVALID", bad],
                                           self.raw("session.get_this_host", bad, bad))

    def test_local_logout(self):
        # local_logout ends the session made by slave_local_login_with_password
        # (the emergency login of local dom0 tools).
        s = Session(self.daemon.url)
        ref = s.slave_local_login_with_password(ROOT_USER, ROOT_PASSWORD)
        self.assertRegex(ref, REF_RE)
        self.assertIsInstance(s.xenapi.VM.get_all(), list)
        self.assertEqual(self.raw("session.local_logout", ref), {"Status": "Success", "Value": ""})
        self.assertEnvelopeFailure(["SESSION_INVALID", ref], self.raw("VM.get_all", ref))

    def test_many_sessions(self):
        sessions = [self.new_session() for _ in range(30)]
        refs = {s.handle for s in sessions}
        self.assertEqual(len(refs), 30)
        for s in sessions:
            s.logout()

    @unittest.skipUnless(os.getuid() == 0, "needs uid 0 (local root login over the unix socket)")
    def test_root_login_without_password_over_unix_socket(self):
        s = Session(socket_path=self.daemon.socket_path)
        ref = s.login_with_password("root", "")
        try:
            self.assertRegex(ref, REF_RE)
            self.assertIs(s.xenapi.session.get_is_local_superuser(ref), True)
            self.assertIsInstance(s.xenapi.VM.get_all(), list)
        finally:
            s.logout()
        # two-argument form, as Ansible's xenserver_facts does via xapi_local()
        s = Session(socket_path=self.daemon.socket_path)
        self.assertRegex(s.login_with_password("root", "", None), REF_RE)
        s.logout()

    def test_root_without_password_over_tcp_refused(self):
        with self.assertRaises(Failure) as cm:
            Session(self.daemon.url).login_with_password("root", "")
        self.assertEqual(cm.exception.details[0], "SESSION_AUTHENTICATION_FAILED")


class SessionIdleTest(DaemonTestCase):
    """Sessions idle for longer than session_idle_timeout seconds are reaped
    (xapi: 24 h). The daemon must notice within a few seconds."""

    daemon_config = {"session_idle_timeout": 2}

    def test_idle_session_expires_active_one_stays(self):
        idle = self.new_session()
        active = self.new_session()
        deadline = time.monotonic() + 6.0
        while time.monotonic() < deadline:
            active.xenapi.VM.get_all()          # keeps it alive
            time.sleep(0.4)
        self.assertEnvelopeFailure(["SESSION_INVALID", idle.handle],
                                   self.raw("VM.get_all", idle.handle))
        self.assertIsInstance(active.xenapi.VM.get_all(), list)
        # a new login works as usual
        fresh = self.new_session()
        self.assertIsInstance(fresh.xenapi.VM.get_all(), list)
        fresh.logout()
        active.logout()


if __name__ == "__main__":
    unittest.main()

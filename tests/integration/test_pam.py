"""Logins through PAM (no --users file): a real system account with a
password, as an operator's root login would go. The suite runs as root (CI
does), so it can make a throwaway account; it is removed afterwards."""
import os
import subprocess
import unittest

from harness import Xapid
from xenapi_client import Failure, Session

USER = "xapic-pamtest"
PASSWORD = "Pam-test-pw-7"


class PamXapid(Xapid):
    def command(self):
        cmd = super().command()
        i = cmd.index("--users")
        del cmd[i:i + 2]
        return cmd


class PamLoginTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise AssertionError("the PAM test makes a system account: run the suite as root")
        subprocess.run(["userdel", USER], capture_output=True)
        subprocess.run(["useradd", "-M", "-s", "/usr/sbin/nologin", USER], check=True)
        subprocess.run(["chpasswd"], input="%s:%s\n" % (USER, PASSWORD), text=True, check=True)
        cls.daemon = PamXapid(name="PamLoginTest")
        cls.daemon.start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.daemon.stop()
        finally:
            cls.daemon.cleanup()
            subprocess.run(["userdel", USER], capture_output=True)

    def test_right_password(self):
        # a PAM account other than root needs a subject (RBAC, doc/xapid.md)
        s = Session(self.daemon.url)
        with self.assertRaises(Failure) as cm:
            s.login_with_password(USER, PASSWORD, "1.0", "pam-test")
        self.assertEqual(cm.exception.details,
                         ["SESSION_AUTHENTICATION_FAILED", USER,
                          "Subject %s (identifier %s, from 127.0.0.1) has no access rights in "
                          "this pool" % (USER, USER)])
        root = Session(socket_path=self.daemon.socket_path)
        root.login_with_password("root", "")
        self.addCleanup(root.logout)
        x = root.xenapi
        self.assertEqual(x.auth.get_subject_identifier(USER), USER)
        subject = x.subject.create({"subject_identifier": USER, "other_config": {}})
        self.addCleanup(x.subject.destroy, subject)
        info = x.subject.get_other_config(subject)
        self.assertEqual(info["subject-name"], USER)
        self.assertRegex(info["subject-uid"], r"^[0-9]+$")
        self.assertIsInstance(x.auth.get_group_membership(USER), list)
        x.subject.add_to_roles(subject, x.role.get_by_name_label("read-only")[0])
        ref = s.login_with_password(USER, PASSWORD, "1.0", "pam-test")
        self.assertTrue(ref.startswith("OpaqueRef:"))
        self.assertEqual(s.xenapi.session.get_auth_user_name(ref), USER)
        s.logout()

    def test_wrong_password_and_unknown_user(self):
        for user, pw in ((USER, "wrong"), ("no-such-user-xapic", PASSWORD), (USER, "")):
            with self.subTest(user=user, pw=pw):
                s = Session(self.daemon.url)
                with self.assertRaises(Failure) as cm:
                    s.login_with_password(user, pw)
                self.assertEqual(cm.exception.details[:2], ["SESSION_AUTHENTICATION_FAILED", user])


if __name__ == "__main__":
    unittest.main()

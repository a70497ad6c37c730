"""The bash completion of xe (cli/bash-completion/xe), run in a real bash
against a live daemon: command names, a command's parameters, and the
uuids and names of the objects after uuid=, <class>-uuid= and vm=."""
import os
import shutil
import subprocess
import unittest

from harness import DaemonTestCase, build_dir

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(TOP, "cli", "bash-completion", "xe")


@unittest.skipIf(shutil.which("bash") is None, "no bash")
class XeCompletion(DaemonTestCase):
    def complete(self, line, wordbreaks=None):
        """What the completion offers for the command line typed so far."""
        prog = r'''
source "$SCRIPT"
COMP_LINE=$LINE
COMP_POINT=${#COMP_LINE}
read -ra COMP_WORDS <<< "$COMP_LINE"
[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
%s
_xe
printf '%%s\n' "${COMPREPLY[@]}"
''' % (("COMP_WORDBREAKS=%s" % wordbreaks) if wordbreaks is not None else "")
        env = dict(os.environ, SCRIPT=SCRIPT, LINE=line, XE_SOCKET=self.daemon.socket_path,
                   PATH=str(build_dir()) + os.pathsep + os.environ["PATH"])
        r = subprocess.run(["bash", "-c", prog], env=env, capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        return [w for w in r.stdout.split("\n") if w]

    def test_command_names(self):
        got = self.complete("xe vm-sta")
        self.assertEqual(got, ["vm-start"])
        got = self.complete("xe sr-")
        for want in ("sr-create", "sr-list", "sr-param-set", "sr-scan"):
            self.assertIn(want, got)
        self.assertTrue(all(w.startswith("sr-") for w in got), got)

    def test_parameters_of_a_command(self):
        got = self.complete("xe sr-create ")
        for want in ("name-label=", "type=", "device-config:", "shared="):
            self.assertIn(want, got)
        got = self.complete("xe vm-start ")
        for want in ("vm=", "uuid=", "paused="):
            self.assertIn(want, got)
        self.assertEqual(self.complete("xe vm-list --mini"), ["--minimal"])

    def test_uuids_and_names_of_objects(self):
        vm = self.create_vm("compl-vm")
        uuid = self.x.VM.get_uuid(vm)
        self.assertEqual(self.complete("xe vm-start uuid=" + uuid[:6]), [uuid])
        self.assertIn("compl-vm", self.complete("xe vm-start vm=compl"))
        host_uuid = self.x.host.get_uuid(self.x.host.get_all()[0])
        self.assertEqual(self.complete("xe vm-start vm=x host-uuid=" + host_uuid[:4]),
                         [host_uuid])
        # where bash does not break words at '=', the reply is the whole word
        self.assertEqual(self.complete("xe vm-start uuid=" + uuid[:6], wordbreaks="' '"),
                         ["uuid=" + uuid])
        self.x.VM.destroy(vm)

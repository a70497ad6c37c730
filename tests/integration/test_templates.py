"""The default template catalogue (core/host/templates.json): the templates
xapi hosts carry with the catalogue's names, uuids, memory, platform flags,
recommendations and disks; refreshed at every start (a changed default template
gets the catalogue's settings back; user templates and a template's own
mac_seed are kept); `xe vm-install template="Debian Bookworm 12"` gives a VM
with its 10 GiB disk provisioned on the SR asked for."""
import json
import os
import re
import subprocess

from harness import ROOT_PASSWORD, ROOT_USER, build_dir
from storage_util import StorageTestCase

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GiB = 1 << 30


def catalogue_names():
    with open(os.path.join(TOP, "core", "host", "templates.json")) as f:
        return {t["reference_label"]: t["name_label"] for t in json.load(f)["templates"]}


class Templates(StorageTestCase):
    def defaults(self):
        return {r["reference_label"]: (ref, r) for ref, r in self.x.VM.get_all_records_where(
            'field "is_default_template" = "true"').items()}

    def test_every_catalogue_template_is_there(self):
        have = self.defaults()
        names = catalogue_names()
        self.assertEqual(set(have), set(names))
        for label, name in names.items():
            rec = have[label][1]
            self.assertEqual(rec["name_label"], name)
            # every amount of the catalogue parsed (a bad one would be -1)
            self.assertGreater(int(rec["memory_static_min"]), 0, label)
            for size in re.findall(r'size="([^"]*)"', rec["other_config"].get("disks", "")):
                self.assertGreater(int(size), 0, label)
            self.assertNotIn('max="-1"', rec["recommendations"], label)
        for want in ("Debian Bookworm 12", "Ubuntu Noble Numbat 24.04", "AlmaLinux 9",
                     "Rocky Linux 9", "Red Hat Enterprise Linux 9", "CentOS Stream 9",
                     "SUSE Linux Enterprise 15 (64-bit)", "Windows 11",
                     "Windows Server 2022 (64-bit)", "Generic Linux UEFI", "Generic Linux BIOS",
                     "Other install media"):
            self.assertIn(want, names.values())

    def test_a_linux_and_a_windows_template_as_the_catalogue_describes_them(self):
        _, deb = self.defaults()["debian-12"]
        self.assertEqual(deb["uuid"], "07d91aaa-43f7-430a-bf84-0edb6714df0f")
        self.assertIs(deb["is_a_template"], True)
        self.assertEqual(deb["memory_static_min"], str(1 * GiB))
        self.assertEqual(deb["memory_static_max"], str(2 * GiB))
        self.assertEqual(deb["memory_dynamic_min"], str(2 * GiB))
        self.assertEqual(deb["HVM_boot_policy"], "BIOS order")
        self.assertEqual(deb["HVM_boot_params"], {"order": "cdn", "firmware": "uefi"})
        self.assertEqual(deb["platform"]["secureboot"], "auto")
        self.assertNotIn("device-model", deb["platform"])
        self.assertEqual(deb["domain_type"], "hvm")
        oc = deb["other_config"]
        self.assertEqual(oc["install-methods"], "cdrom,nfs,http,ftp")
        self.assertEqual(oc["linux_template"], "true")
        self.assertEqual(oc["default_template"], "true")
        self.assertRegex(oc["mac_seed"], r"^[0-9a-f-]{36}$")
        self.assertEqual(oc["disks"], '<provision><disk device="0" size="%d" sr="" '
                         'bootable="true" type="system"/></provision>' % (10 * GiB))
        self.assertIn('<restriction field="supports-uefi" value="yes"/>', deb["recommendations"])
        self.assertIn('<restriction property="number-of-vifs" max="7"/>',
                      deb["recommendations"])
        _, win = self.defaults()["windows-11"]
        self.assertEqual((win["VCPUs_max"], win["VCPUs_at_startup"]), ("2", "2"))
        self.assertIs(win["has_vendor_device"], True)
        self.assertEqual(win["platform"]["viridian"], "true")
        self.assertEqual(win["platform"]["vtpm"], "true")
        self.assertIn('<restriction field="supports-bios" value="no"/>', win["recommendations"])
        self.assertIn('bootable="false"', win["other_config"]["disks"])

    def test_refreshed_at_every_start_and_user_templates_untouched(self):
        ref, deb = self.defaults()["debian-12"]
        seed = deb["other_config"]["mac_seed"]
        self.x.VM.set_name_description(ref, "changed by hand")
        self.x.VM.set_memory_static_max(ref, str(8 * GiB))
        self.x.VM.add_to_platform(ref, "secureboot-x", "1")
        # a default template cannot be destroyed, as xapi's
        gone, _ = self.defaults()["rocky-8"]
        self.assertFailure(["VM_IS_TEMPLATE", gone, "destroy"], self.x.VM.destroy, gone)
        mine = self.x.VM.clone(ref, "my own debian")   # a user's template
        self.x.VM.set_name_description(mine, "mine")
        self.restart_daemon()
        have = self.defaults()
        ref2, deb2 = have["debian-12"]
        self.assertEqual(ref2, ref)
        self.assertEqual(deb2["name_description"], deb["name_description"])
        self.assertEqual(deb2["memory_static_max"], str(2 * GiB))
        self.assertNotIn("secureboot-x", deb2["platform"])
        self.assertEqual(deb2["other_config"]["mac_seed"], seed)
        self.assertEqual(len(have), len(catalogue_names()))   # nothing made twice
        self.assertEqual(self.x.VM.get_name_description(mine), "mine")
        self.assertIs(self.x.VM.get_is_default_template(mine), False)
        self.x.VM.destroy(mine)

    def test_xe_vm_install_debian_with_its_disk(self):
        sr, _ = self.create_sr("tpl-sr")
        xe = os.path.join(build_dir(), "xe")
        p = subprocess.run([xe, "--socket", self.daemon.socket_path, "-u", ROOT_USER, "-pw",
                            ROOT_PASSWORD, "vm-install", "template=Debian Bookworm 12",
                            "new-name-label=deb-x", "sr-uuid=" + self.x.SR.get_uuid(sr)],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout.strip(), r"^[0-9a-f-]{36}$")
        vm = self.x.VM.get_by_uuid(p.stdout.strip())
        rec = self.x.VM.get_record(vm)
        self.assertIs(rec["is_a_template"], False)
        self.assertIs(rec["is_default_template"], False)
        self.assertNotIn("disks", rec["other_config"])
        self.assertEqual(len(rec["VBDs"]), 1)
        vbd = self.x.VBD.get_record(rec["VBDs"][0])
        self.assertEqual((vbd["userdevice"], vbd["bootable"], vbd["type"]), ("0", True, "Disk"))
        vdi = self.x.VDI.get_record(vbd["VDI"])
        self.assertEqual(vdi["SR"], sr)
        self.assertEqual(vdi["virtual_size"], str(10 * GiB))
        self.x.VM.start(vm, False, False)
        self.assertEqual(self.x.VM.get_power_state(vm), "Running")
        self.x.VM.hard_shutdown(vm)
        for b in rec["VBDs"]:
            self.x.VDI.destroy(self.x.VBD.get_VDI(b))
        self.x.VM.destroy(vm)

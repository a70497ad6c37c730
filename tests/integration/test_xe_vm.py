"""xe's VM, template and snapshot commands against a running xapid: the
selectors upstream's commands share (vm=<name or uuid>, field filters,
--multiple, --force), the power lifecycle, clone/copy/snapshot/checkpoint/
revert, install from a template with its disks provisioned, uninstall with
the disks a VM owns, memory and vCPU settings; their output (the new uuid,
nothing), exit codes and the errors xapi's CLI gives for bad input."""

import os
import subprocess

from harness import ROOT_PASSWORD, ROOT_USER, UUID_RE, vbd_record
from storage_util import MIB, StorageTestCase
from test_xe import xe_binary

GiB = 1 << 30


class XeVmBase(StorageTestCase):
    """A daemon with a file SR, and xe to run against it."""

    daemon_config = {"sim_memory": str(16 * GiB), "clean_shutdown_timeout": "2"}

    @classmethod
    def setUpClass(cls):
        cls.xe_path = str(xe_binary())
        if not os.access(cls.xe_path, os.X_OK):
            raise AssertionError("no xe at %s" % cls.xe_path)
        super().setUpClass()
        loc = cls.srdir + "/xe-vm-sr"
        os.makedirs(loc)
        cls.sr = cls.x.SR.create(cls.host, {"location": loc}, "0", "xe-vm-sr", "", "file",
                                 "user", False, {})
        cls.sr_uuid = cls.x.SR.get_uuid(cls.sr)

    # ---- running xe ----

    def run_xe(self, args, remote=False, stdin=""):
        cmd = [self.xe_path]
        if remote:
            cmd += ["-s", "127.0.0.1", "-p", str(self.daemon.tls_port), "-u", ROOT_USER,
                    "-pw", ROOT_PASSWORD]
        else:
            cmd += ["--socket", self.daemon.socket_path]
            if os.geteuid() != 0:
                cmd += ["-u", ROOT_USER, "-pw", ROOT_PASSWORD]
        return subprocess.run(cmd + list(args), input=stdin, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=120)

    def xe(self, *args, remote=False, stdin=""):
        p = self.run_xe(args, remote, stdin)
        if p.returncode != 0:
            self.fail("xe %s: exit %d\n%s%s" % (" ".join(args), p.returncode, p.stdout,
                                                 p.stderr))
        return p.stdout

    def xe_fails(self, *args):
        p = self.run_xe(args)
        self.assertEqual(p.returncode, 1, "want exit 1: %r %r" % (p.stdout, p.stderr))
        self.assertEqual(p.stdout, "")
        return p.stderr

    def assertFailure_(self, stderr, message):
        """xapi's CLI server turns a failwith into INTERNAL_ERROR."""
        self.assertIn("Error code: INTERNAL_ERROR\n", stderr)
        self.assertIn("Error parameters: Failure: %s\n" % message, stderr)

    # ---- objects ----

    def new_vm(self, name, **extra):
        vm = self.create_vm(name, **extra)
        self.addCleanup(self.cleanup_vm, vm)
        return vm, self.x.VM.get_uuid(vm)

    def cleanup_vm(self, vm):
        x = self.x
        try:
            for s in x.VM.get_snapshots(vm):
                x.VM.destroy(s)
            if x.VM.get_power_state(vm) != "Halted":
                x.VM.hard_shutdown(vm)
            x.VM.destroy(vm)
        except Exception:
            pass

    def power(self, vm):
        return self.x.VM.get_power_state(vm)

    def disk(self, vm, name, device="0"):
        vdi = self.create_vdi(self.sr, 2 * MIB, name)
        vbd = vbd_record(vm, vdi, device)
        vbd["other_config"] = {"owner": "true"}
        self.x.VBD.create(vbd)
        return vdi



class XeVmTest(XeVmBase):

    # ---- the power lifecycle ----

    def test_power_lifecycle(self):
        vm, uuid = self.new_vm("xe-life")
        self.assertEqual(self.xe("vm-start", "vm=xe-life"), "")
        self.assertEqual(self.power(vm), "Running")
        self.assertEqual(self.xe("vm-pause", "uuid=%s" % uuid), "")
        self.assertEqual(self.power(vm), "Paused")
        self.xe("vm-unpause", "vm=%s" % uuid)
        self.assertEqual(self.power(vm), "Running")
        self.xe("vm-suspend", "vm=xe-life")
        self.assertEqual(self.power(vm), "Suspended")
        self.xe("vm-resume", "vm=xe-life")
        self.assertEqual(self.power(vm), "Running")
        domid = self.x.VM.get_domid(vm)
        self.xe("vm-reboot", "vm=xe-life", "--force")
        self.assertEqual(self.power(vm), "Running")
        self.assertNotEqual(self.x.VM.get_domid(vm), domid)
        self.xe("vm-shutdown", "vm=xe-life", "--force")
        self.assertEqual(self.power(vm), "Halted")
        self.xe("vm-start", "vm=xe-life", "--paused")
        self.assertEqual(self.power(vm), "Paused")
        self.xe("vm-shutdown", "vm=xe-life", "--force")
        host_uuid = self.x.host.get_uuid(self.host)
        self.xe("vm-start", "vm=xe-life", "on=%s" % host_uuid)
        self.assertEqual(self.x.VM.get_resident_on(vm), self.host)
        self.xe("vm-shutdown", "vm=xe-life", "--force")
        # over TCP too
        self.xe("vm-start", "uuid=%s" % uuid, remote=True)
        self.assertEqual(self.power(vm), "Running")
        self.xe("vm-shutdown", "uuid=%s" % uuid, "--force", remote=True)
        self.assertEqual(self.power(vm), "Halted")

    def test_power_errors(self):
        vm, uuid = self.new_vm("xe-bad-power")
        err = self.xe_fails("vm-unpause", "uuid=%s" % uuid)
        self.assertIn("Error code: VM_BAD_POWER_STATE\n", err)
        self.assertIn("Error parameters: %s, paused, halted\n" % vm, err)
        err = self.xe_fails("vm-start", "vm=xe-bad-power", "on=no-such-host")
        self.assertFailure_(err, "No matching hosts found")
        err = self.xe_fails("vm-start", "vm=xe-bad-power", "paused=maybe")
        self.assertEqual(err, "Error: Parameter paused: 'maybe' is not a boolean\n")
        err = self.xe_fails("vm-reset-powerstate", "uuid=%s" % uuid)
        self.assertFailure_(err, "This operation is dangerous and may cause data loss. This "
                            "operation must be forced (use --force).")
        self.assertEqual(self.xe("vm-reset-powerstate", "uuid=%s" % uuid, "--force"), "")

    # ---- the selectors ----

    def test_selectors(self):
        a, ua = self.new_vm("xe-sel-a", other_config={"grp": "sel"})
        b, ub = self.new_vm("xe-sel-b", other_config={"grp": "sel"})
        err = self.xe_fails("vm-start", "other-config:grp=sel")
        self.assertFailure_(err, "Multiple matches VMs found. --multiple required to "
                            "complete the operation")
        self.assertEqual((self.power(a), self.power(b)), ("Halted", "Halted"))
        self.xe("vm-start", "other-config:grp=sel", "--multiple")
        self.assertEqual((self.power(a), self.power(b)), ("Running", "Running"))
        # a field filter: only the running one of the group is stopped
        self.xe("vm-pause", "uuid=%s" % ub)
        self.xe("vm-shutdown", "other-config:grp=sel", "power-state=running", "--force")
        self.assertEqual((self.power(a), self.power(b)), ("Halted", "Paused"))
        self.xe("vm-shutdown", "other-config:grp=sel", "power-state=paused", "--force")
        self.assertEqual(self.power(b), "Halted")
        err = self.xe_fails("vm-start", "vm=no-such-vm")
        self.assertFailure_(err, "No matching VMs found")
        err = self.xe_fails("vm-start", "other-config:grp=sel", "power-state=running")
        self.assertFailure_(err, "No matching VMs found")
        err = self.xe_fails("vm-start", "bogus-field=1")
        self.assertFailure_(err, "Parameter 'bogus-field' is not a field of the VM class. "
                            "Failed to select VM for operation.")
        # vm-copy works on one VM only, --multiple or not
        err = self.xe_fails("vm-copy", "other-config:grp=sel", "new-name-label=c", "--multiple")
        self.assertFailure_(err, "Multiple matches VMs found. Operation can only be "
                            "performed on one VM at a time")

    def test_templates_and_dom0_are_not_selected(self):
        tmpl, tuuid = self.new_vm("xe-sel-tmpl", is_a_template=True)
        err = self.xe_fails("vm-start", "vm=xe-sel-tmpl")
        self.assertFailure_(err, "No matching VMs found")
        dom0 = next(r for r, v in self.x.VM.get_all_records().items() if v["is_control_domain"])
        err = self.xe_fails("vm-shutdown", "uuid=%s" % self.x.VM.get_uuid(dom0), "--force")
        self.assertFailure_(err, "No matching VMs found")
        # vm-clone takes templates
        out = self.xe("vm-clone", "vm=xe-sel-tmpl", "new-name-label=xe-tmpl-clone")
        new = self.x.VM.get_by_uuid(out.strip())
        self.addCleanup(self.cleanup_vm, new)
        self.assertTrue(self.x.VM.get_is_a_template(new))

    # ---- clone, copy, snapshot, revert, uninstall ----

    def test_clone_copy_snapshot_revert(self):
        vm, uuid = self.new_vm("xe-src")
        self.disk(vm, "xe-src-disk")
        out = self.xe("vm-clone", "vm=xe-src", "new-name-label=xe-clone",
                      "new-name-description=cloned by xe")
        self.assertRegex(out, "^%s\n$" % UUID_RE.pattern.strip("^$"))
        clone = self.x.VM.get_by_uuid(out.strip())
        self.addCleanup(self.cleanup_vm, clone)
        self.assertEqual(self.x.VM.get_name_label(clone), "xe-clone")
        self.assertEqual(self.x.VM.get_name_description(clone), "cloned by xe")
        out = self.xe("vm-copy", "uuid=%s" % uuid, "new-name-label=xe-copy",
                      "sr-uuid=%s" % self.sr_uuid)
        copy = self.x.VM.get_by_uuid(out.strip())
        self.addCleanup(self.cleanup_vm, copy)
        vdis = [self.x.VBD.get_VDI(b) for b in self.x.VM.get_VBDs(copy)]
        self.assertEqual([self.x.VDI.get_SR(v) for v in vdis], [self.sr])
        out = self.xe("vm-snapshot", "vm=xe-src", "new-name-label=xe-snap")
        snap = self.x.VM.get_by_uuid(out.strip())
        self.assertTrue(self.x.VM.get_is_a_snapshot(snap))
        self.assertEqual(self.x.VM.get_snapshot_of(snap), vm)
        listed = self.xe("snapshot-list", "snapshot-of=%s" % uuid, "--minimal")
        self.assertEqual(listed, out)
        self.x.VM.set_name_description(vm, "changed after the snapshot")
        self.assertEqual(self.xe("snapshot-revert", "snapshot-uuid=%s" % out.strip()), "")
        self.assertEqual(self.x.VM.get_name_description(vm), "integration test VM")
        # a checkpoint needs a running VM: the server says so
        err = self.xe_fails("vm-checkpoint", "vm=xe-src", "new-name-label=cp")
        self.assertIn("Error code: VM_BAD_POWER_STATE\n", err)
        # snapshot-* refuse what is not a snapshot
        err = self.xe_fails("snapshot-revert", "uuid=%s" % uuid)
        self.assertFailure_(err, "This operation can only be performed on a VM snapshot. %s "
                            "is not a VM snapshot." % uuid)
        err = self.xe_fails("snapshot-revert")
        self.assertFailure_(err, "Required parameter not found: snapshot-uuid or uuid.")
        err = self.xe_fails("vm-clone", "vm=xe-src")
        self.assertEqual(err, "Required parameter not found: new-name-label\n")
        err = self.xe_fails("vm-copy", "vm=xe-src", "new-name-label=x", "sr-uuid=nope")
        self.assertIn("Error code: UUID_INVALID\n", err)
        # snapshot-clone makes a template from the snapshot
        out2 = self.xe("snapshot-clone", "uuid=%s" % out.strip(), "new-name-label=xe-from-snap")
        t = self.x.VM.get_by_uuid(out2.strip())
        self.addCleanup(self.cleanup_vm, t)
        self.assertEqual(self.x.VM.get_name_label(t), "xe-from-snap")
        # snapshot-uninstall: the snapshot and its own disks
        snap_vdis = [self.x.VBD.get_VDI(b) for b in self.x.VM.get_VBDs(snap)]
        out3 = self.xe("snapshot-uninstall", "uuid=%s" % out.strip(), "--force")
        lines = out3.splitlines()
        self.assertEqual(lines[0], "The following items are about to be destroyed")
        self.assertEqual(lines[1], "VM : %s (xe-snap)" % out.strip())
        self.assertEqual(lines[-1], "All objects destroyed")
        self.assertNotIn(snap, self.x.VM.get_all())
        for v in snap_vdis:
            self.assertNotIn(v, self.x.VDI.get_all())

    def test_vm_uninstall(self):
        vm, uuid = self.new_vm("xe-uninst")
        vdi = self.disk(vm, "xe-uninst-disk")
        vdi_uuid = self.x.VDI.get_uuid(vdi)
        # kept: a disk the VM does not own
        kept = self.create_vdi(self.sr, 2 * MIB, "xe-kept")
        self.x.VBD.create(vbd_record(vm, kept, "1"))
        self.xe("vm-start", "uuid=%s" % uuid)
        # without --force xe asks; anything but yes aborts
        out = self.xe("vm-uninstall", "uuid=%s" % uuid, stdin="no\n")
        self.assertEqual(out, "The following items are about to be destroyed\n"
                              "VM : %s (xe-uninst)\n"
                              "VDI: %s (xe-uninst-disk) \n"
                              "Type 'yes' to continue\n"
                              "Aborted (you typed: 'no')\n" % (uuid, vdi_uuid))
        self.assertIn(vm, self.x.VM.get_all())
        out = self.xe("vm-uninstall", "uuid=%s" % uuid, stdin="yes\n")
        self.assertTrue(out.endswith("Type 'yes' to continue\nAll objects destroyed\n"), out)
        self.assertNotIn(vm, self.x.VM.get_all())
        self.assertNotIn(vdi, self.x.VDI.get_all())
        self.assertIn(kept, self.x.VDI.get_all())
        self.x.VDI.destroy(kept)

    def test_template_uninstall(self):
        tmpl, tuuid = self.new_vm("xe-tmpl-un", is_a_template=True)
        vm, uuid = self.new_vm("xe-not-tmpl")
        err = self.xe_fails("template-uninstall", "template-uuid=%s" % uuid)
        self.assertFailure_(err, "This operation can only be performed on a VM template. %s "
                            "is not a VM template." % uuid)
        out = self.xe("template-uninstall", "template-uuid=%s" % tuuid, "--force")
        self.assertEqual(out, "The following items are about to be destroyed\n"
                              "VM : %s (xe-tmpl-un)\nAll objects destroyed\n" % tuuid)
        self.assertNotIn(tmpl, self.x.VM.get_all())

    # ---- install ----

    def test_install_from_template(self):
        disks = ('<provision><disk device="0" size="%d" sr="" bootable="true" '
                 'type="system"/></provision>' % (4 * MIB))
        tmpl, tuuid = self.new_vm("xe install tmpl", is_a_template=True,
                                  other_config={"disks": disks})
        out = self.xe("vm-install", "template=xe install tmpl", "new-name-label=xe-installed",
                      "sr-uuid=%s" % self.sr_uuid)
        new = self.x.VM.get_by_uuid(out.strip())
        self.addCleanup(self.cleanup_vm, new)
        rec = self.x.VM.get_record(new)
        self.assertEqual((rec["name_label"], rec["name_description"], rec["is_a_template"]),
                         ("xe-installed", "Installed via xe CLI", False))
        self.assertEqual(rec["suspend_SR"], self.sr)
        vdis = [self.x.VBD.get_VDI(b) for b in rec["VBDs"]]
        self.assertEqual(len(vdis), 1)
        self.assertEqual(self.x.VDI.get_SR(vdis[0]), self.sr)
        self.assertEqual(self.x.VDI.get_virtual_size(vdis[0]), str(4 * MIB))
        # the template is untouched
        self.assertEqual(self.x.VM.get_other_config(tmpl)["disks"], disks)
        # by uuid, without an SR and no default SR for the pool: refused, nothing left
        pool = self.x.pool.get_all()[0]
        before = set(self.x.VM.get_all())
        if self.x.pool.get_default_SR(pool) == "OpaqueRef:NULL":
            err = self.xe_fails("vm-install", "template-uuid=%s" % tuuid, "new-name-label=n")
            self.assertFailure_(err, "Failed to find a valid default SR for the Pool. Please "
                                "provide an sr-name-label or sr-uuid parameter.")
            self.assertEqual(set(self.x.VM.get_all()), before)
        # with the pool's default SR
        self.x.pool.set_default_SR(pool, self.sr)
        self.addCleanup(self.x.pool.set_default_SR, pool, "OpaqueRef:NULL")
        out = self.xe("vm-install", "template=%s" % tuuid, "new-name-label=xe-inst2")
        new2 = self.x.VM.get_by_uuid(out.strip())
        self.addCleanup(self.cleanup_vm, new2)
        self.assertEqual(len(self.x.VM.get_VBDs(new2)), 1)

    def test_install_errors(self):
        vm, uuid = self.new_vm("xe-plain")
        err = self.xe_fails("vm-install", "template=no such template", "new-name-label=x")
        self.assertFailure_(err, "No templates matched")
        err = self.xe_fails("vm-install", "template=%s" % uuid, "new-name-label=x")
        self.assertFailure_(err, "Can only install from templates")
        err = self.xe_fails("vm-install", "new-name-label=x")
        self.assertFailure_(err, "Template must be specified by parameter 'template-uuid', "
                            "'template-name', 'template-name-label' or 'template'")
        err = self.xe_fails("vm-install", "template=x")
        self.assertEqual(err, "Required parameter not found: new-name-label\n")
        self.new_vm("xe-dup-tmpl", is_a_template=True)
        self.new_vm("xe-dup-tmpl", is_a_template=True)
        err = self.xe_fails("vm-install", "template=xe-dup-tmpl", "new-name-label=x")
        self.assertFailure_(err, "More than one matching template found")
        # copy-bios-strings-from= gives the new VM the host's BIOS strings
        tmpl, tuuid = self.new_vm("xe-bios-tmpl", is_a_template=True)
        out = self.xe("vm-install", "template-uuid=%s" % tuuid, "new-name-label=xe-bios",
                      "copy-bios-strings-from=%s" % self.x.host.get_uuid(self.host))
        vm = self.x.VM.get_by_uuid(out.strip())
        self.addCleanup(self.cleanup_vm, vm)
        self.assertEqual(self.x.VM.get_bios_strings(vm), self.x.host.get_bios_strings(self.host))
        err = self.xe_fails("vm-install", "template-name-label=xe-dup-tmpl",
                            "new-name-label=x", "sr-name-label=no such sr")
        self.assertFailure_(err, "More than one matching template found")

    # ---- memory and vCPUs ----

    def test_memory_and_vcpus(self):
        vm, uuid = self.new_vm("xe-mem", VCPUs_max="4")
        self.assertEqual(self.xe("vm-memory-limits-set", "vm=xe-mem", "static-min=128MiB",
                                 "static-max=1GiB", "dynamic-min=256MiB",
                                 "dynamic-max=512MiB"), "")
        rec = self.x.VM.get_record(vm)
        self.assertEqual([rec[k] for k in ("memory_static_min", "memory_static_max",
                                           "memory_dynamic_min", "memory_dynamic_max")],
                         [str(128 * MIB), str(1024 * MIB), str(256 * MIB), str(512 * MIB)])
        self.xe("vm-memory-set", "vm=xe-mem", "memory=768MiB")
        rec = self.x.VM.get_record(vm)
        self.assertEqual((rec["memory_dynamic_max"], rec["memory_static_max"]),
                         (str(768 * MIB), str(768 * MIB)))
        self.xe("vm-memory-dynamic-range-set", "vm=xe-mem", "min=300MiB", "max=600MiB")
        self.assertEqual(self.x.VM.get_memory_dynamic_min(vm), str(300 * MIB))
        self.xe("vm-memory-static-range-set", "vm=xe-mem", "min=200MiB", "max=700MiB")
        self.assertEqual(self.x.VM.get_memory_static_max(vm), str(700 * MIB))
        err = self.xe_fails("vm-memory-set", "vm=xe-mem", "memory=lots")
        self.assertEqual(err, "Error: Parameter memory: 'lots' is not a size (a number of "
                              "bytes, or with a suffix KiB, MiB, GiB, TiB)\n")
        err = self.xe_fails("vm-memory-set", "vm=xe-mem")
        self.assertEqual(err, "Required parameter not found: memory\n")
        err = self.xe_fails("vm-memory-static-range-set", "vm=xe-mem", "min=800MiB",
                            "max=700MiB")
        self.assertIn("Error code: MEMORY_CONSTRAINT_VIOLATION_ORDER\n", err)
        self.xe("vm-start", "vm=xe-mem")
        self.xe("vm-vcpu-hotplug", "vm=xe-mem", "new-vcpus=3")
        self.assertEqual(self.x.VM_metrics.get_VCPUs_number(self.x.VM.get_metrics(vm)), "3")
        self.xe("vm-shutdown", "vm=xe-mem", "--force")

    def test_help(self):
        out = self.xe("help", "vm-start")
        self.assertIn("command name            : vm-start\n", out)
        self.assertIn("        optional params : force, on, paused, <vm-selectors>\n", out)
        for cmd in ("vm-install", "vm-snapshot", "snapshot-revert", "vm-uninstall"):
            self.assertIn(cmd, self.xe("help"))
        self.assertIn("The special pseudo-field 'vm' matches either of name-label or uuid.", out)


class XeVmDeviceTest(XeVmBase):
    """vm-disk-*, vm-cd-*, vm-vif-list."""

    def test_disks(self):
        vm, uuid = self.new_vm("xe-disks")
        self.assertEqual(self.xe("vm-disk-add", "vm=xe-disks", "disk-size=4MiB", "device=1",
                                 "sr-uuid=%s" % self.sr_uuid), "")
        vbds = self.x.VM.get_VBDs(vm)
        self.assertEqual(len(vbds), 1)
        vbd = self.x.VBD.get_record(vbds[0])
        vdi = self.x.VDI.get_record(vbd["VDI"])
        self.assertEqual((vbd["userdevice"], vbd["type"], vbd["mode"], vbd["other_config"]),
                         ("1", "Disk", "RW", {"owner": "true"}))
        self.assertEqual((vdi["name_label"], vdi["virtual_size"], vdi["SR"]),
                         ("Created by xe", str(4 * MIB), self.sr))
        out = self.xe("vm-disk-list", "vm=xe-disks")
        self.assertEqual(out,
                         "Disk 0 VBD:\n"
                         "uuid ( RO)             : %s\n"
                         "    vm-name-label ( RO): xe-disks\n"
                         "       userdevice ( RW): 1\n\n\n"
                         "Disk 0 VDI:\n"
                         "uuid ( RO)             : %s\n"
                         "       name-label ( RW): Created by xe\n"
                         "    sr-name-label ( RO): xe-vm-sr\n"
                         "     virtual-size ( RO): %d\n\n\n"
                         % (vbd["uuid"], vdi["uuid"], 4 * MIB))
        out = self.xe("vm-disk-list", "vm=xe-disks", "vbd-params=device,userdevice",
                      "vdi-params=uuid")
        self.assertIn("Disk 0 VDI:\nuuid ( RO)    : %s\n" % vdi["uuid"], out)
        # running: the new disk is plugged
        self.xe("vm-start", "vm=xe-disks")
        self.xe("vm-disk-add", "vm=xe-disks", "disk-size=2MiB", "device=2",
                "sr-uuid=%s" % self.sr_uuid)
        new = [b for b in self.x.VM.get_VBDs(vm) if b != vbds[0]]
        self.assertTrue(self.x.VBD.get_currently_attached(new[0]))
        self.xe("vm-shutdown", "vm=xe-disks", "--force")
        err = self.xe_fails("vm-disk-remove", "vm=xe-disks", "device=9")
        self.assertFailure_(err, "Disk not found")
        self.assertEqual(self.xe("vm-disk-remove", "vm=xe-disks", "device=1"), "")
        self.assertNotIn(vbd["VDI"], self.x.VDI.get_all())
        err = self.xe_fails("vm-disk-add", "vm=xe-disks", "disk-size=big", "device=3")
        self.assertIn("Parameter disk-size: 'big' is not a size", err)
        err = self.xe_fails("vm-disk-add", "vm=xe-disks", "disk-size=1MiB")
        self.assertEqual(err, "Required parameter not found: device\n")
        pool = self.x.pool.get_all()[0]
        if self.x.pool.get_default_SR(pool) == "OpaqueRef:NULL":
            err = self.xe_fails("vm-disk-add", "vm=xe-disks", "disk-size=1MiB", "device=3")
            self.assertFailure_(err, "No default Pool SR set; you must specify an SR on the "
                                "commandline")

    def test_cds(self):
        loc = self.new_location("iso")
        iso_sr = self.x.SR.create(self.host, {"location": loc}, "0", "xe-isos", "", "file",
                                  "iso", False, {})
        iso = self.create_vdi(iso_sr, 1 * MIB, "tools.iso")
        vm, uuid = self.new_vm("xe-cds")
        self.assertEqual(self.xe("vm-cd-add", "vm=xe-cds", "cd-name=tools.iso", "device=3"), "")
        vbd = self.x.VM.get_VBDs(vm)[0]
        self.assertEqual((self.x.VBD.get_type(vbd), self.x.VBD.get_VDI(vbd)), ("CD", iso))
        out = self.xe("vm-cd-list", "vm=xe-cds", "vdi-params=name-label")
        self.assertEqual(out, "CD 0 VBD:\n"
                              "uuid ( RO)             : %s\n"
                              "    vm-name-label ( RO): xe-cds\n"
                              "       userdevice ( RW): 3\n"
                              "            empty ( RO): false\n\n\n"
                              "CD 0 VDI:\n"
                              "name-label ( RW)    : tools.iso\n\n\n" % self.x.VBD.get_uuid(vbd))
        self.xe("vm-cd-eject", "vm=xe-cds")
        self.assertTrue(self.x.VBD.get_empty(vbd))
        self.xe("vm-cd-insert", "vm=xe-cds", "cd-name=tools.iso")
        self.assertEqual(self.x.VBD.get_VDI(vbd), iso)
        err = self.xe_fails("vm-cd-insert", "vm=xe-cds", "cd-name=tools.iso")
        self.assertIn("Error code: VM_NO_EMPTY_CD_VBD\nError parameters: %s\n" % vm, err)
        err = self.xe_fails("vm-cd-insert", "vm=xe-cds", "cd-name=nothing.iso")
        self.assertFailure_(err, "CD nothing.iso not found")
        err = self.xe_fails("vm-cd-add", "vm=xe-cds", "cd-name=nothing.iso", "device=4")
        self.assertFailure_(err, "CD nothing.iso not found!")
        err = self.xe_fails("vm-cd-remove", "vm=xe-cds", "cd-name=other.iso")
        self.assertFailure_(err, "Disk not found")
        self.xe("vm-cd-remove", "vm=xe-cds", "cd-name=tools.iso")
        self.assertEqual(self.x.VM.get_VBDs(vm), [])
        err = self.xe_fails("vm-cd-eject", "vm=xe-cds")
        self.assertFailure_(err, "No CDs found")
        self.x.VDI.destroy(iso)

    def test_vifs(self):
        from harness import network_record, vif_record
        net = self.x.network.create(network_record("xe-vif-net"))
        self.addCleanup(self.x.network.destroy, net)
        vm, uuid = self.new_vm("xe-vifs")
        vif = self.x.VIF.create(vif_record(vm, net, "0"))
        rec = self.x.VIF.get_record(vif)
        out = self.xe("vm-vif-list", "vm=xe-vifs")
        self.assertEqual(out, "uuid ( RO)                  : %s\n"
                              "                device ( RO): 0\n"
                              "          network-uuid ( RO): %s\n"
                              "    network-name-label ( RO): xe-vif-net\n"
                              "         vm-name-label ( RO): xe-vifs\n"
                              "                   MAC ( RO): %s\n\n\n"
                         % (rec["uuid"], self.x.network.get_uuid(net), rec["MAC"]))
        self.assertEqual(self.xe("vm-vif-list", "vm=xe-vifs", "params=MAC"),
                         "MAC ( RO)    : %s\n\n\n" % rec["MAC"])

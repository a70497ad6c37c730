"""xe's host, task and message commands against a running xapid: host
selectors (host=<name or uuid>, field filters), host-compute-free-memory,
host-call-plugin, host-disable/enable/evacuate and
host-get-vms-which-prevent-evacuation (and the server's answers), task-cancel,
message-create and message-destroy; outputs, exit codes and errors."""

from test_xe_vm import XeVmBase

GiB = 1 << 30


class XeHostTest(XeVmBase):
    daemon_config = {"sim_memory": str(16 * GiB)}

    def setUp(self):
        super().setUp()
        self.host_uuid = self.x.host.get_uuid(self.host)
        self.host_name = self.x.host.get_name_label(self.host)

    def test_compute_free_memory(self):
        out = self.xe("host-compute-free-memory", "host=%s" % self.host_uuid)
        self.assertEqual(out, "%s\n" % self.x.host.compute_free_memory(self.host))
        self.assertEqual(self.xe("host-compute-free-memory", "host=%s" % self.host_name), out)
        self.assertEqual(self.xe("host-compute-free-memory"), out)
        self.assertEqual(self.xe("host-compute-free-memory", "uuid=%s" % self.host_uuid), out)
        err = self.xe_fails("host-compute-free-memory", "host=no-such-host")
        self.assertFailure_(err, "No matching hosts found")
        err = self.xe_fails("host-compute-free-memory", "bogus=1")
        self.assertFailure_(err, "Parameter 'bogus' is not a field of the host class. "
                            "Failed to select host for operation.")

    def test_call_plugin(self):
        out = self.xe("host-call-plugin", "host-uuid=%s" % self.host_uuid, "plugin=xapi-c",
                      "fn=rescan_plugins")
        self.assertEqual(out, "\n")
        err = self.xe_fails("host-call-plugin", "host-uuid=%s" % self.host_uuid,
                            "plugin=nope", "fn=x", "args:a=b")
        self.assertIn("Error code: XENAPI_MISSING_PLUGIN\nError parameters: nope\n", err)
        err = self.xe_fails("host-call-plugin", "host-uuid=%s" % self.host_uuid, "plugin=x")
        self.assertEqual(err, "Required parameter not found: fn\n")

    def test_maintenance(self):
        """host-disable/enable/evacuate and host-get-vms-which-prevent-evacuation:
        what the server does and what xe prints."""
        self.assertEqual(self.xe("host-disable", "host=%s" % self.host_name), "")
        self.assertFalse(self.x.host.get_enabled(self.host))
        # the server keeps a disabled host disabled across restarts: the same
        # as upstream's auto-enable=false, which is accepted; true is refused
        self.assertEqual(self.xe("host-disable", "host=%s" % self.host_name,
                                 "auto-enable=false"), "")
        err = self.xe_fails("host-disable", "auto-enable=true")
        self.assertEqual(err, "Error: auto-enable=true is not supported by this server: a "
                         "disabled host stays disabled until host-enable\n")
        self.assertEqual(self.xe("host-enable", "host=%s" % self.host_uuid), "")
        self.assertTrue(self.x.host.get_enabled(self.host))
        vm, uuid = self.new_vm("xe-evac")
        self.xe("vm-start", "vm=xe-evac")
        # a single host: the running VM has nowhere to go
        out = self.xe("host-get-vms-which-prevent-evacuation", "uuid=%s" % self.host_uuid)
        self.assertEqual(out, "uuid ( RO)          : %s\n    name-label ( RW): xe-evac\n"
                         "        reason ( RO): NO_HOSTS_AVAILABLE,%s\n\n\n" % (uuid, vm))
        err = self.xe_fails("host-evacuate", "host=%s" % self.host_uuid)
        self.assertIn("Error code: NO_HOSTS_AVAILABLE\n", err)
        self.xe("vm-shutdown", "vm=xe-evac", "--force")
        self.assertEqual(self.xe("host-evacuate", "host=%s" % self.host_uuid), "")
        err = self.xe_fails("host-evacuate", "host=%s" % self.host_uuid, "batch-size=x")
        self.assertEqual(err, "Error: Parameter batch-size: 'x' is not a positive integer\n")
        err = self.xe_fails("host-evacuate", "network-uuid=nope")
        self.assertIn("Error code: UUID_INVALID\n", err)
        err = self.xe_fails("host-disable", "auto-enable=maybe")
        self.assertEqual(err, "Error: Parameter auto-enable: 'maybe' is not a boolean\n")
        err = self.xe_fails("host-get-vms-which-prevent-evacuation")
        self.assertEqual(err, "Required parameter not found: uuid\n")

    def test_task_cancel(self):
        task = self.x.task.create("xe-task", "a task to cancel")
        uuid = self.x.task.get_uuid(task)
        p = self.run_xe(["task-cancel", "uuid=%s" % uuid])
        try:
            self.x.task.cancel(task)
            self.assertEqual((p.returncode, p.stdout), (0, ""), p.stderr)
        except Exception as e:
            self.assertIn("Error code: %s\n" % e.details[0], p.stderr)
        err = self.xe_fails("task-cancel", "uuid=00000000-0000-0000-0000-000000000000")
        self.assertIn("Error code: UUID_INVALID\n", err)
        err = self.xe_fails("task-cancel")
        self.assertEqual(err, "Required parameter not found: uuid\n")

    def test_messages(self):
        vm, uuid = self.new_vm("xe-msg-vm")
        self.assertEqual(self.xe("message-create", "name=XE_TEST", "priority=3",
                                 "body=hello from xe", "vm-uuid=%s" % uuid), "")
        msgs = [m for m in self.x.message.get_all_records().values() if m["name"] == "XE_TEST"]
        self.assertEqual(len(msgs), 1)
        self.assertEqual((msgs[0]["priority"], msgs[0]["cls"], msgs[0]["obj_uuid"],
                          msgs[0]["body"]), ("3", "VM", uuid, "hello from xe"))
        listed = self.xe("message-list", "name=XE_TEST", "--minimal").strip()
        self.assertEqual(listed, msgs[0]["uuid"])
        self.assertEqual(self.xe("message-destroy", "uuid=%s" % listed), "")
        self.assertEqual(self.xe("message-list", "name=XE_TEST", "--minimal"), "\n")
        err = self.xe_fails("message-create", "name=X", "priority=high", "body=b",
                            "vm-uuid=%s" % uuid)
        self.assertFailure_(err, "Priority field should be an integer")
        err = self.xe_fails("message-create", "name=X", "priority=1", "body=b")
        self.assertEqual(err, "Error: Need one of: vm-uuid, host-uuid, sr-uuid or pool-uuid\n")
        err = self.xe_fails("message-destroy")
        self.assertEqual(err, "Error: Need one of uuid, uuids\n")
        err = self.xe_fails("message-destroy", "uuid=a", "uuids=b")
        self.assertEqual(err, "Error: Ambiguous arguments; need one of uuid, uuids\n")


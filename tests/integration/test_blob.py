"""Blobs: blob.create, <class>.create_new_blob (VM, host, pool, SR, network)
and blob.destroy as xapi's xapi_blob.ml: the record's defaults, the owner's
`blobs` map, MAP_DUPLICATE_KEY for a name taken, HANDLE_INVALID for a bad
owner or blob, and destroy dropping the blob from its owner's map."""

import unittest
import xmlrpc.client

from harness import REF_RE, UUID_RE, DaemonTestCase, vm_record

EPOCH = xmlrpc.client.DateTime("19700101T00:00:00Z")


class BlobTest(DaemonTestCase):

    def test_create_and_record(self):
        b = self.x.blob.create("text/plain", True)
        self.assertRegex(b, REF_RE)
        rec = self.x.blob.get_record(b)
        self.assertRegex(rec["uuid"], UUID_RE)
        self.assertEqual((rec["name_label"], rec["name_description"], rec["size"],
                          rec["public"], rec["mime_type"]), ("", "", "0", True, "text/plain"))
        self.assertEqual(rec["last_updated"].value, EPOCH.value)
        # an empty mime type is application/octet-stream
        b2 = self.x.blob.create("", False)
        self.assertEqual(self.x.blob.get_mime_type(b2), "application/octet-stream")
        self.assertFalse(self.x.blob.get_public(b2))
        self.x.blob.destroy(b)
        self.x.blob.destroy(b2)
        self.assertFailure(["HANDLE_INVALID", "blob", b], self.x.blob.get_record, b)
        self.assertFailure(["HANDLE_INVALID", "blob", b], self.x.blob.destroy, b)

    def test_create_new_blob_on_each_owner(self):
        vm = self.x.VM.create(vm_record("blob-vm"))
        self.addCleanup(self.x.VM.destroy, vm)
        owners = [("VM", vm), ("host", self.x.host.get_all()[0]),
                  ("pool", self.x.pool.get_all()[0])]
        for cls, ref in owners:
            api = getattr(self.x, cls)
            b = api.create_new_blob(ref, "notes", "text/plain", False)
            self.assertEqual(api.get_blobs(ref), {"notes": b})
            self.assertEqual(self.x.blob.get_mime_type(b), "text/plain")
            uuid = api.get_uuid(ref)
            before = set(self.x.blob.get_all())
            self.assertFailure(["MAP_DUPLICATE_KEY", cls, "blobs", uuid, "notes"],
                               api.create_new_blob, ref, "notes", "", False)
            # nothing made by the refused call
            self.assertEqual(set(self.x.blob.get_all()), before)
            # destroy drops it from the owner's map
            self.x.blob.destroy(b)
            self.assertEqual(api.get_blobs(ref), {})
        self.assertFailure(["HANDLE_INVALID", "VM", "OpaqueRef:nope"],
                           self.x.VM.create_new_blob, "OpaqueRef:nope", "n", "", False)


if __name__ == "__main__":
    unittest.main()

"""VDI transfers in xapi's encodings through /import_raw_vdi and
/export_raw_vdi: the sparse chunked raw stream, VHD both ways (checked
against qemu-img, an independent reader and writer: it reads VHD as
`vpc`), base= deltas, the refusal of what we do not support, malformed
streams, cancellation within a second and progress."""

import hashlib
import http.client
import io
import json
import os
import socket
import struct
import subprocess
import tarfile
import tempfile
import time
import urllib.parse

from storage_util import MIB, StorageTestCase, pattern, result_ref

BLOCK = 2 * MIB


def chunk(offset, data):
    return struct.pack("<QI", offset, len(data)) + data


END = struct.pack("<QI", 0, 0)


class FormatTestCase(StorageTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        location = os.path.join(cls.srdir, "fmt-sr")
        os.makedirs(location)
        cls.sr = cls.x.SR.create(cls.host, {"location": location}, "0", "fmt-sr", "", "file",
                                 "user", False, {})
        cls.tmp = tempfile.mkdtemp(prefix="xapid-it-fmt-")
        cls.addClassCleanup(subprocess.run, ["rm", "-rf", cls.tmp])

    def put(self, query, body, headers=None):
        q = {"session_id": self.session.handle}
        q.update(query)
        h = {"Content-Length": str(len(body))}
        h.update(headers or {})
        return self.http("PUT", "/import_raw_vdi", q, body=body, headers=h)

    def get(self, query):
        q = {"session_id": self.session.handle}
        q.update(query)
        return self.http("GET", "/export_raw_vdi", q)

    def put_failed(self, query, body, status, error):
        """The import is answered status and its task fails with error."""
        task = self.x.task.create("it-fmt", "")
        query = dict(query, task_id=task)
        got, _, text = self.put(query, body)
        self.assertEqual((got, text.decode()), (status, " ".join(error) + "\n"))
        self.assertEqual(self.x.task.get_error_info(task), error)

    def path(self, name):
        return os.path.join(self.tmp, "%s-%d" % (name, time.monotonic_ns()))

    def qemu_read_vpc(self, vhd_bytes):
        """What qemu-img makes of a VHD: (raw bytes, its virtual size)."""
        src, dst = self.path("in.vhd"), self.path("out.raw")
        with open(src, "wb") as f:
            f.write(vhd_bytes)
        info = json.loads(subprocess.run(["qemu-img", "info", "--output=json", "-f", "vpc", src],
                                         check=True, capture_output=True).stdout)
        subprocess.run(["qemu-img", "convert", "-f", "vpc", "-O", "raw", src, dst], check=True)
        with open(dst, "rb") as f:
            data = f.read()
        os.unlink(src)
        os.unlink(dst)
        return data, info["virtual-size"]

    def qemu_make_vpc(self, raw_bytes, size):
        """A dynamic VHD written by qemu-img from raw_bytes (zero-padded
        to size)."""
        raw, vhd = self.path("src.raw"), self.path("src.vhd")
        with open(raw, "wb") as f:
            f.write(raw_bytes)
            f.truncate(size)
        subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o",
                        "subformat=dynamic,force_size=on", raw, vhd], check=True)
        with open(vhd, "rb") as f:
            data = f.read()
        os.unlink(raw)
        os.unlink(vhd)
        return data


def sparse_image(size, pieces):
    """size bytes, zeros but for pieces {offset: bytes}."""
    out = bytearray(size)
    for off, data in pieces.items():
        out[off:off + len(data)] = data
    return bytes(out)


class ChunkedTest(FormatTestCase):

    def test_chunks_land_where_they_say(self):
        size = 16 * MIB
        vdi = self.create_vdi(self.sr, size)
        before = pattern(size, 21)
        self.import_raw(vdi, before)
        a, b = pattern(MIB + 5 * 512, 22), pattern(3 * 512, 23)
        stream = chunk(4 * MIB, a) + chunk(11 * MIB + 512, b) + END
        status, headers, body = self.put({"vdi": vdi, "chunked": "true"}, stream)
        self.assertEqual(status, 200, body)
        rec = self.x.task.get_record(headers["task-id"])
        self.assertEqual((rec["status"], rec["progress"], result_ref(rec)), ("success", 1.0, vdi))
        want = bytearray(before)
        want[4 * MIB:4 * MIB + len(a)] = a
        want[11 * MIB + 512:11 * MIB + 512 + len(b)] = b
        self.assertTrue(self.export_raw(vdi) == bytes(want))

    def test_sr_id_without_vdi_as_xapi(self):
        # xapi makes a VDI of the body's length, then reads the chunks into it
        data = pattern(MIB, 24)
        stream = chunk(0, data) + END
        status, headers, body = self.put({"sr_id": self.sr, "chunked": "true"}, stream)
        self.assertEqual(status, 200, body)
        vdi = result_ref(self.x.task.get_record(headers["task-id"]))
        # (the file driver rounds sizes up to whole sectors)
        self.assertEqual(self.x.VDI.get_virtual_size(vdi), str((len(stream) + 511) // 512 * 512))
        self.assertTrue(self.export_raw(vdi)[:MIB] == data)

    def test_a_raw_body_is_not_written_as_data(self):
        # the silent corruption of issue 12: a raw body sent with chunked=true
        vdi = self.create_vdi(self.sr, 4 * MIB)
        self.import_raw(vdi, pattern(4 * MIB, 25))
        raw = pattern(2 * MIB, 26)
        off, length = struct.unpack("<QI", raw[:12])
        self.put_failed({"vdi": vdi, "chunked": "true"}, raw, 400,
                        ["VDI_TOO_SMALL", vdi, str(off + length)])
        self.assertTrue(self.export_raw(vdi) == pattern(4 * MIB, 25))

    def test_malformed_streams(self):
        vdi = self.create_vdi(self.sr, 4 * MIB)
        data = pattern(64 * 1024, 27)
        # no end chunk
        task = self.x.task.create("it-trunc", "")
        status, _, body = self.put({"vdi": vdi, "chunked": "true", "task_id": task},
                                   chunk(0, data))
        self.assertEqual(status, 500, body)
        info = self.x.task.get_error_info(task)
        self.assertEqual(info[0], "VDI_IO_ERROR")
        self.assertIn("chunk header", info[1])
        # a chunk cut short
        task = self.x.task.create("it-short", "")
        status, _, body = self.put({"vdi": vdi, "chunked": "true", "task_id": task},
                                   chunk(0, data)[:1000])
        self.assertEqual(status, 500, body)
        self.assertEqual(self.x.task.get_error_info(task)[0], "VDI_IO_ERROR")
        # bytes after the end
        task = self.x.task.create("it-after", "")
        status, _, body = self.put({"vdi": vdi, "chunked": "true", "task_id": task},
                                   chunk(0, data) + END + b"junk")
        self.assertEqual(status, 500, body)
        self.assertEqual(self.x.task.get_error_info(task),
                         ["VDI_IO_ERROR", "4 bytes follow the end of the chunked stream"])
        # a chunk past the end of the VDI
        self.put_failed({"vdi": vdi, "chunked": "true"}, chunk(4 * MIB - 512, data) + END, 400,
                        ["VDI_TOO_SMALL", vdi, str(4 * MIB - 512 + len(data))])


class RefusalTest(FormatTestCase):
    """What we do not support, or xapi refuses, is refused before a byte
    moves (the VDI keeps its data)."""

    def test_refusals(self):
        vdi = self.create_vdi(self.sr, MIB)
        self.import_raw(vdi, pattern(MIB, 28))
        body = pattern(MIB, 29)
        self.put_failed({"vdi": vdi, "chunked": "false"}, body, 400,
                        ["INTERNAL_ERROR", "chunked= takes true only"])
        self.put_failed({"vdi": vdi, "chunked": "true", "format": "vhd"}, body, 404,
                        ["INTERNAL_ERROR", "Cannot handle chunked VHD"])
        self.put_failed({"vdi": vdi, "frobnicate": "1"}, body, 400,
                        ["INTERNAL_ERROR", "Unknown parameter frobnicate"])
        self.put_failed({"vdi": vdi, "base": vdi}, body, 400,
                        ["INTERNAL_ERROR", "Unknown parameter base"])
        self.put_failed({"sr_id": self.sr, "format": "tar"}, body, 400,
                        ["INTERNAL_ERROR", "Not enough info supplied to import"])
        self.put_failed({"sr_id": self.sr, "format": "qcow2"}, body, 400,
                        ["INTERNAL_ERROR",
                         "Importing a QCOW2 directly into an SR not yet supported"])
        self.put_failed({"sr_id": self.sr, "format": "vhd"}, body, 400,
                        ["INTERNAL_ERROR",
                         "Importing a VHD directly into an SR not yet supported"])
        status, _, text = self.get({"vdi": vdi, "base": vdi})
        self.assertEqual((status, text.decode()), (400, "INTERNAL_ERROR base= needs format=vhd or qcow2\n"))
        status, _, text = self.get({"vdi": vdi, "chunked": "true"})
        self.assertEqual((status, text.decode()),
                         (400, "INTERNAL_ERROR Unknown parameter chunked\n"))
        status, _, text = self.get({"vdi": vdi, "format": "vhd", "base": "OpaqueRef:nope"})
        self.assertEqual((status, text.decode()), (404, "HANDLE_INVALID VDI OpaqueRef:nope\n"))
        # an HTTP chunked body: xapi's answer
        conn = http.client.HTTPConnection("127.0.0.1", self.daemon.port, timeout=30)
        conn.putrequest("PUT", "/import_raw_vdi?" + urllib.parse.urlencode(
            {"vdi": vdi, "session_id": self.session.handle}))
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        conn.send(b"%x\r\n" % MIB + body + b"\r\n0\r\n\r\n")
        resp = conn.getresponse()
        self.assertEqual((resp.status, resp.read().decode()),
                         (404, "INTERNAL_ERROR Cannot handle encoding: chunked\n"))
        conn.close()
        self.assertTrue(self.export_raw(vdi) == pattern(MIB, 28))


class VhdTest(FormatTestCase):

    def test_export_read_by_qemu(self):
        size = 40 * MIB + 512 * 3  # not a whole number of blocks
        vdi = self.create_vdi(self.sr, size)
        pieces = {0: pattern(512, 30), 5 * MIB + 4096: pattern(3 * MIB, 31),
                  size - 1024: pattern(1024, 32)}
        image = sparse_image(size, pieces)
        self.import_raw(vdi, image)
        task = self.x.task.create("it-vhd-export", "")
        status, headers, body = self.get({"vdi": vdi, "format": "vhd", "task_id": task})
        self.assertEqual(status, 200, body[:200])
        self.assertEqual(headers["content-type"], "application/vhd")
        self.assertEqual(headers["content-disposition"],
                         'attachment; filename="%s.vhd"' % self.x.VDI.get_uuid(vdi))
        self.assertEqual(int(headers["content-length"]), len(body))
        # blocks 0, 2, 3, 4 (the 3 MiB piece spans 5..8 MiB + 4 KiB) and the last
        nblocks = (size + BLOCK - 1) // BLOCK
        bat = (nblocks * 4 + 511) // 512 * 512
        self.assertEqual(len(body), 512 + 1024 + bat + 5 * (512 + BLOCK) + 512)
        got, vsize = self.qemu_read_vpc(body)
        self.assertEqual((vsize, len(got)), (size, size))
        self.assertTrue(got == image)
        rec = self.x.task.get_record(task)
        self.assertEqual((rec["status"], rec["progress"]), ("success", 1.0))

    def test_import_of_qemu_vhd(self):
        size = 24 * MIB
        image = sparse_image(size, {MIB: pattern(2 * MIB, 33), 20 * MIB: pattern(4096, 34)})
        vhd = self.qemu_make_vpc(image, size)
        vdi = self.create_vdi(self.sr, size)
        self.import_raw(vdi, pattern(size, 35))  # overwritten where the VHD has data
        status, headers, body = self.put({"vdi": vdi, "format": "vhd"}, vhd)
        self.assertEqual(status, 200, body)
        rec = self.x.task.get_record(headers["task-id"])
        self.assertEqual((rec["status"], result_ref(rec)), ("success", vdi))
        out = self.export_raw(vdi)
        # qemu writes every sector of a block it allocates; the rest keeps
        # what the VDI held
        for off in (MIB, 20 * MIB):
            blk = off // BLOCK * BLOCK
            self.assertTrue(out[blk:blk + BLOCK] == image[blk:blk + BLOCK])
        self.assertTrue(out[12 * MIB:14 * MIB] == pattern(size, 35)[12 * MIB:14 * MIB])

    def test_round_trip_between_vdis(self):
        size = 32 * MIB
        image = sparse_image(size, {3 * MIB: pattern(5 * MIB, 36), 30 * MIB: pattern(512, 37)})
        a = self.create_vdi(self.sr, size)
        self.import_raw(a, image)
        status, _, vhd = self.get({"vdi": a, "format": "vhd"})
        self.assertEqual(status, 200)
        b = self.create_vdi(self.sr, size)
        status, _, body = self.put({"vdi": b, "format": "vhd"}, vhd)
        self.assertEqual(status, 200, body)
        self.assertTrue(self.export_raw(b) == image)

    def test_sparse_export_costs_the_data(self):
        size = 4 << 30
        vdi = self.create_vdi(self.sr, size)
        data = pattern(8 * MIB, 38)
        stream = chunk(2 << 30, data) + END
        status, _, body = self.put({"vdi": vdi, "chunked": "true"}, stream)
        self.assertEqual(status, 200, body)
        t0 = time.monotonic()
        status, headers, vhd = self.get({"vdi": vdi, "format": "vhd"})
        self.assertEqual(status, 200)
        bat = ((size // BLOCK) * 4 + 511) // 512 * 512
        self.assertEqual(len(vhd), 512 + 1024 + bat + 4 * (512 + BLOCK) + 512)
        self.assertLess(time.monotonic() - t0, 20, "a 4 GiB sparse disk read whole?")

    def test_delta_against_a_base(self):
        size = 20 * MIB
        base_image = pattern(size, 39)
        base = self.create_vdi(self.sr, size, name="base")
        self.import_raw(base, base_image)
        child = self.create_vdi(self.sr, size, name="child")
        self.import_raw(child, base_image)
        # change two blocks, zero a third
        stream = chunk(4 * MIB + 100 * 512, pattern(512, 40)) + \
            chunk(15 * MIB, pattern(MIB, 41)) + chunk(8 * MIB, bytes(BLOCK)) + END
        status, _, body = self.put({"vdi": child, "chunked": "true"}, stream)
        self.assertEqual(status, 200, body)
        child_image = self.export_raw(child)
        status, _, delta = self.get({"vdi": child, "format": "vhd", "base": base})
        self.assertEqual(status, 200, delta[:200])
        nblocks = size // BLOCK
        bat = (nblocks * 4 + 511) // 512 * 512
        self.assertEqual(len(delta), 512 + 1024 + bat + 3 * (512 + BLOCK) + 512)
        # the delta alone, read by qemu: the changed blocks, zeros elsewhere
        got, vsize = self.qemu_read_vpc(delta)
        self.assertEqual(vsize, size)
        for blk in (2, 4, 7):
            s = slice(blk * BLOCK, (blk + 1) * BLOCK)
            self.assertTrue(got[s] == child_image[s], "block %d" % blk)
        self.assertTrue(got[0:BLOCK] == bytes(BLOCK))
        # elsewhere: the base (a full VHD), then the delta over it
        status, _, full = self.get({"vdi": base, "format": "vhd"})
        self.assertEqual(status, 200)
        other = self.create_vdi(self.sr, size, name="restored")
        for vhd in (full, delta):
            status, _, body = self.put({"vdi": other, "format": "vhd"}, vhd)
            self.assertEqual(status, 200, body)
        self.assertTrue(hashlib.sha256(self.export_raw(other)).digest() ==
                        hashlib.sha256(child_image).digest())

    def test_malformed_vhds(self):
        size = 8 * MIB
        vdi = self.create_vdi(self.sr, size)
        self.import_raw(vdi, pattern(size, 42))
        status, _, good = self.get({"vdi": vdi, "format": "vhd"})
        self.assertEqual(status, 200)
        target = self.create_vdi(self.sr, size)

        def refused(body, why):
            task = self.x.task.create("it-bad-vhd", "")
            status, _, text = self.put({"vdi": target, "format": "vhd", "task_id": task}, body)
            self.assertEqual(status, 500, text)
            info = self.x.task.get_error_info(task)
            self.assertEqual(info[0], "VDI_IO_ERROR")
            self.assertIn(why, info[1])

        refused(b"x" * 4096, "no footer cookie")
        bad_sum = bytearray(good)
        bad_sum[100] ^= 1
        refused(bytes(bad_sum), "footer checksum mismatch")
        bad_header = bytearray(good)
        bad_header[512 + 40] ^= 1
        refused(bytes(bad_header), "dynamic header checksum mismatch")
        refused(good[:len(good) - 512 - 1000], "ends in the middle of a VHD block")
        refused(good[:len(good) - 512], "the footer at the end is missing")
        # a VHD of a larger disk
        big = self.qemu_make_vpc(b"", 16 * MIB)
        task = self.x.task.create("it-big-vhd", "")
        status, _, text = self.put({"vdi": target, "format": "vhd", "task_id": task}, big)
        self.assertEqual(status, 400, text)
        self.assertEqual(self.x.task.get_error_info(task),
                         ["VDI_TOO_SMALL", target, str(16 * MIB)])


def tar_of(members):
    """A ustar archive of [(name, bytes)] (Python's tarfile: an independent
    writer)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def sha1_chunks(data, skip_zeros=True):
    """data as stream_vdi.ml's vdi/<n> chunks of 1 MiB, each followed by
    vdi/<n>.checksum (SHA-1 hex, as xapi before 2017)."""
    n = (len(data) + MIB - 1) // MIB
    out = []
    for i in range(n):
        piece = data[i * MIB:(i + 1) * MIB]
        if skip_zeros and 0 < i < n - 1 and not any(piece):
            continue
        out.append(("vdi/%08d" % i, piece))
        out.append(("vdi/%08d.checksum" % i, hashlib.sha1(piece).hexdigest().encode()))
    return out


class TarTest(FormatTestCase):
    """format=tar (xapi's stream_vdi.ml: the VDI as vdi/<n> chunks of 1 MiB
    with checksums) both ways, read and written by Python's tarfile."""

    def test_export_and_import(self):
        size = 20 * MIB
        data = sparse_image(size, {0: pattern(MIB + 5, 60), 7 * MIB + 3: pattern(100, 61)})
        vdi = self.create_vdi(self.sr, size)
        self.import_raw(vdi, data)
        task = self.x.task.create("it-tar-export", "")
        status, headers, body = self.get({"vdi": vdi, "format": "tar", "task_id": task})
        self.assertEqual(status, 200, body[:200])
        self.assertEqual(headers["content-type"], "application/x-tar")
        self.assertIn('.tar"', headers["content-disposition"])
        rec = self.x.task.get_record(task)
        self.assertEqual((rec["status"], rec["progress"]), ("success", 1.0))
        with tarfile.open(fileobj=io.BytesIO(body), mode="r:") as tar:
            got = [(m.name, tar.extractfile(m).read()) for m in tar.getmembers()]
        # chunks of zeros are left out but for the first and the last
        self.assertEqual([n for n, _ in got],
                         ["vdi/%08d%s" % (i, ext) for i in (0, 1, 7, 19) for ext in ("", ".xxhash")])
        rebuilt = bytearray(size)
        for name, piece in got:
            if not name.endswith(".xxhash"):
                off = int(name[4:]) * MIB
                rebuilt[off:off + len(piece)] = piece
            else:
                self.assertRegex(piece.decode(), "^[0-9A-F]{16}$")
        self.assertTrue(bytes(rebuilt) == data)
        # back in (a new VDI: the chunks left out are its zeros)
        target = self.create_vdi(self.sr, size)
        status, headers, text = self.put({"vdi": target, "format": "tar"}, body)
        self.assertEqual(status, 200, text)
        self.assertTrue(self.export_raw(target) == data)
        # a tar written by Python with SHA-1 checksums (pre-2017 xapi)
        other = sparse_image(size, {3 * MIB: pattern(2 * MIB, 62)})
        target2 = self.create_vdi(self.sr, size)
        status, _, text = self.put({"vdi": target2, "format": "tar"}, tar_of(sha1_chunks(other)))
        self.assertEqual(status, 200, text)
        self.assertTrue(self.export_raw(target2) == other)

    def test_malformed_tars(self):
        size = 4 * MIB
        data = pattern(size, 63)
        target = self.create_vdi(self.sr, size)
        self.import_raw(target, bytes(size))
        good = sha1_chunks(data)

        def refused(members, error, raw=None):
            task = self.x.task.create("it-bad-tar", "")
            status, _, text = self.put({"vdi": target, "format": "tar", "task_id": task},
                                       raw if raw is not None else tar_of(members))
            self.assertEqual(status, 500, text)
            self.assertEqual(self.x.task.get_error_info(task), error)

        bad = list(good)
        bad[0] = (bad[0][0], b"x" + bad[0][1][1:])
        refused(bad, ["IMPORT_ERROR_SOME_CHECKSUMS_FAILED"])
        refused(good[2:4] + good[0:2] + good[4:],
                ["IMPORT_ERROR", "Invalid XVA file: expected a chunk vdi/<n> after 1, got "
                 "vdi/00000000"])
        refused([("disk/00000000", data[:MIB])] + good[2:],
                ["IMPORT_ERROR", "Invalid XVA file: expected a chunk vdi/<n> after -1, got "
                 "disk/00000000"])
        refused(good[:4], ["IMPORT_ERROR_PREMATURE_EOF"])       # the archive ends first
        refused(None, ["IMPORT_ERROR_PREMATURE_EOF"], raw=tar_of(good)[:3 * 512 + MIB // 2])
        refused(good[:1] + [("vdi/00000000.md5", b"0" * 32)] + good[2:],
                ["IMPORT_ERROR", "Found unsupported checksum file: vdi/00000000.md5"])
        refused([("vdi/00000005", data[:MIB]), ("vdi/00000005.checksum",
                                                hashlib.sha1(data[:MIB]).hexdigest().encode())],
                ["IMPORT_ERROR", "Invalid XVA file: vdi/00000005 lies beyond the disk's %d bytes"
                 % size])


class RunningVmTest(FormatTestCase):
    """The disk of a running VM: xapi's export_raw_vdi.ml checks no VM or
    VDI operation and attaches the VDI read-only beside the VM (no
    snapshot: clients such as Xen Orchestra take one themselves), so the
    disk is served as it is, in every format; an import into it is
    VDI_IN_USE (the VM writes it)."""

    def test_export_while_the_vm_runs(self):
        size = 8 * MIB
        data = pattern(size, 65)
        vdi = self.create_vdi(self.sr, size)
        self.import_raw(vdi, data)
        vm = self.create_vm("it-fmt-running")
        self.x.VBD.create({"VM": vm, "VDI": vdi, "userdevice": "0", "bootable": True,
                           "mode": "RW", "type": "Disk", "empty": False, "other_config": {},
                           "qos_algorithm_type": "", "qos_algorithm_params": {}})
        self.x.VM.start(vm, False, False)
        try:
            for fmt in ("raw", "vhd", "tar"):
                status, _, body = self.get({"vdi": vdi, "format": fmt})
                self.assertEqual(status, 200, (fmt, body[:200], self.log_tail()))
            self.assertTrue(self.get({"vdi": vdi})[2] == data)
            status, _, text = self.put({"vdi": vdi}, pattern(MIB, 66))
            self.assertEqual(status, 409, text)
            self.assertTrue(text.decode().startswith("VDI_IN_USE %s " % vdi), text)
            self.assertEqual(self.x.VM.get_power_state(vm), "Running")
        finally:
            self.x.VM.hard_shutdown(vm)
        self.assertTrue(self.export_raw(vdi) == data)


class Qcow2Test(FormatTestCase):
    """format=qcow2 through qemu-img (staged): checked with qemu-img."""

    def test_export_and_import(self):
        size = 24 * MIB
        image = sparse_image(size, {MIB: pattern(3 * MIB, 45), 20 * MIB: pattern(4096, 46)})
        vdi = self.create_vdi(self.sr, size)
        self.import_raw(vdi, image)
        status, headers, body = self.get({"vdi": vdi, "format": "qcow2"})
        self.assertEqual(status, 200, body[:200])
        self.assertEqual(headers["content-type"], "application/x-qemu-disk")
        self.assertEqual(int(headers["content-length"]), len(body))
        self.assertTrue(body.startswith(b"QFI\xfb"))
        self.assertLess(len(body), 8 * MIB)   # the holes are not in it
        src, dst = self.path("x.qcow2"), self.path("x.raw")
        with open(src, "wb") as f:
            f.write(body)
        subprocess.run(["qemu-img", "convert", "-f", "qcow2", "-O", "raw", src, dst], check=True)
        with open(dst, "rb") as f:
            self.assertTrue(f.read() == image)
        # back into another VDI
        other = self.create_vdi(self.sr, size)
        task = self.x.task.create("it-qcow2-import", "")
        status, _, text = self.put({"vdi": other, "format": "qcow2", "task_id": task}, body)
        self.assertEqual(status, 200, text)
        self.assertEqual(self.x.task.get_status(task), "success")
        self.assertTrue(self.export_raw(other) == image)
        # an image larger than the VDI, and not an image
        small = self.create_vdi(self.sr, 8 * MIB)
        self.put_failed({"vdi": small, "format": "qcow2"}, body, 400,
                        ["VDI_TOO_SMALL", small, str(size)])
        task = self.x.task.create("it-qcow2-bad", "")
        status, _, text = self.put({"vdi": small, "format": "qcow2", "task_id": task},
                                   b"not qcow2" * 100)
        self.assertEqual(status, 500, text)
        self.assertEqual(self.x.task.get_error_info(task), ["VDI_IO_ERROR", "not a qcow2 image"])


    def test_delta_against_a_base(self):
        """base= with qcow2: only the clusters that differ (qemu-img convert
        -B), a delta that stands alone; imported over a copy of the base it
        gives the child, byte for byte (zeroed data included)."""
        size = 16 * MIB
        base_data = sparse_image(size, {0: pattern(2 * MIB, 70), 9 * MIB: pattern(MIB, 71)})
        base = self.create_vdi(self.sr, size)
        self.import_raw(base, base_data)
        child = self.create_vdi(self.sr, size)
        self.import_raw(child, base_data)
        status, _, text = self.put({"vdi": child, "chunked": "true"},
                                   chunk(5 * MIB, pattern(100, 72)) + chunk(MIB, bytes(4096))
                                   + chunk(9 * MIB, pattern(8192, 73)) + END)
        self.assertEqual(status, 200, text)
        want = self.export_raw(child)
        self.assertFalse(want == base_data)
        status, _, delta = self.get({"vdi": child, "format": "qcow2", "base": base})
        self.assertEqual(status, 200, delta[:200])
        status, _, full = self.get({"vdi": child, "format": "qcow2"})
        self.assertLess(len(delta), len(full) // 4)
        src = self.path("delta.qcow2")
        with open(src, "wb") as f:
            f.write(delta)
        info = json.loads(subprocess.run(["qemu-img", "info", "--output=json", src], check=True,
                                         capture_output=True).stdout)
        self.assertNotIn("backing-filename", info)   # names no file of this host
        target = self.create_vdi(self.sr, size)
        self.import_raw(target, base_data)
        status, _, text = self.put({"vdi": target, "format": "qcow2"}, delta)
        self.assertEqual(status, 200, text)
        self.assertTrue(self.export_raw(target) == want)


class CancelTest(FormatTestCase):

    def test_stalled_import_cancelled_within_a_second(self):
        vdi = self.create_vdi(self.sr, 64 * MIB)
        task = self.x.task.create("it-cancel-import", "")
        sock = socket.create_connection(("127.0.0.1", self.daemon.port), timeout=30)
        try:
            sock.sendall(("PUT /import_raw_vdi?vdi=%s&session_id=%s&task_id=%s HTTP/1.1\r\n"
                          "Host: x\r\nContent-Length: %d\r\n\r\n"
                          % (vdi, self.session.handle, task, 64 * MIB)).encode())
            sock.sendall(pattern(16 * MIB, 43))
            deadline = time.monotonic() + 20
            while float(self.x.task.get_progress(task)) <= 0.0:
                self.assertLess(time.monotonic(), deadline, "no progress:\n" + self.log_tail())
                time.sleep(0.05)
            self.assertLess(float(self.x.task.get_progress(task)), 1.0)
            t0 = time.monotonic()
            self.x.task.cancel(task)
            answer = b""   # the client sends nothing more
            while True:
                piece = sock.recv(4096)
                if not piece:
                    break
                answer += piece
            self.assertLess(time.monotonic() - t0, 1.5)
            answer = answer.decode()
        finally:
            sock.close()
        self.assertTrue(answer.startswith("HTTP/1.1 500 "), answer)
        self.assertIn("TASK_CANCELLED %s" % task, answer)
        rec = self.wait_task(task)
        self.assertEqual((rec["status"], rec["error_info"]), ("cancelled", ["TASK_CANCELLED", task]))
        # the VDI is free again and keeps what arrived (xapi leaves it so)
        deadline = time.monotonic() + 10
        while "destroy" not in self.x.VDI.get_allowed_operations(vdi):
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)

    def test_stalled_export_cancelled_within_a_second(self):
        vdi = self.create_vdi(self.sr, 256 * MIB)
        self.import_raw(vdi, pattern(256 * MIB, 44))
        task = self.x.task.create("it-cancel-export", "")
        conn = http.client.HTTPConnection("127.0.0.1", self.daemon.port, timeout=30)
        conn.request("GET", "/export_raw_vdi?" + urllib.parse.urlencode(
            {"vdi": vdi, "session_id": self.session.handle, "task_id": task,
             "format": "vhd"}))
        resp = conn.getresponse()
        self.assertEqual(resp.status, 200)
        resp.read(MIB)   # then the client stops reading: the socket fills
        deadline = time.monotonic() + 20
        while float(self.x.task.get_progress(task)) <= 0.0:
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        t0 = time.monotonic()
        self.x.task.cancel(task)
        rec = self.wait_task(task, timeout=5)
        self.assertLess(time.monotonic() - t0, 1.5)
        self.assertEqual((rec["status"], rec["error_info"]), ("cancelled", ["TASK_CANCELLED", task]))
        # the connection ends short: the client cannot take it for a whole VHD
        got = MIB
        try:
            while True:
                piece = resp.read(MIB)
                if not piece:
                    break
                got += len(piece)
        except http.client.IncompleteRead as e:
            got += len(e.partial)
        conn.close()
        self.assertLess(got, int(resp.getheader("Content-Length")))
        deadline = time.monotonic() + 10
        while "destroy" not in self.x.VDI.get_allowed_operations(vdi):
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)


if __name__ == "__main__":
    import unittest
    unittest.main()

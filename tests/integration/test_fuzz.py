"""The libFuzzer targets (tests/fuzz/fuzz_<target>.c) each run for a bounded
time with ASan and UBSan from their seed corpus (tests/fuzz/corpus/<target>):
any crash, leak, hang or sanitizer report fails.

  wire          the HTTP head parser, XML-RPC and JSON-RPC decoders behind one
                selector byte
  http_head     the HTTP request head parser alone
  jsonrpc       the JSON-RPC request decoder alone
  where         the get_all_records_where expression parser
  plugin_proto  the plugin wire decoder (what a worker sends the core)
"""

import os
import re
import subprocess
import tempfile
import unittest
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]
SECONDS = int(os.environ.get("XAPI_C_FUZZ_SECONDS", "10"))


class FuzzTest(unittest.TestCase):

    def fuzz(self, target):
        with tempfile.TemporaryDirectory(prefix="xapi-c-fuzz-") as out:
            p = subprocess.run([str(TOP / "tests/fuzz/run"), str(SECONDS), out, target],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=SECONDS + 300)
            text = p.stdout.decode(errors="replace")
            if p.returncode == 77:
                self.skipTest(text.strip().splitlines()[-1])
            self.assertEqual(p.returncode, 0, text[-4000:])
            m = re.search(r"^fuzz %s: (\d+) runs" % target, text, re.M)
            self.assertTrue(m and int(m.group(1)) > 100, text[-2000:])
            # the seed corpus is there and was read
            self.assertTrue(any((TOP / "tests/fuzz/corpus" / target).iterdir()))

    def test_wire_decoders_survive_fuzzing(self):
        self.fuzz("wire")

    def test_http_head_parser_survives_fuzzing(self):
        self.fuzz("http_head")

    def test_jsonrpc_decoder_survives_fuzzing(self):
        self.fuzz("jsonrpc")

    def test_where_parser_survives_fuzzing(self):
        self.fuzz("where")

    def test_plugin_wire_decoder_survives_fuzzing(self):
        self.fuzz("plugin_proto")


if __name__ == "__main__":
    unittest.main()

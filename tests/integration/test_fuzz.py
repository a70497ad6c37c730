"""The libFuzzer target (tests/fuzz/fuzz_wire.c: HTTP request head parser,
XML-RPC and JSON-RPC decoders) runs for a bounded time with ASan and UBSan
from its seed corpus: any crash, leak, hang or sanitizer report fails."""

import os
import subprocess
import tempfile
import unittest
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]
SECONDS = int(os.environ.get("XAPI_C_FUZZ_SECONDS", "10"))


class FuzzTest(unittest.TestCase):

    def test_wire_decoders_survive_fuzzing(self):
        with tempfile.TemporaryDirectory(prefix="xapi-c-fuzz-") as out:
            p = subprocess.run([str(TOP / "tests/fuzz/run"), str(SECONDS), out],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=SECONDS + 300)
            text = p.stdout.decode(errors="replace")
            if p.returncode == 77:
                self.skipTest(text.strip().splitlines()[-1])
            self.assertEqual(p.returncode, 0, text[-4000:])
            runs = [int(l.split(":")[-1]) for l in text.splitlines()
                    if l.startswith("stat::number_of_executed_units")]
            self.assertTrue(runs and runs[0] > 100, text[-2000:])


if __name__ == "__main__":
    unittest.main()

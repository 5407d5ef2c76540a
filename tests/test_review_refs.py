# SPDX-License-Identifier: GPL-2.0
"""The Linux 6.7 review's code references (`path:LINE (symbol)`) name the symbol on that line.

    python3 tests/test_review_refs.py --fix    moves each stale reference to the nearest line
                                               that names its symbol
"""

import re
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REVIEW = ROOT / "docs/linux-6.7-review.md"
REFERENCE = re.compile(r"\b((?:src|examples|tests)/[\w/.-]+):(\d+) \(([^)]+)\)")


class ReviewReferences(unittest.TestCase):
    def test_each_reference_names_its_line(self):
        text = REVIEW.read_text()
        # Part II quotes the code as it was at the review; only Part I follows the code.
        part_one = text[: text.index("## Part II")]
        refs = REFERENCE.findall(part_one)
        self.assertGreater(len(refs), 10, "no code references found: has the format changed?")
        for path, line, symbol in refs:
            lines = (ROOT / path).read_text().splitlines()
            with self.subTest(ref=f"{path}:{line}"):
                self.assertLessEqual(int(line), len(lines), f"{path} has {len(lines)} lines")
                self.assertIn(symbol, lines[int(line) - 1], f"{path}:{line} does not mention {symbol}")


def fix():
    text = REVIEW.read_text()
    split = text.index("## Part II")

    def moved(m):
        path, line, symbol = m.group(1), int(m.group(2)), m.group(3)
        lines = (ROOT / path).read_text().splitlines()
        hits = [i + 1 for i, l in enumerate(lines) if symbol in l]
        if not hits or line in hits:
            return m.group(0)
        best = min(hits, key=lambda h: abs(h - line))
        print(f"{path}:{line} -> {best} ({symbol})")
        return f"{path}:{best} ({symbol})"

    REVIEW.write_text(REFERENCE.sub(moved, text[:split]) + text[split:])


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--fix"]:
        fix()
    else:
        unittest.main()

"""Compile locale/*/LC_MESSAGES/*.po into .mo files without GNU gettext.

`make run` uses this on a fresh machine that has no `msgfmt`; CI runs Django's
`compilemessages` (which needs gettext) and the catalog checks.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    count = 0
    for po_path in sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
        count += 1
    print(f"compiled {count} catalog(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Fail when a translation catalog is incomplete.

1. Every French and English entry is translated (no empty msgstr, no fuzzy entry).
2. Where GNU gettext is installed (CI), the catalogs are re-extracted from the code
   and templates into a scratch copy, and every string found there must already be in
   the committed catalogs: a new user-facing string without a translation fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("fr", "en")
DOMAINS = ("django", "djangojs")


def _entries(po: polib.POFile) -> set[tuple[str | None, str]]:
    return {(e.msgctxt, e.msgid) for e in po if not e.obsolete}


def main() -> int:
    problems: list[str] = []
    for lang in LANGS:
        for domain in DOMAINS:
            path = ROOT / "locale" / lang / "LC_MESSAGES" / f"{domain}.po"
            if not path.exists():
                if domain == "django":
                    problems.append(f"{path.relative_to(ROOT)} is missing")
                continue
            po = polib.pofile(str(path))
            for e in po:
                if e.obsolete:
                    continue
                if "fuzzy" in e.flags:
                    problems.append(f"{lang}: fuzzy entry {e.msgid!r}")
                elif not (e.msgstr or all(e.msgstr_plural.values()) if e.msgid_plural else e.msgstr):
                    problems.append(f"{lang}: untranslated {e.msgid!r}")
    if shutil.which("xgettext"):
        with tempfile.TemporaryDirectory() as tmp:
            scratch = Path(tmp) / "project"
            shutil.copytree(
                ROOT, scratch,
                ignore=shutil.ignore_patterns(".venv", "var", ".git", "node_modules", "__pycache__", "*.mo", "test-artifacts"),
            )
            env = {**os.environ, "PYTHONPATH": str(scratch)}
            subprocess.run(
                [sys.executable, "manage.py", "makemessages", "-l", "fr", "-l", "en", "--no-obsolete", "-v0",
                 "--ignore=.venv", "--ignore=var", "--ignore=tests", "--ignore=bench"],
                cwd=scratch, env=env, check=True,
            )
            for lang in LANGS:
                fresh = polib.pofile(str(scratch / "locale" / lang / "LC_MESSAGES" / "django.po"))
                committed_path = ROOT / "locale" / lang / "LC_MESSAGES" / "django.po"
                committed = polib.pofile(str(committed_path)) if committed_path.exists() else polib.POFile()
                for _ctxt, msgid in sorted(_entries(fresh) - _entries(committed), key=lambda x: x[1]):
                    problems.append(f"{lang}: string not in the catalog (run make messages-update): {msgid!r}")
    for p in problems[:60]:
        print(p)
    if problems:
        print(f"{len(problems)} catalog problem(s)")
        return 1
    print("catalogs complete")
    return 0


if __name__ == "__main__":
    sys.exit(main())

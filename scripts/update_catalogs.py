"""Re-extract the catalogs from the code (needs GNU gettext) and fill the English
catalog with the source strings, which are English. French strings are translated
by hand in locale/fr/LC_MESSAGES/django.po."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "-l", "en", "--no-obsolete",
         "--ignore=.venv", "--ignore=var", "--ignore=tests", "--ignore=bench"],
        cwd=ROOT, check=True,
    )
    en_path = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
    en = polib.pofile(str(en_path))
    for e in en:
        # The sources are English: every English translation is its msgid (never a
        # fuzzy guess that makemessages borrowed from a similar string).
        if e.msgid_plural:
            e.msgstr_plural = {0: e.msgid, 1: e.msgid_plural}
        else:
            e.msgstr = e.msgid
        if "fuzzy" in e.flags:
            e.flags.remove("fuzzy")
        e.previous_msgid = e.previous_msgid_plural = e.previous_msgctxt = None
    en.save()
    fr = polib.pofile(str(ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in fr if not e.obsolete and (not e.msgstr and not e.msgid_plural or "fuzzy" in e.flags)]
    print(f"fr: {len(missing)} string(s) to translate")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Fill empty msgstr entries of a .po file from a YAML dictionary of msgid -> translation.

Usage: python scripts/fill_po.py locale/zh_Hans/LC_MESSAGES/django.po GLOSSARY.yaml [GLOSSARY.yaml ...]
bin/translations runs makemessages, this, and compilemessages. Entries already translated are
left alone.
"""
import re
import sys
from pathlib import Path

import yaml


def unquote(s):
    return s[1:-1].replace('\\"', '"').replace("\\\\", "\\")


def drop_guesses(po_text):
    """msgmerge guesses 'fuzzy' translations, which never compile, and keeps obsolete '#~'
    entries: forget both, so every msgid is either translated from a glossary or reported."""
    entries = po_text.split("\n\n")
    kept = []
    for entry in entries:
        lines = [line for line in entry.split("\n") if not line.startswith("#~") and not line.startswith("#|")]
        if not any(line.strip() for line in lines):
            continue
        is_header = 'msgid ""' in lines and "Content-Type" in entry
        if not is_header and any(line.startswith("#,") and "fuzzy" in line for line in lines):
            lines = _unfuzzy(lines)
        kept.append("\n".join(lines))
    return "\n\n".join(kept) + "\n"


def _unfuzzy(lines):
    out, in_msgstr = [], False
    for line in lines:
        if line.startswith("#,"):
            flags = [f.strip() for f in line[2:].split(",") if f.strip() and f.strip() != "fuzzy"]
            if flags:
                out.append("#, " + ", ".join(flags))
            continue
        if line.startswith("msgstr"):
            in_msgstr = True
            out.append(line.split(" ", 1)[0] + ' ""')
            continue
        if in_msgstr and line.startswith('"'):
            continue
        out.append(line)
    return out


def fill(po_text, table):
    out, lines, i = [], po_text.split("\n"), 0
    missing = []
    while i < len(lines):
        line = lines[i]
        if line.startswith("msgid ") and i + 1 < len(lines):
            ids = [unquote(line[6:])]
            j = i + 1
            while lines[j].startswith('"'):
                ids.append(unquote(lines[j]))
                j += 1
            msgid = "".join(ids)
            out.extend(lines[i:j])
            if lines[j] == 'msgstr ""' and (j + 1 >= len(lines) or not lines[j + 1].startswith('"')) and msgid:
                if msgid in table:
                    value = str(table[msgid]).replace("\\", "\\\\").replace('"', '\\"')
                    out.append(f'msgstr "{value}"')
                else:
                    missing.append(msgid)
                    out.append(lines[j])
                i = j + 1
                continue
            i = j
            continue
        out.append(line)
        i += 1
    return "\n".join(out), missing


if __name__ == "__main__":
    po_path, table = sys.argv[1], {}
    for table_path in sys.argv[2:]:
        table.update(yaml.safe_load(Path(table_path).read_text(encoding="utf-8")) or {})
    text, missing = fill(drop_guesses(Path(po_path).read_text(encoding="utf-8")), table)
    text = re.sub(r'"Plural-Forms:.*?\\n"', '"Plural-Forms: nplurals=1; plural=0;\\\\n"', text)
    Path(po_path).write_text(text, encoding="utf-8")
    for m in missing:
        print("untranslated:", m)

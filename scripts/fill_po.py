"""Fill empty msgstr entries of a .po file from a YAML dictionary of msgid -> translation.

Usage: python scripts/fill_po.py locale/zh_Hans/LC_MESSAGES/django.po locale/zh_Hans.yaml
Run after makemessages; then compilemessages. Entries already translated are left alone.
"""
import re
import sys

import yaml


def unquote(s):
    return s[1:-1].replace('\\"', '"').replace("\\\\", "\\")


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
    po_path, table_path = sys.argv[1], sys.argv[2]
    table = yaml.safe_load(open(table_path, encoding="utf-8"))
    text, missing = fill(open(po_path, encoding="utf-8").read(), table)
    text = re.sub(r'"Plural-Forms:.*?\\n"', '"Plural-Forms: nplurals=1; plural=0;\\\\n"', text)
    open(po_path, "w", encoding="utf-8").write(text)
    for m in missing:
        print("untranslated:", m)

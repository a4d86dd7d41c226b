#!/usr/bin/env python3
"""Writes a corpus whose one article holds about 100 MB of text, to check by
hand that dossier validates and indexes it with bounded memory:

    python3 tests/huge_article.py /tmp/huge
    /usr/bin/time -v target/release/dossier --corpus /tmp/huge --index /tmp/huge-index check
    /usr/bin/time -v target/release/dossier --corpus /tmp/huge --index /tmp/huge-index index

The registries of tests/fixtures/base are copied; the text repeats the
bundled article's paragraphs, one passage per paragraph, each listing the
registered actors it names (so the check is clean).
"""
import os
import re
import shutil
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "/tmp/huge"
tests = os.path.dirname(os.path.abspath(__file__))
shutil.rmtree(root, ignore_errors=True)
os.makedirs(os.path.join(root, "articles", "huge"))
for name in ("actors.toml", "stances.toml", "topics.toml"):
    shutil.copy(os.path.join(tests, "fixtures", "base", name), root)
seed = open(os.path.join(tests, "..", "corpus", "articles", "iran-intel", "text.txt"), encoding="utf-8").read()
names = {"esmail-khatib": ["Esmail Khatib", "Mr Khatib"], "mossad": ["Mossad"]}
paragraphs = [p for p in seed.replace("yet\nconducted", "yet conducted").split("\n") if p.strip()]
target = 100 * 1024 * 1024
text = open(os.path.join(root, "articles", "huge", "text.txt"), "wb")
toml = open(os.path.join(root, "articles", "huge", "article.toml"), "w", encoding="utf-8")
toml.write('id = "huge"\ntitle = "A 100 MB article for robustness checks"\n')
offset, n = 0, 0
while offset < target:
    p = paragraphs[n % len(paragraphs)].encode("utf-8")
    if n:
        text.write(b"\n")
        offset += 1
    text.write(p)
    n += 1
    text_p = p.decode("utf-8").replace("\u2019", "'")
    actors = [a for a, forms in names.items() if any(re.search(r"(?<!\w)" + re.escape(f) + r"(?!\w)", text_p) for f in forms)]
    listed = ", ".join(f'"{a}"' for a in actors)
    toml.write(f'\n[[passages]]\nid = "huge-{n}"\nordinal = {n}\nspan = {{ start = {offset}, end = {offset + len(p)} }}\nactors = [{listed}]\n')
    offset += len(p)
print(f"wrote {offset / 1e6:.1f} MB in {n} passages to {root}")

"""Copies Markdown folders into a Starlight project's src/content/docs as a Starlight author
writes pages: the title in the front matter (Starlight writes it as the page's <h1>), so a
file's own first heading moves there. Arguments: SOURCE=FOLDER ... (run in the project)."""
import glob
import os
import re
import sys

DOCS = "src/content/docs"

for argument in sys.argv[1:]:
    source, folder = argument.rsplit("=", 1)
    for path in sorted(glob.glob(f"{source}/**/*.md", recursive=True)):
        rel = os.path.relpath(path, source)
        text = open(path, encoding="utf-8").read()
        heading = re.search(r"^#\s+(.+)$", text, re.M)
        title = heading.group(1).strip() if heading else os.path.splitext(os.path.basename(rel))[0]
        if heading:
            text = text[: heading.start()] + text[heading.end():]
        out = os.path.join(DOCS, folder, rel.lower().replace("_", "-"))
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "w", encoding="utf-8") as f:
            f.write('---\ntitle: "%s"\n---\n' % title.replace('"', '\\"') + text)

with open(os.path.join(DOCS, "index.md"), "w", encoding="utf-8") as f:
    f.write("---\ntitle: Web Toolkit Docs\n---\n\nDocumentation of [Starlette](/starlette/) and "
            "[Python-Markdown](/markdown/).\n")

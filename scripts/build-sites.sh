#!/usr/bin/env bash
# Builds documentation sites of generators Debian does not package, from the Python and
# npm package registries, for scripts/fidelity.py to measure with --folder:
#
#   starlette   MkDocs, Material theme: Starlette's docs from its PyPI sdist
#   docusaurus  Docusaurus 3.10 (classic preset): Starlette's and Python-Markdown's docs
#   vitepress   VitePress 1 (default theme): the same Markdown
#   typedoc     TypeDoc 0.27: axios' type declarations
#
# Everything lands in target/built-sites/<name> (kept between runs; delete a folder to
# build it again). Versions are pinned. Markdown files a generator refuses (raw HTML that
# Vue or MDX cannot parse) are left out of that site, and said so. Prints the --folder
# arguments at the end. Not part of `cargo test`.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/target/built-sites"
WORK="$OUT/work"
mkdir -p "$WORK"
log() { echo "build-sites: $*" >&2; }

sdist() { # name version -> unpacked folder
    local dir="$WORK/$1-$2"
    if [ ! -d "$dir" ]; then
        python3 -m pip download -q --no-binary :all: --no-deps "$1==$2" -d "$WORK" >&2
        tar -xzf "$WORK/$1-$2.tar.gz" -C "$WORK"
    fi
    echo "$dir"
}

STARLETTE="$(sdist starlette 0.41.3)"
MARKDOWN="$(sdist markdown 3.7)"

if [ ! -f "$OUT/starlette/index.html" ]; then
    log "starlette (MkDocs, Material theme)"
    python3 -m venv "$WORK/mkdocs-venv"
    # mkautodoc imports the documented package: Starlette itself, with its dependencies.
    "$WORK/mkdocs-venv/bin/pip" install -q "mkdocs==1.6.1" "mkdocs-material==9.5.44" "mkautodoc==0.2.0" \
        "starlette==0.41.3" >&2
    (cd "$STARLETTE" && "$WORK/mkdocs-venv/bin/mkdocs" build -q -d "$OUT/starlette")
fi

# Starlette's and Python-Markdown's Markdown in a folder of a JavaScript generator.
copy_markdown() { # docs-folder
    mkdir -p "$1/starlette" "$1/markdown"
    cp "$STARLETTE"/docs/*.md "$1/starlette/"
    cp -r "$MARKDOWN"/docs/* "$1/markdown/"
}

# Runs a build command; a Markdown file it names in an error is left out and the build
# tried again (at most ten times).
build_leaving_out() { # log-file command...
    local logfile="$1"; shift
    for _ in $(seq 10); do
        if "$@" >"$logfile" 2>&1; then return 0; fi
        local bad
        bad="$(grep -oE '(docs/|/)[^ :"]*\.md' "$logfile" | grep -v node_modules | sort -u || true)"
        [ -n "$bad" ] || { tail -20 "$logfile" >&2; return 1; }
        for f in $bad; do
            for candidate in "$f" "docs/$f" ; do
                if [ -f "$candidate" ]; then log "left out (the generator refuses it): $candidate"; rm -f "$candidate"; fi
            done
        done
    done
    return 1
}

if [ ! -f "$OUT/docusaurus/index.html" ]; then
    log "docusaurus (Docusaurus 3.10, classic preset)"
    rm -rf "$WORK/docusaurus"
    (cd "$WORK" && npx -y create-docusaurus@3.10.2 docusaurus classic --javascript --package-manager npm >&2)
    cd "$WORK/docusaurus"
    rm -rf docs/* blog
    copy_markdown docs
    python3 - <<'EOF'
import re
p = "docusaurus.config.js"
s = open(p).read()
s = s.replace("blog: {", "blog: false && {", 1)
s = re.sub(r"(onBrokenLinks:\s*)'throw'", r"\1'warn'", s)
s = re.sub(r"\{to: '/blog', label: 'Blog', position: 'left'\},", "", s)
# CommonMark for .md files (MDX would refuse their raw HTML).
s = s.replace("future: {", "markdown: { format: 'detect' },\n  future: {", 1) if "future: {" in s else \
    s.replace("onBrokenLinks:", "markdown: { format: 'detect' },\n  onBrokenLinks:", 1)
open(p, "w").write(s)
EOF
    build_leaving_out "$WORK/docusaurus-build.log" npm run build
    rm -rf "$OUT/docusaurus" && cp -r build "$OUT/docusaurus"
    cd "$ROOT"
fi

if [ ! -f "$OUT/vitepress/index.html" ]; then
    log "vitepress (VitePress 1, default theme)"
    rm -rf "$WORK/vitepress" && mkdir -p "$WORK/vitepress/docs/.vitepress" "$WORK/vitepress/docs/public"
    cd "$WORK/vitepress"
    npm init -y >/dev/null
    npm install -q -D "vitepress@1.5.0" >&2
    copy_markdown docs
    cp -r "$STARLETTE/docs/img" docs/public/
    python3 - <<'EOF'
import glob, json, os, re
def items(folder):
    out = []
    for f in sorted(glob.glob(f"docs/{folder}/**/*.md", recursive=True)):
        rel = f[len("docs/"):-len(".md")]
        title = re.search(r"^#\s+(.+)$", open(f).read(), re.M)
        out.append({"text": (title.group(1).strip() if title else os.path.basename(rel))[:60], "link": "/" + rel})
    return out
config = {
    "title": "Web Toolkit Docs", "description": "Starlette and Python-Markdown", "ignoreDeadLinks": True,
    "themeConfig": {
        "nav": [{"text": "Starlette", "link": "/starlette/index"}, {"text": "Markdown", "link": "/markdown/index"}],
        "sidebar": {"/starlette/": [{"text": "Starlette", "items": items("starlette")}],
                    "/markdown/": [{"text": "Python-Markdown", "items": items("markdown")}]},
        "search": {"provider": "local"},
        "footer": {"message": "Released under the BSD License.", "copyright": "Copyright © 2018-present Encode OSS"},
        "editLink": {"pattern": "https://github.com/example/docs/edit/main/docs/:path", "text": "Edit this page on GitHub"},
    },
}
open("docs/.vitepress/config.mjs", "w").write("export default " + json.dumps(config, indent=1))
open("docs/index.md", "w").write(
    "---\nlayout: home\nhero:\n  name: Web Toolkit Docs\n  tagline: Starlette and Python-Markdown\n"
    "  actions:\n    - theme: brand\n      text: Starlette\n      link: /starlette/index\n"
    "    - theme: alt\n      text: Markdown\n      link: /markdown/index\n---\n")
EOF
    build_leaving_out "$WORK/vitepress-build.log" npx vitepress build docs
    rm -rf "$OUT/vitepress" && cp -r docs/.vitepress/dist "$OUT/vitepress"
    cd "$ROOT"
fi

if [ ! -f "$OUT/typedoc/index.html" ]; then
    log "typedoc (TypeDoc 0.27, axios' declarations)"
    rm -rf "$WORK/typedoc" && mkdir -p "$WORK/typedoc"
    cd "$WORK/typedoc"
    npm init -y >/dev/null
    npm install -q -D "typedoc@0.27.9" "typescript@5.6.3" "axios@1.7.9" >&2
    npx typedoc --entryPoints node_modules/axios/index.d.ts --out "$OUT/typedoc" --skipErrorChecking >&2
    cd "$ROOT"
fi

echo "--folder starlette=$OUT/starlette --folder docusaurus=$OUT/docusaurus" \
     "--folder vitepress=$OUT/vitepress --folder typedoc=$OUT/typedoc"

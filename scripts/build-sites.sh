#!/usr/bin/env bash
# Builds documentation sites of generators Debian does not package, from the Python and
# npm package registries, for scripts/fidelity.py to measure with --folder:
#
#   starlette   MkDocs, Material theme: Starlette's docs from its PyPI sdist
#   docusaurus  Docusaurus 3.10 (classic preset): Starlette's and Python-Markdown's docs
#   vitepress   VitePress 1 (default theme): the same Markdown
#   typedoc     TypeDoc 0.27: axios' type declarations
#   pip-furo    Sphinx 7, Furo theme: pip's docs from its sdist (dirhtml, as published)
#   pip-book    the same pages with sphinx-book-theme (the PyData Sphinx theme's layout)
#   attrs-furo  Sphinx 7, Furo theme: attrs' docs from its sdist (a site of 17 pages)
#   pdoc        pdoc 15: the API of Starlette, Python-Markdown and HTTPX
#   jsdoc       JSDoc 4, default template: the sources of ws and axios
#   starlight   Starlight 0.30 (Astro 5): Starlette's and Python-Markdown's Markdown
#   mallard     Mallard pages made HTML by yelp-build (Debian's yelp-tools): GNOME's
#               desktop help (gnome-user-docs), topic pages under guide pages of links
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

# A fresh npm project in $WORK/<folder> with the packages given, made the current folder.
npm_project() { # folder npm-install-arguments...
    local folder="$1"; shift
    rm -rf "${WORK:?}/$folder" && mkdir -p "$WORK/$folder"
    cd "$WORK/$folder"
    npm init -y >/dev/null
    npm install -q "$@" >&2
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
    npm_project vitepress -D "vitepress@1.5.0"
    mkdir -p docs/.vitepress docs/public
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
    npm_project typedoc -D "typedoc@0.27.9" "typescript@5.6.3" "axios@1.7.9"
    npx typedoc --entryPoints node_modules/axios/index.d.ts --out "$OUT/typedoc" --skipErrorChecking >&2
    cd "$ROOT"
fi

# Sphinx projects as they publish them, with the extensions their docs ask for.
sphinx_venv() {
    if [ ! -x "$WORK/sphinx-venv/bin/sphinx-build" ]; then
        python3 -m venv "$WORK/sphinx-venv"
        "$WORK/sphinx-venv/bin/pip" install -q "sphinx==7.4.7" "furo==2024.8.6" "sphinx-book-theme==1.1.3" \
            "myst-parser==3.0.1" "sphinx-copybutton==0.5.2" "sphinx-inline-tabs==2023.4.21" \
            "sphinx-notfound-page==1.0.4" "sphinxcontrib-towncrier==0.4.0a0" "towncrier==23.11.0" >&2
    fi
    echo "$WORK/sphinx-venv/bin/sphinx-build"
}

sphinx_site() { # log-name sphinx-build-arguments...
    local name="$1"; shift
    "$(sphinx_venv)" -q "$@" >&2 2>"$WORK/$name.log" || { tail -20 "$WORK/$name.log" >&2; exit 1; }
}

if [ ! -f "$OUT/pip-furo/index.html" ] || [ ! -f "$OUT/pip-book/index.html" ]; then
    log "pip-furo and pip-book (Sphinx: Furo, sphinx-book-theme)"
    PIP="$(sdist pip 24.3.1)"
    # The changelog's draft entries need towncrier's templates from pip's repository,
    # which the sdist leaves out; the rest of the site is as published.
    sed -i 's/^\.\. towncrier-draft-entries::.*$//' "$PIP/docs/html/news.rst"
    sed -i 's/^    "sphinxcontrib\.towncrier",$//' "$PIP/docs/html/conf.py"
    sphinx_venv >/dev/null
    # pip's own Sphinx extension documents pip's options from its installed code.
    "$WORK/sphinx-venv/bin/pip" install -q "$PIP" >&2
    sphinx_site pip-furo -b dirhtml "$PIP/docs/html" "$OUT/pip-furo"
    sphinx_site pip-book -b html -D html_theme=sphinx_book_theme "$PIP/docs/html" "$OUT/pip-book"
fi

if [ ! -f "$OUT/attrs-furo/index.html" ]; then
    log "attrs-furo (Sphinx, Furo)"
    ATTRS="$(sdist attrs 24.2.0)"
    sphinx_venv >/dev/null
    "$WORK/sphinx-venv/bin/pip" install -q "$ATTRS" >&2
    sphinx_site attrs-furo -b html "$ATTRS/docs" "$OUT/attrs-furo"
fi

if [ ! -f "$OUT/pdoc/index.html" ]; then
    log "pdoc (pdoc 15: Starlette, Python-Markdown, HTTPX)"
    python3 -m venv "$WORK/pdoc-venv"
    "$WORK/pdoc-venv/bin/pip" install -q "pdoc==15.0.0" "starlette==0.41.3" "markdown==3.7" "httpx==0.27.2" \
        "itsdangerous==2.2.0" "jinja2==3.1.4" "python-multipart==0.0.12" "pyyaml==6.0.2" >&2
    # Starlette's test client imports a test framework the site does not need.
    "$WORK/pdoc-venv/bin/pdoc" -o "$OUT/pdoc" starlette markdown httpx '!starlette.testclient' \
        2>"$WORK/pdoc.log" || { tail -20 "$WORK/pdoc.log" >&2; exit 1; }
fi

if [ ! -f "$OUT/jsdoc/index.html" ]; then
    log "jsdoc (JSDoc 4, default template: ws, axios)"
    npm_project jsdoc -D "jsdoc@4.0.5" "ws@8.18.0" "axios@1.7.9"
    # JSDoc reports the tags it cannot parse in axios' comments and writes the site all the same.
    npx jsdoc -r node_modules/ws/lib node_modules/axios/lib -d "$OUT/jsdoc" >"$WORK/jsdoc.log" 2>&1 || true
    [ -f "$OUT/jsdoc/index.html" ] || { tail -20 "$WORK/jsdoc.log" >&2; exit 1; }
    cd "$ROOT"
fi

if [ ! -f "$OUT/starlight/index.html" ]; then
    log "starlight (Starlight 0.30, Astro 5)"
    npm_project starlight "astro@5.1.1" "@astrojs/starlight@0.30.6" "sharp@0.33.5"
    mkdir -p src/content/docs
    cp "$ROOT/scripts/starlight/astro.config.mjs" .
    cp "$ROOT/scripts/starlight/content.config.ts" src/
    python3 "$ROOT/scripts/starlight/front-matter.py" "$STARLETTE/docs=starlette" "$MARKDOWN/docs=markdown"
    build_leaving_out "$WORK/starlight-build.log" npx astro build
    rm -rf "$OUT/starlight" && cp -r dist "$OUT/starlight"
    cd "$ROOT"
fi

if [ ! -f "$OUT/mallard/index.html" ]; then
    log "mallard (yelp-build html of GNOME's desktop help)"
    command -v yelp-build >/dev/null && [ -d /usr/share/help/C/gnome-help ] ||
        apt-get install -y -q yelp-tools gnome-user-docs >&2
    rm -rf "$OUT/mallard" && mkdir -p "$OUT/mallard"
    yelp-build html -o "$OUT/mallard" /usr/share/help/C/gnome-help/ >"$WORK/mallard-build.log" 2>&1
fi

printf -- '--folder %s=%s ' mallard "$OUT/mallard" starlette "$OUT/starlette" docusaurus "$OUT/docusaurus" vitepress "$OUT/vitepress" \
    typedoc "$OUT/typedoc" pip-furo "$OUT/pip-furo" pip-book "$OUT/pip-book" attrs-furo "$OUT/attrs-furo" \
    pdoc "$OUT/pdoc" jsdoc "$OUT/jsdoc" starlight "$OUT/starlight"
echo

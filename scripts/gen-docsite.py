#!/usr/bin/env python3
"""Generates a static API-reference site for the crawl benchmarks (scripts/bench-crawl.sh).

    python3 scripts/gen-docsite.py --pages 10000 --out target/bench/site-10000

Standard library only, deterministic (the same arguments give the same bytes). The site
looks like a generated reference (Javadoc, Sphinx autodoc, Doxygen): one root index,
package indexes and class pages, about 55 KB of HTML a class page on average, each
with a <head> of stylesheets and scripts, a top navigation bar, a breadcrumb, a sidebar
listing every class of its package and some fifty packages, an article of method
sections (prose, signatures, parameter tables, example code, "see also" links to classes
anywhere on the site) and a footer. Every page is reachable from /index.html through
<a href> links; the root links to every package and a package index to its classes.

A file `.complete` holding the arguments is written last; a directory that has it with
the same arguments is left as it is, so repeated benchmark runs do not regenerate.
"""

from __future__ import annotations

import argparse
import html
import os
import random
import shutil
import sys

CLASSES_PER_PACKAGE = 99

WORDS = (
    "the request returns a list of users in the organisation each field is optional unless "
    "marked required token scope pagination cursor limit offset response schema error code "
    "retry after webhook payload signature header authentication bearer client credentials "
    "resource identifier created updated deleted filter query value string integer boolean "
    "array object nested attribute default maximum minimum length pattern format date time "
    "zone locale encoding charset buffer stream reader writer handle connection pool session "
    "transaction commit rollback isolation level lock timeout deadline cancel context thread "
    "worker queue message event listener callback handler registry provider factory builder "
    "instance method property constructor argument parameter exception raised when invalid "
    "state configuration option environment variable path file directory permission owner "
    "group member role policy rule condition action effect principal account tenant region"
).split()

NOUNS = (
    "User Group Role Policy Token Session Client Account Tenant Resource Schema Filter Query "
    "Stream Reader Writer Buffer Channel Handler Listener Event Queue Worker Pool Registry "
    "Provider Factory Builder Config Option Entry Record Cursor Page Batch Request Response "
    "Header Payload Signature Webhook Credential Secret Key Certificate Domain Member Attribute"
).split()

VERBS = (
    "get set create update delete list find fetch load store open close read write send "
    "receive parse format validate encode decode register resolve refresh revoke grant"
).split()

TYPES = ("str", "int", "bool", "float", "bytes", "list[str]", "dict[str, Any]", "Optional[int]",
         "datetime", "Path", "Iterator[Record]", "Callable[[Event], None]")

HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} &#8212; Acme Platform SDK 4.2 reference</title>
<link rel="stylesheet" href="/_static/pygments.css" type="text/css">
<link rel="stylesheet" href="/_static/theme.css" type="text/css">
<link rel="stylesheet" href="/_static/reference.css" type="text/css">
<link rel="index" title="Index" href="/genindex.html">
<link rel="search" title="Search" href="/search.html">
<script src="/_static/documentation_options.js"></script>
<script src="/_static/jquery.js"></script>
<script src="/_static/underscore.js"></script>
<script src="/_static/doctools.js"></script>
<script>
  window.dataLayer = window.dataLayer || [];
  function gtag(){{dataLayer.push(arguments);}}
  gtag('js', new Date());
  gtag('config', 'UA-000000-1', {{'anonymize_ip': true}});
  var DOCUMENTATION_OPTIONS = {{URL_ROOT: '/', VERSION: '4.2.0', LANGUAGE: 'en',
    COLLAPSE_INDEX: false, FILE_SUFFIX: '.html', HAS_SOURCE: true, SOURCELINK_SUFFIX: '.txt'}};
</script>
<style>
  .sidebar {{ width: 18em; float: left; }} .body {{ margin-left: 19em; }}
  .sig {{ font-family: monospace; background: #f8f8f8; }} table.params td {{ padding: 2px 6px; }}
</style>
</head>
<body>
<div class="related" role="navigation" aria-label="related navigation">
<h3>Navigation</h3>
<ul>
<li class="right"><a href="/genindex.html" title="General Index">index</a></li>
<li class="right"><a href="/py-modindex.html" title="Module Index">modules</a> |</li>
<li><a href="/index.html">Acme Platform SDK 4.2</a> &#187;</li>
<li><a href="/guide.html">User guide</a> |</li>
<li><a href="/changelog.html">Changelog</a> |</li>
<li><a href="/faq.html">FAQ</a></li>
</ul>
</div>
"""

FOOTER = """<div class="footer" role="contentinfo">
&#169; Copyright 2014&#8211;2026, Acme Corporation. All rights reserved.
<a href="/legal/privacy.html">Privacy</a> &#183; <a href="/legal/terms.html">Terms</a> &#183;
<a href="/about.html">About these documents</a> &#183; <a href="/bugs.html">Report a bug</a>
<br>Last updated on Nov 28, 2026. Created using <a href="https://www.sphinx-doc.org/">Sphinx</a> 7.2.6.
</div>
<script src="/_static/search-index.js" defer></script>
</body>
</html>
"""


class Site:
    def __init__(self, pages: int):
        if pages < 2:
            raise SystemExit("--pages must be at least 2")
        self.pages = pages
        # Page 0 is the root; then each package has an index and up to 99 classes.
        remaining = pages - 1
        self.packages: list[int] = []  # classes per package
        while remaining > 0:
            take = min(remaining, CLASSES_PER_PACKAGE + 1)
            self.packages.append(take - 1)
            remaining -= take
        self.class_names: list[list[str]] = []
        rng = random.Random(7)
        for p, count in enumerate(self.packages):
            names = []
            for c in range(count):
                names.append(f"{rng.choice(NOUNS)}{rng.choice(NOUNS)}{c}")
            self.class_names.append(names)

    def package_name(self, p: int) -> str:
        return f"acme.{NOUNS[p % len(NOUNS)].lower()}{p}"

    def package_url(self, p: int) -> str:
        return f"/api/{self.package_name(p)}/index.html"

    def class_url(self, p: int, c: int) -> str:
        return f"/api/{self.package_name(p)}/{self.class_names[p][c]}.html"

    def random_class(self, rng: random.Random) -> tuple[int, int]:
        while True:
            p = rng.randrange(len(self.packages))
            if self.packages[p]:
                return p, rng.randrange(self.packages[p])


def sentence(rng: random.Random, low: int = 8, high: int = 22) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    words[0] = words[0].capitalize()
    if rng.random() < 0.3:
        words.insert(rng.randrange(1, len(words)), f"<code>{rng.choice(WORDS)}_{rng.choice(WORDS)}</code>")
    return " ".join(words) + "."


def paragraph(rng: random.Random, sentences: tuple[int, int] = (2, 5)) -> str:
    return "<p>" + " ".join(sentence(rng) for _ in range(rng.randint(*sentences))) + "</p>\n"


def sidebar(site: Site, p: int, current: str) -> str:
    out = ['<div class="sidebar" role="navigation" aria-label="main navigation">',
           '<div class="sidebarwrapper">', '<h3><a href="/index.html">Table of Contents</a></h3>',
           f'<p class="caption">{html.escape(site.package_name(p))}</p>', "<ul>"]
    out.append(f'<li class="toctree-l1"><a href="{site.package_url(p)}">Package overview</a></li>')
    for c, name in enumerate(site.class_names[p]):
        url = site.class_url(p, c)
        cls = "toctree-l2 current" if url == current else "toctree-l2"
        out.append(f'<li class="{cls}"><a class="reference internal" href="{url}">{name}</a></li>')
    out.append("</ul>")
    out.append('<p class="caption">Packages</p><ul>')
    count = len(site.packages)
    for offset in range(-25, 25):
        q = (p + offset) % count
        out.append(f'<li class="toctree-l1"><a href="{site.package_url(q)}">{site.package_name(q)}</a></li>')
    out.append("</ul>")
    out.append('<div id="searchbox" role="search"><h3>Quick search</h3>'
               '<form class="search" action="/search.html" method="get">'
               '<input type="text" name="q"><input type="submit" value="Go"></form></div>')
    out.append("</div></div>")
    return "\n".join(out) + "\n"


def method_section(site: Site, rng: random.Random, cls: str) -> str:
    verb, noun = rng.choice(VERBS), rng.choice(NOUNS)
    name = f"{verb}_{noun.lower()}"
    params = [(f"{rng.choice(WORDS)}_{rng.choice(WORDS)}", rng.choice(TYPES)) for _ in range(rng.randint(2, 6))]
    sig = ", ".join(f"{n}: {t}" for n, t in params)
    ret = rng.choice(TYPES)
    out = [f'<dl class="py method">',
           f'<dt class="sig sig-object py" id="{cls}.{name}">'
           f'<span class="sig-name descname">{name}</span>({html.escape(sig)}) &#8594; {html.escape(ret)}'
           f'<a class="headerlink" href="#{cls}.{name}" title="Permalink">&#182;</a></dt>', "<dd>"]
    out.append(f'<h3 id="{name}">{cls}.{name}</h3>\n')
    out.append(paragraph(rng, (2, 4)))
    out.append('<table class="params docutils"><thead><tr><th>Parameter</th><th>Type</th><th>Description</th></tr></thead><tbody>')
    for n, t in params:
        out.append(f"<tr><td><code>{n}</code></td><td><em>{html.escape(t)}</em></td><td>{sentence(rng, 6, 14)}</td></tr>")
    out.append("</tbody></table>\n")
    out.append(f"<p><strong>Returns:</strong> {sentence(rng, 5, 12)}</p>\n")
    if rng.random() < 0.5:
        out.append(f'<div class="admonition note"><p class="admonition-title">Note</p>{paragraph(rng, (1, 2))}</div>\n')
    lines = [f"client = acme.Client(token=os.environ[\"ACME_TOKEN\"])"]
    for i in range(rng.randint(4, 10)):
        lines.append(f"{rng.choice(WORDS)}_{i} = client.{name}({', '.join(n + '=' + repr(rng.choice(WORDS)) for n, _ in params[:2])})")
    lines.append(f"print({rng.choice(WORDS)}_0)")
    code = html.escape("\n".join(lines))
    out.append(f'<div class="highlight-python notranslate"><div class="highlight"><pre><span></span>{code}\n</pre></div></div>\n')
    see = []
    for _ in range(3):
        p, c = site.random_class(rng)
        see.append(f'<a class="reference internal" href="{site.class_url(p, c)}"><code>{site.class_names[p][c]}</code></a>')
    out.append(f"<p>See also: {', '.join(see)}.</p>\n")
    out.append("</dd></dl>\n")
    return "".join(out)


def class_page(site: Site, p: int, c: int) -> str:
    rng = random.Random(p * 100_003 + c)
    cls = site.class_names[p][c]
    url = site.class_url(p, c)
    title = f"{site.package_name(p)}.{cls}"
    out = [HEAD.format(title=html.escape(title)), sidebar(site, p, url)]
    out.append('<div class="document"><div class="body" role="main">\n')
    out.append(f'<div class="breadcrumb"><a href="/index.html">Reference</a> &#187; '
               f'<a href="{site.package_url(p)}">{site.package_name(p)}</a> &#187; {cls}</div>\n')
    out.append(f'<section id="{cls.lower()}"><h1>{html.escape(title)}<a class="headerlink" href="#{cls.lower()}">&#182;</a></h1>\n')
    out.append(f'<p class="sig">class {title}(config: Config, *, timeout: float = 30.0)</p>\n')
    for _ in range(rng.randint(2, 4)):
        out.append(paragraph(rng))
    out.append('<h2 id="methods">Methods</h2>\n')
    for _ in range(rng.randint(8, 14)):
        out.append(method_section(site, rng, cls))
    out.append('<h2 id="attributes">Attributes</h2>\n<ul>\n')
    for _ in range(rng.randint(4, 10)):
        out.append(f"<li><code>{rng.choice(WORDS)}_{rng.choice(WORDS)}</code>: {sentence(rng, 5, 12)}</li>\n")
    out.append("</ul>\n</section>\n")
    prev_c, next_c = (c - 1) % site.packages[p], (c + 1) % site.packages[p]
    out.append(f'<div class="prev-next"><a href="{site.class_url(p, prev_c)}">&#171; Previous</a> '
               f'<a href="{site.class_url(p, next_c)}">Next &#187;</a></div>\n')
    out.append("</div></div>\n")
    out.append(FOOTER)
    return "".join(out)


def package_page(site: Site, p: int) -> str:
    rng = random.Random(900_001 + p)
    url = site.package_url(p)
    title = site.package_name(p)
    out = [HEAD.format(title=html.escape(title)), sidebar(site, p, url)]
    out.append('<div class="document"><div class="body" role="main">\n')
    out.append(f'<section><h1>Package {html.escape(title)}</h1>\n')
    out.append(paragraph(rng, (3, 6)))
    out.append('<table class="classes docutils"><tbody>\n')
    for c, name in enumerate(site.class_names[p]):
        out.append(f'<tr><td><a href="{site.class_url(p, c)}">{name}</a></td><td>{sentence(rng, 5, 10)}</td></tr>\n')
    out.append("</tbody></table>\n</section>\n</div></div>\n")
    out.append(FOOTER)
    return "".join(out)


def root_page(site: Site) -> str:
    out = [HEAD.format(title="Acme Platform SDK 4.2 reference")]
    out.append('<div class="document"><div class="body" role="main">\n<h1>Acme Platform SDK reference</h1>\n')
    out.append("<p>The reference of every package of the SDK.</p>\n<ul>\n")
    for p in range(len(site.packages)):
        out.append(f'<li><a href="{site.package_url(p)}">{site.package_name(p)}</a></li>\n')
    out.append("</ul>\n</div></div>\n")
    out.append(FOOTER)
    return "".join(out)


EXTRA_PAGES = {
    "genindex.html": "General index", "py-modindex.html": "Module index", "search.html": "Search",
    "guide.html": "User guide", "changelog.html": "Changelog", "faq.html": "Frequently asked questions",
    "about.html": "About these documents", "bugs.html": "Reporting bugs",
    "legal/privacy.html": "Privacy notice", "legal/terms.html": "Terms of use",
}


def extra_page(site: Site, path: str, title: str) -> str:
    """The small pages every page's navigation and footer link to."""
    rng = random.Random(path)
    out = [HEAD.format(title=html.escape(title))]
    out.append(f'<div class="document"><div class="body" role="main">\n<h1>{html.escape(title)}</h1>\n')
    for _ in range(rng.randint(2, 6)):
        out.append(paragraph(rng))
    out.append("</div></div>\n")
    out.append(FOOTER)
    return "".join(out)


def write(path: str, text: str) -> int:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = text.encode("utf-8")
    with open(path, "wb") as fh:
        fh.write(data)
    return len(data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, required=True,
                        help="root, package and class pages (ten small pages linked from every page come on top)")
    parser.add_argument("--out", required=True, help="directory to write (replaced)")
    args = parser.parse_args()
    marker = os.path.join(args.out, ".complete")
    stamp = f"gen-docsite v2 pages={args.pages}\n"
    if os.path.isfile(marker) and open(marker).read() == stamp:
        print(f"{args.out}: up to date ({args.pages} pages)", file=sys.stderr)
        return 0
    if os.path.isdir(args.out):
        shutil.rmtree(args.out)
    site = Site(args.pages)
    total = write(os.path.join(args.out, "index.html"), root_page(site))
    written = 1
    for path, title in EXTRA_PAGES.items():
        total += write(os.path.join(args.out, path), extra_page(site, path, title))
    class_bytes = class_pages = 0
    for p, count in enumerate(site.packages):
        total += write(os.path.join(args.out, site.package_url(p).lstrip("/")), package_page(site, p))
        written += 1
        for c in range(count):
            size = write(os.path.join(args.out, site.class_url(p, c).lstrip("/")), class_page(site, p, c))
            total += size
            class_bytes += size
            class_pages += 1
            written += 1
        if p % 20 == 0:
            print(f"  {written}/{args.pages} pages", file=sys.stderr)
    with open(marker, "w") as fh:
        fh.write(stamp)
    mean = class_bytes // max(class_pages, 1)
    written += len(EXTRA_PAGES)
    print(f"{args.out}: {written} pages, {total / 1e6:.1f} MB, class pages {mean / 1000:.1f} KB on average",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

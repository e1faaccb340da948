#!/usr/bin/env python3
"""Fidelity harness: crawl real documentation sites with docscrape and measure what was kept.

For each site (a Debian documentation package, installed with apt when missing) the script
serves the package's HTML folder with nginx on 127.0.0.1, crawls it whole with a release
build of docscrape through its HTTP API, and reports, with the definitions of
fidelity_metrics.py (content recall, template share):

  pages saved, median content recall, pages under 0.5 recall, template share

and the same figures for trafilatura 2.3 (favor_recall=True) run on the very same pages
(the HTML files behind the URLs docscrape saved). trafilatura lives in a venv the script
creates (target/fidelity-venv); the script re-runs itself inside it.

Usage: scripts/fidelity.py [--sites a,b] [--binary PATH] [--max-pages N] [--keep DIR]
                            [--metrics PATH] [--json FILE] [--no-trafilatura]
Progress goes to stderr; the table (Markdown) to stdout. Not part of `cargo test`."""
import argparse
import concurrent.futures
import http.client
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(REPO, "target", "fidelity-venv")
# The project's shared/ folder lies beside the clone (CI) or beside the worktrees folder.
DEFAULT_METRICS = next(
    (p for p in (os.path.join(up, "shared", "tools", "fidelity_metrics.py")
                 for up in (os.path.dirname(REPO), os.path.dirname(os.path.dirname(REPO))))
     if os.path.exists(p)),
    "fidelity_metrics.py")

# name: (apt package, HTML folder, start page, generator family, page cap or None)
SITES = {
    "python3.11": ("python3.11-doc", "/usr/share/doc/python3.11/html", "index.html", "Sphinx (Python theme)", None),
    "flask": ("python-flask-doc", "/usr/share/doc/python-flask-doc/html", "index.html", "Sphinx (Pallets theme)", None),
    "requests": ("python-requests-doc", "/usr/share/doc/python-requests-doc/html", "index.html", "Sphinx (Alabaster)", None),
    "sqlalchemy": ("python-sqlalchemy-doc", "/usr/share/doc/python-sqlalchemy-doc/html", "index.html", "Sphinx (own theme)", None),
    "cmake": ("cmake-doc", "/usr/share/doc/cmake-data/html", "index.html", "Sphinx (CMake theme)", None),
    "jdk17": ("default-jdk-doc", "/usr/share/doc/openjdk-17-jre-headless/api", "index.html", "Javadoc 17", 2500),
    "libstdc++": ("libstdc++-12-doc", "/usr/share/doc/gcc-12-base/libstdc++/manual", "index.html", "DocBook XSL", None),
    "doxygen": ("doxygen-doc", "/usr/share/doc/doxygen/html", "index.html", "Doxygen", None),
    "erlang": ("erlang-doc", "/usr/share/doc/erlang-doc", "doc/index.html", "Erlang docgen", None),
    "libxml2": ("libxml2-doc", "/usr/share/doc/libxml2/html", "index.html", "hand-written, layout tables", None),
    "glib": ("libglib2.0-doc", "/usr/share/gtk-doc/html/glib", "index.html", "gtk-doc", None),
    "zsh": ("zsh-doc", "/usr/share/doc/zsh-common/html", "index.html", "Texinfo", None),
    # Not a Debian package: rustdoc's output for five of docscrape's dependencies, built by
    # `cargo doc` (see RUSTDOC_CRATES); the start pages are the crates' roots.
    "rustdoc": (None, os.path.join(os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target"), "doc"),
                "url/index.html,serde_json/index.html,uuid/index.html,time/index.html,http/index.html",
                "rustdoc (cargo doc of five crates)", None),
    # Packages whose dependencies (ghc, ocaml, mkdocs' JavaScript) are not needed to read the
    # HTML: `apt-get download` + `dpkg -x` into target/fidelity-debs/<package> (see EXTRACTED).
    "mkdocs": ("mkdocs-doc", "/usr/share/doc/mkdocs/html", "index.html", "MkDocs (mkdocs theme)", None),
    "megaparsec": ("libghc-megaparsec-doc", "/usr/share/doc/libghc-megaparsec-doc/html", "index.html",
                   "Haddock", None),
    "ocamlgraph": ("libocamlgraph-ocaml-doc", "/usr/share/doc/libocamlgraph-ocaml-doc/html", "index.html",
                   "odoc", 800),
    "batteries": ("libbatteries-ocaml-doc", "/usr/share/doc/libbatteries-ocaml-doc/html", "api/index.html",
                  "ocamldoc", None),
    "yard": ("yard-doc", "/usr/share/doc/yard/doc", "index.html", "YARD (Ruby)", None),
    "gtk4": ("libgtk-4-doc", "/usr/share/doc/libgtk-4-doc/gtk4", "index.html", "gi-docgen", 500),
    "boost": ("libboost1.74-doc", "/usr/share/doc/libboost1.74-doc/doc/html", "index.html",
              "BoostBook / QuickBook (DocBook XSL)", 500),
    "scipy": ("python-scipy-doc", "/usr/share/doc/python-scipy-doc/html", "index.html",
              "Sphinx (pydata-sphinx-theme)", 500),
    "qtcore": ("qtbase5-doc-html", "/usr/share/qt5/doc", "qtcore/qtcore-index.html", "QDoc (Qt 5)", 500),
    "debian-handbook": ("debian-handbook", "/usr/share/doc/debian-handbook/html/en-US", "index.html",
                        "Publican (DocBook)", None),
    "debian-reference": ("debian-reference-en", "/usr/share/debian-reference", "index.en.html",
                         "DocBook XSL, long chapter pages", None),
    # Closest to the held-out families (docs/fidelity.md, "Families closest to the judged
    # ones"). cargo-doc is installed: rustdoc 1.63, Debian 12's rustc, the judged version.
    "rustdoc163": ("cargo-doc", "/usr/share/doc/cargo/doc",
                   "syn/index.html,quote/index.html,proc_macro2/index.html,serde_derive/index.html,"
                   "unicode_ident/index.html", "rustdoc 1.63 (Debian 12)", 800),
    "cargo-book": ("cargo-web-doc", "/usr/share/doc/cargo-web/book", "index.html", "mdBook", None),
    # AsciiDoc man pages with no index page: every page is a start link (a glob).
    "trace-cmd": ("trace-cmd", "/usr/share/doc/trace-cmd/trace-cmd", "*.html", "AsciiDoc man pages", None),
    "libtracefs": ("libtracefs-doc", "/usr/share/doc/libtracefs-doc", "*.html", "AsciiDoc man pages", None),
    "apache": ("apache2-doc", "/usr/share/doc/apache2-doc/manual", "en/index.html",
               "XSLT-made pages, no landmarks", 800),
    "slony": ("slony1-2-doc", "/usr/share/doc/slony1-2-doc/adminguide", "index.html",
              "DocBook (PostgreSQL's style), refentry pages", None),
    "docbook-xsl": ("docbook-xsl-doc-html", "/usr/share/doc/docbook-xsl-doc-html/doc", "index.html",
                    "DocBook refentry reference", None),
    "sphinx": ("sphinx-doc", "/usr/share/doc/sphinx-doc/html", "index.html", "Sphinx (sphinx13 theme)", None),
    # Families measured in fid5 (docs/fidelity.md, "Seven more families: Read the Docs theme,
    # Node.js, Texinfo, Doxygen 1.9, valgrind's DocBook, Lua").
    "bind9": ("bind9-doc", "/usr/share/doc/bind9-doc/arm", "index.html", "Sphinx (Read the Docs theme)", None),
    "cryptography": ("python-cryptography-doc", "/usr/share/doc/python-cryptography-doc/html", "index.html",
                     "Sphinx (Read the Docs theme)", None),
    "nodejs": ("nodejs-doc", "/usr/share/doc/nodejs/api", "index.html", "Node.js's own API doc tool", None),
    # The main page has no HTML link: its menu bar and tree are built by scripts
    # (menudata.js, navtreedata.js), whose page names docscrape reads (docs/fidelity.md).
    "sdl2": ("libsdl2-doc", "/usr/share/doc/libsdl2-doc/html", "index.html",
             "Doxygen 1.9.4 (tree view)", 500),
    "octave": ("octave-doc", "/usr/share/doc/octave/octave.html", "index.html", "Texinfo, one page a node", 600),
    "r-manuals": ("r-doc-html", "/usr/share/R/doc/manual", "*.html", "Texinfo, one page a manual", None),
    "valgrind": ("valgrind", "/usr/share/doc/valgrind/html", "index.html", "DocBook XSL (valgrind's manual)", None),
    "lua": ("lua5.2-doc", "/usr/share/doc/lua5.2", "contents.html", "hand-written (the Lua manual)", None),
    # Families measured first on 2026-12-04 (docs/fidelity.md, "Seven more families").
    "cppreference": ("cppreference-doc-en-html", "/usr/share/cppreference/doc/html", "en/index.html",
                     "MediaWiki (cppreference.com's offline copy)", 600),
    "postfix": ("postfix-doc", "/usr/share/doc/postfix/html", "index.html", "hand-written, man pages as HTML", None),
    "vim": ("vim-doc", "/usr/share/doc/vim/html", "index.html", "vim help as HTML (vim2html)", None),
    "rdoc": ("asciidoctor-doc", "/usr/share/doc/asciidoctor-doc/html", "index.html", "RDoc (darkfish)", None),
    "libpam": ("libpam-doc", "/usr/share/doc/libpam-doc/html", "index.html", "DocBook XSL (Linux-PAM guides)", None),
    "pandas": ("python-pandas-doc", "/usr/share/doc/python-pandas-doc/html", "index.html",
               "Sphinx (pydata-sphinx-theme, pandas)", 500),
    # Single-page documents with no index page (the Go spec, memory model, assembler guide).
    "golang": ("golang-1.19-doc", "/usr/share/doc/golang-1.19-doc/html", "*.html", "Go's single-page documents", None),
    "fpdoc": ("fp-docs-3.2.2", "/usr/share/doc/fp-docs/3.2.2", "fpctoc.html", "FPDoc (Free Pascal's reference)", 600),
    "kicad": ("kicad-doc-en", "/usr/share/doc/kicad/help/en", "*.html", "Asciidoctor, one page a manual", None),
    # Pages behind a <base href>, a <noscript> refresh to a "enable JavaScript" page, and a
    # table of contents written by a script (contents.js).
    "libreoffice": ("libreoffice-help-en-us", "/usr/share/libreoffice/help", "en-US/text/swriter/main0000.html",
                    "LibreOffice help (XHP)", 500),
    "gimp": ("gimp-help-en", "/usr/share/gimp/2.0/help/en", "index.html", "DocBook XSL (the GIMP manual)", 500),
    "ada": ("ada-reference-manual-2012", "/usr/share/doc/ada-reference-manual-2012/aarm2012.html", "aa-TOC.html",
            "ARM_Form (the Ada reference manual)", 500),
    # Families measured first on 2026-12-04, night (docs/fidelity.md, "Eight more families").
    "ant": ("ant-doc", "/usr/share/doc/ant/manual", "index.html", "hand-written, a frameset", None),
    "docutils": ("docutils-doc", "/usr/share/doc/docutils-doc/docs", "index.html", "Docutils (rst2html)", None),
    "exim": ("exim4-doc-html", "/usr/share/doc/exim4-doc-html/spec_html", "index.html",
             "xfpt (Exim's specification)", None),
    "ffmpeg": ("ffmpeg-doc", "/usr/share/doc/ffmpeg/manual", "index.html", "texi2html, Bootstrap theme", None),
    "imagemagick": ("imagemagick-6-doc", "/usr/share/doc/imagemagick-6-common/html/www", "index.html",
                    "hand-written, Bootstrap website", 500),
    "swig": ("swig4.0-doc", "/usr/share/doc/swig4.0-doc/Manual", "index.html",
             "hand-written, long chapter pages", None),
    "tomcat": ("tomcat10-docs", "/usr/share/tomcat10-docs/docs", "index.html", "Tomcat's XSLT site", 400),
    "wireshark": ("wireshark-doc", "/usr/share/doc/wireshark/wsug_html_chunked", "index.html",
                  "Asciidoctor to DocBook XSL, chunked", None),
    "gap": ("gap-doc", "/usr/share/gap/doc/ref", "chap0.html", "GAPDoc (GAP's reference manual)", None),
    "gnuplot": ("gnuplot-doc", "/usr/share/doc/gnuplot/htmldocs", "index.html", "LaTeX2HTML", 500),
    "maxima": ("maxima-doc", "/usr/share/doc/maxima-doc/html", "maxima_toc.html", "Texinfo (Maxima's manual)", 400),
    "mpich": ("mpich-doc", "/usr/share/doc/mpich-doc/html", "index.html", "doctext man pages", 500),
    "scala": ("scala-doc", "/usr/share/doc/scala-2.11/api/library", "index.html",
              "Scaladoc 2.11 (a script-driven frame)", 500),
    "modperl": ("libapache2-mod-perl2-doc", "/usr/share/doc/libapache2-mod-perl2-doc/docs/2.0",
                "api/*/*.html,user/*/*.html", "pod2html in a site template (mod_perl)", None),
    "groovy": ("groovy-doc", "/usr/share/doc/groovy/gapi", "index.html", "Groovydoc 2.4 (a frameset)", 400),
    "haproxy": ("haproxy-doc", "/usr/share/doc/haproxy/html", "*.html", "dconv (HAProxy's one-page manuals)", None),
    "mutt": ("mutt", "/usr/share/doc/mutt/html", "index.html", "DocBook XSL (mutt's manual)", None),
    "xapian": ("xapian-doc", "/usr/share/doc/xapian-doc", "index.html", "Docutils pages beside Doxygen", 400),
    "debian-policy": ("debian-policy", "/usr/share/doc/debian-policy/policy.html", "index.html",
                      "Sphinx (Debian Policy)", None),
    # Families measured first on 2026-12-05 (docs/fidelity.md, "Seven more families, 2026-12-05").
    "ghc-guide": ("ghc-doc", "/usr/share/doc/ghc-doc/html/users_guide", "index.html",
                  "Sphinx (GHC's users guide)", 500),
    "haddock-base": ("ghc-doc", "/usr/share/doc/ghc-doc/html/libraries/base-4.15.1.0", "index.html",
                     "Haddock (GHC's base library)", 500),
    "gnucash": ("gnucash-docs", "/usr/share/doc/gnucash-docs/gnucash-guide-en", "index.html",
                "DocBook XSL (the GnuCash guide)", None),
    "nim": ("nim-doc", "/usr/share/doc/nim/html", "index.html", "Nim's docgen", 500),
    "racket": ("racket-doc", "/usr/share/doc/racket", "reference/index.html", "Scribble (Racket)", 500),
    "pytest": ("python-pytest-doc", "/usr/share/doc/python-pytest-doc/html", "index.html",
               "Sphinx (Flask-like theme, pytest)", 500),
    "sbcl": ("sbcl-doc", "/usr/share/doc/sbcl", "sbcl.html,sbcl-internals/index.html", "Texinfo (SBCL)", None),
    "grass": ("grass-doc", "/usr/share/doc/grass-doc/html", "index.html", "hand-written module manual pages (GRASS GIS)", 500),
    "gettext": ("gettext-doc", "/usr/share/doc/gettext", "*.html", "texi2html and man2html (GNU gettext)", None),
    "eigen": ("libeigen3-doc", "/usr/share/doc/libeigen3-dev/html", "index.html", "Doxygen (Eigen's theme)", 500),
    "debian-faq": ("debian-faq", "/usr/share/doc/debian/FAQ", "index.html", "DocBook XSL (the Debian FAQ)", None),
    "devref": ("developers-reference", "/usr/share/developers-reference", "index.html",
               "Sphinx (Debian developer's reference)", None),
    # Families measured first on 2026-12-05, second session (docs/fidelity.md, "Five more sites").
    "libvirt": ("libvirt-doc", "/usr/share/doc/libvirt-doc/html", "index.html",
                "libvirt's own site generator (docutils + XSLT)", None),
    "scrapy": ("python-scrapy-doc", "/usr/share/doc/python-scrapy-doc/html", "index.html",
               "Sphinx (Read the Docs theme)", None),
    "markdown": ("python-markdown-doc", "/usr/share/doc/python-markdown-doc/docs", "index.html",
                 "MkDocs (Python-Markdown's theme)", None),
    "setuptools": ("python-setuptools-doc", "/usr/share/doc/python-setuptools-doc/html", "index.html",
                   "Sphinx (Alabaster, setuptools)", None),
    "lxml": ("python-lxml-doc", "/usr/share/doc/python-lxml/html", "index.html",
             "docutils pages beside Sphinx API docs (lxml)", None),
    # Families measured first on 2026-12-05, third session (docs/fidelity.md, "Furo …").
    "structlog": ("python-structlog-doc", "/usr/share/doc/python-structlog-doc/html", "index.html",
                  "Sphinx (Furo)", None),
    "pygments": ("python-pygments-doc", "/usr/share/doc/python-pygments-doc/html", "index.html",
                 "Sphinx (Pygments' own theme)", None),
    "mako": ("python-mako-doc", "/usr/share/doc/python-mako-doc/html", "index.html",
             "Sphinx (zzzeeksphinx, Mako)", None),
    "babel": ("python-babel-doc", "/usr/share/doc/python-babel-doc/html", "index.html",
              "Sphinx (Babel's own theme)", None),
    "tornado": ("python-tornado-doc", "/usr/share/doc/python-tornado-doc/html", "index.html",
                "Sphinx (Read the Docs theme, Tornado)", None),
    "hypothesis": ("python-hypothesis-doc", "/usr/share/doc/python-hypothesis-doc/html", "index.html",
                   "Sphinx (Read the Docs theme, Hypothesis)", None),
    "aiohttp": ("python-aiohttp-doc", "/usr/share/doc/python-aiohttp-doc/html", "index.html",
                "Sphinx (aiohttp's Alabaster)", None),
    "greenlet": ("python-greenlet-doc", "/usr/share/doc/python-greenlet-doc/html", "index.html",
                 "Sphinx (classic theme)", None),
    "libsoup": ("libsoup-3.0-doc", "/usr/share/doc/libsoup-3.0", "index.html", "gi-docgen (libsoup)", None),
    "glibmm": ("libglibmm-2.4-doc", "/usr/share/doc/libglibmm-2.4-doc/reference/html", "index.html",
               "Doxygen (glibmm)", 500),
    "gtk3": ("libgtk-3-doc", "/usr/share/gtk-doc/html/gtk3", "index.html", "gtk-doc (GTK 3)", None),
    # Families measured first on 2026-12-05, fourth session (docs/fidelity.md, "Client libraries …").
    "celery": ("python-celery-doc", "/usr/share/doc/python-celery-doc/html", "index.html",
               "Sphinx (Celery's theme)", None),
    "pymongo": ("python-pymongo-doc", "/usr/share/doc/python-pymongo-doc/html", "index.html",
                "Sphinx (pydoctheme, PyMongo)", None),
    "keystoneauth": ("python-keystoneauth1-doc", "/usr/share/doc/python-keystoneauth1-doc/html", "index.html",
                     "Sphinx (openstackdocstheme)", None),
    "oslo-config": ("python-oslo.config-doc", "/usr/share/doc/python-oslo.config-doc/html", "index.html",
                    "Sphinx (openstackdocstheme)", None),
    "gitlab": ("python-gitlab-doc", "/usr/share/doc/python-gitlab-doc/html", "index.html",
               "Sphinx (Alabaster, python-gitlab)", None),
    "graphviz": ("graphviz-doc", "/usr/share/doc/graphviz/html", "index.html", "hand-written (Graphviz)", None),
    # Families measured first on 2026-12-07 (docs/fidelity.md, "Crystal's API reference …").
    "crystal": ("crystal-doc", "/usr/share/doc/crystal/api-docs", "index.html",
                "crystal doc (Crystal's standard library)", None),
    "chez": ("chezscheme-doc", "/usr/share/doc/chezscheme-doc/html", "index.html",
             "Chez Scheme's own LaTeX-to-HTML (its user's guide)", None),
    "bird": ("bird2-doc", "/usr/share/doc/bird2", "bird.html,prog.html", "LinuxDoc SGML tools (BIRD's guides)", None),
    "coffee": ("coffeescript-doc", "/usr/share/doc/coffeescript/html/annotated-source", "index.html",
               "Docco (CoffeeScript's annotated source)", None),
    "cmucl": ("cmucl-docs", "/usr/share/doc/cmucl-docs", "index.html", "HeVeA (CMUCL's user's manual)", None),
    "swipl": ("swi-prolog-doc", "/usr/share/swi-prolog/doc/Manual", "index.html",
              "SWI-Prolog's own LaTeX-to-HTML (its reference manual)", None),
    # Families measured first on 2026-12-07, stop 41 (docs/fidelity.md, "LilyPond's manual").
    "lilypond": ("lilypond-doc-html", "/usr/share/doc/lilypond/html/Documentation/notation", "index.html",
                 "texi2html 1.82 (LilyPond's Notation Reference)", None),
    "llvm": ("llvm-15-doc", "/usr/share/doc/llvm-15-doc/html", "index.html", "Sphinx (LLVM's theme)", None),
    "fish": ("fish-common", "/usr/share/doc/fish", "index.html", "Sphinx (fish's own theme)", None),
    "ntpsec": ("ntpsec-doc", "/usr/share/doc/ntpsec-doc/html", "index.html", "Asciidoctor (NTPsec's pages)", None),
    "ghostscript": ("ghostscript-doc", "/usr/share/doc/ghostscript/html", "index.html",
                    "Sphinx (Read the Docs theme, Ghostscript)", None),
    "privoxy": ("privoxy", "/usr/share/doc/privoxy", "index.html", "Modular DocBook (DSSSL) HTML", None),
    "gradle": ("gradle-doc", "/usr/share/doc/gradle/api", "index.html", "Javadoc (Gradle 4.4's API)", None),
    # Families measured first on 2026-12-07, stop 42 (docs/fidelity.md, "Text closing every page").
    "rsyslog": ("rsyslog-doc", "/usr/share/doc/rsyslog-doc/html", "index.html",
                "Sphinx (rsyslog's theme, an epilogue included on every page)", None),
    "sklearn": ("python-sklearn-doc", "/usr/share/doc/python-sklearn-doc/html", "index.html",
                "Sphinx (scikit-learn's theme, Sphinx-Gallery)", None),
    "hdf5cpp": ("libhdf5-doc", "/usr/share/doc/libhdf5-doc/html/cpplus_RM", "index.html",
                "Doxygen (HDF5's C++ reference)", None),
    "scons": ("scons-doc", "/usr/share/doc/scons/HTML", "index.html", "DocBook XSL (the SCons user's guide)", None),
    "ncurses": ("ncurses-doc", "/usr/share/doc/ncurses-doc/html", "index.html",
                "man pages as HTML (ncurses) beside hand-written guides", None),
    "gcrypt": ("libgcrypt20-doc", "/usr/share/doc/libgcrypt20-doc/html", "index.html",
               "Texinfo, one page a node (the Libgcrypt manual)", None),
    # Families measured first on 2026-12-07, stop 43 (docs/fidelity.md, "Notes drawn as tables …").
    "dask": ("python-dask-doc", "/usr/share/doc/python-dask-doc/html", "index.html",
             "Sphinx (PyData layout, dask)", None),
    "groonga": ("groonga-doc", "/usr/share/doc/groonga-doc/en/html", "index.html",
                "Sphinx (PyData layout, Groonga)", None),
    "ipython": ("python-ipython-doc", "/usr/share/doc/python-ipython-doc/html", "index.html",
                "Sphinx (Read the Docs theme, IPython)", None),
    "cyrus": ("cyrus-sasl2-doc", "/usr/share/doc/cyrus-sasl2-doc", "index.html",
              "Sphinx (Read the Docs theme, Cyrus SASL)", None),
    "xarray": ("python-xarray-doc", "/usr/share/doc/python-xarray-doc/html", "index.html",
               "Sphinx (Alabaster, nbsphinx notebooks)", None),
    "statsmodels": ("python-statsmodels-doc", "/usr/share/doc/python-statsmodels-doc/html", "index.html",
                    "Sphinx (classic theme, statsmodels)", 800),
    "weechat": ("weechat-doc", "/usr/share/doc/weechat-doc/html", "*.en.html",
                "Asciidoctor, one page a guide (WeeChat)", None),
    "ikiwiki": ("ikiwiki", "/usr/share/doc/ikiwiki/html", "index.html", "ikiwiki (a wiki, rendered)", None),
    "aptitude": ("aptitude-doc-en", "/usr/share/doc/aptitude/html/en", "index.html",
                 "DocBook XSL (aptitude's manual)", None),
    "nut": ("nut-doc", "/usr/share/doc/nut-doc/html",
            "user-manual/index.html,developer-guide/index.html,packager-guide/index.html,FAQ/index.html,"
            "cables/index.html,solaris-usb/index.html", "AsciiDoc through DocBook XSL, chunked (NUT)", None),
    "courier": ("courier-doc", "/usr/share/doc/courier-doc/html", "index.html",
                "man pages as hand-written HTML (Courier)", None),
    "tig": ("tig", "/usr/share/doc/tig", "*.html", "AsciiDoc (tig's manual and man pages)", None),
    "sympy": ("python-sympy-doc", "/usr/share/doc/python-sympy-doc/html", "index.html", "Sphinx (Furo, SymPy)", None),
    "designate": ("designate-doc", "/usr/share/doc/designate-doc/html", "index.html",
                  "Sphinx (openstackdocstheme, Designate)", None),
    "factory-boy": ("python-factory-boy-doc", "/usr/share/doc/python-factory-boy-doc/html", "index.html",
                    "Sphinx (Read the Docs theme, factory_boy)", None),
    "sphinx-gallery": ("python-sphinx-gallery-doc", "/usr/share/doc/python-sphinx-gallery-doc/html", "index.html",
                       "Sphinx (Sphinx-Gallery's examples and their notebooks)", None),
    "wxwidgets": ("wx3.2-doc", "/usr/share/doc/wx3.2-doc/html", "index.html", "Doxygen (wxWidgets 3.2)", 800),
}
EXTRACTED = {"mkdocs", "megaparsec", "ocamlgraph", "batteries", "yard", "gtk4", "boost", "scipy", "qtcore",
             "debian-handbook", "debian-reference", "cargo-book", "trace-cmd", "libtracefs", "apache", "slony",
             "docbook-xsl", "sphinx", "bind9", "cryptography", "nodejs", "sdl2", "octave", "r-manuals", "valgrind",
             "lua", "cppreference", "postfix", "vim", "rdoc", "libpam", "pandas", "golang", "fpdoc", "kicad",
             "libreoffice", "gimp", "ada", "ant", "docutils", "exim", "ffmpeg", "imagemagick", "swig", "tomcat",
             "wireshark", "gap", "gnuplot", "maxima", "mpich", "scala", "modperl",
             "groovy", "haproxy", "mutt", "xapian", "debian-policy",
             "ghc-guide", "haddock-base", "gnucash", "nim", "racket", "pytest", "sbcl",
             "grass", "gettext", "eigen", "debian-faq", "devref",
             "libvirt", "scrapy", "markdown", "setuptools", "lxml",
             "structlog", "pygments", "mako", "babel", "tornado", "hypothesis", "aiohttp", "greenlet", "libsoup",
             "glibmm", "gtk3", "celery", "pymongo", "keystoneauth", "oslo-config", "gitlab", "graphviz",
             "crystal", "chez", "bird", "coffee", "cmucl", "swipl", "lilypond", "llvm", "fish", "ntpsec",
             "ghostscript", "privoxy", "gradle", "rsyslog", "sklearn", "hdf5cpp", "scons", "ncurses", "gcrypt",
             "dask", "groonga", "ipython", "cyrus", "xarray", "statsmodels", "weechat", "ikiwiki", "aptitude",
             "nut", "courier", "tig", "sympy", "designate", "factory-boy", "sphinx-gallery", "wxwidgets"}
DEBS = os.path.join(REPO, "target", "fidelity-debs")
# apt-get's prefix: none as root.
SUDO = [] if os.geteuid() == 0 else ["sudo"]


def site_root(site):
    """The folder served for a site: the installed path, or the path inside the extracted package."""
    package, folder = SITES[site][0], SITES[site][1]
    return os.path.join(DEBS, package) + folder if site in EXTRACTED else folder
RUSTDOC_CRATES = ["url", "serde_json", "uuid", "time", "http@1"]


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def ensure_venv(args):
    """Re-executes the script in a venv that has trafilatura 2.3, creating it once."""
    if args.no_trafilatura or os.environ.get("FIDELITY_IN_VENV"):
        return
    python = os.path.join(VENV, "bin", "python")
    if not os.path.exists(python):
        log(f"creating {VENV} with trafilatura 2.3")
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", "trafilatura>=2.3,<2.4", "lxml_html_clean"], check=True)
    env = dict(os.environ, FIDELITY_IN_VENV="1")
    os.execve(python, [python, os.path.abspath(__file__)] + sys.argv[1:], env)


def download(package, dest):
    """Extracts `package` into `dest`; a stale package list (a 404 for a superseded
    version) is refreshed once. False when the package cannot be had."""
    for attempt in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            os.chmod(tmp, 0o755)  # apt's sandbox user writes the download here
            got = subprocess.run(["apt-get", "download", "-q", package], cwd=tmp, stdout=sys.stderr)
            if got.returncode == 0:
                deb = next(f for f in os.listdir(tmp) if f.endswith(".deb"))
                subprocess.run(["dpkg", "-x", os.path.join(tmp, deb), dest], check=True)
                return True
        if attempt == 1:
            subprocess.run(SUDO + ["apt-get", "update", "-qq"], check=True)
    return False


def ensure_packages(sites):
    """Installs or extracts what `sites` need; returns the sites whose pages are there."""
    if "rustdoc" in sites and not os.path.isfile(os.path.join(SITES["rustdoc"][1], "url", "index.html")):
        log("building rustdoc pages with cargo doc")
        crates = [arg for crate in RUSTDOC_CRATES for arg in ("-p", crate)]
        subprocess.run(["cargo", "doc", "--no-deps", "--quiet"] + crates, cwd=REPO, check=True)
    for site in sites:
        if site in EXTRACTED and not os.path.isdir(site_root(site)):
            package = SITES[site][0]
            log(f"extracting {package} into {DEBS}")
            os.makedirs(DEBS, exist_ok=True)
            if not download(package, os.path.join(DEBS, package)):
                log(f"{site}: {package} cannot be downloaded; left out")
    missing = sorted({SITES[s][0] for s in sites
                      if SITES[s][0] and s not in EXTRACTED and not os.path.isdir(SITES[s][1])})
    if missing:
        install(missing)
    return [s for s in sites if os.path.isdir(site_root(s))]


def install(packages):
    log("installing", " ".join(packages))
    subprocess.run(SUDO + ["apt-get", "update", "-qq"], check=True)
    subprocess.run(SUDO + ["apt-get", "install", "-y", "--no-install-recommends"] + packages,
                   check=True, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nginx(workdir, sites, attempts=3):
    """One nginx, one loopback port per site, each serving the site's folder.

    Ports are picked free but released before nginx binds them, so another program (a test
    suite's fixture server) can take one meanwhile; nginx then fails to start, or the site's
    crawl would read another server's 404s. Every port must answer as this nginx, else it
    starts again on new ports."""
    for attempt in range(1, attempts + 1):
        proc, ports = _nginx_on_free_ports(workdir, sites)
        if all(_answers_as_nginx(proc, ports[s]) for s in sites):
            return proc, ports
        proc.terminate()
        proc.wait()
        log(f"nginx did not answer on every port it was given (attempt {attempt}); new ports")
    sys.exit("nginx could not be started on free ports")


def _nginx_on_free_ports(workdir, sites):
    # A port the kernel hands out may come back from a later free_port(): two sites on one
    # port are one server (the second crawl read the first site's pages), so draw again.
    ports, taken = {}, set()
    for s in sites:
        port = free_port()
        while port in taken:
            port = free_port()
        ports[s] = port
        taken.add(port)
    servers = "\n".join(
        f"""  server {{
    listen 127.0.0.1:{ports[s]};
    root {site_root(s)};
    index index.html;
    location / {{ try_files $uri $uri/ =404; }}
  }}""" for s in sites)
    conf = os.path.join(workdir, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""worker_processes 2;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log;
events {{ worker_connections 256; }}
http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  sendfile on;
{servers}
}}
""")
    proc = subprocess.Popen(["nginx", "-p", workdir, "-c", conf, "-g", "daemon off;"])
    return proc, ports


def _answers_as_nginx(proc, port, tries=50):
    """Whether the server on `port` is the nginx `proc` (waiting a while for it to listen)."""
    for _ in range(tries):
        if proc.poll() is not None:
            return False
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        try:
            connection.request("HEAD", "/")
            return connection.getresponse().getheader("Server", "").startswith("nginx")
        except OSError:
            time.sleep(0.1)
        finally:
            connection.close()
    return False


def start_docscrape(binary, workdir):
    db = os.path.join(workdir, "fidelity.db")
    proc = subprocess.Popen(
        [binary, "serve", "--bind", "127.0.0.1:0", "--db", db, "--allow-private-networks",
         "--max-iterations-cap", "50000"],
        stdout=subprocess.PIPE, stderr=open(os.path.join(workdir, "docscrape.log"), "w"), text=True,
        env=dict(os.environ, RUST_LOG=os.environ.get("RUST_LOG", "info")))
    line = proc.stdout.readline()
    address = next(word for word in line.split() if word.startswith("http"))
    return proc, address.rstrip("/")


def api(address, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(address + path, data=data, method=method,
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=600) as response:
        return json.loads(response.read())


def start_pages(site):
    """The site's start pages; a glob (AsciiDoc man pages have no index) names every match."""
    import glob
    root, pages = site_root(site), []
    for page in SITES[site][2].split(","):
        if "*" in page:
            pages += sorted(os.path.relpath(f, root) for f in glob.glob(os.path.join(root, page)))
        else:
            pages.append(page)
    return pages


def crawl(address, site, base, cap):
    starts = [base + "/" + page for page in start_pages(site)]
    session = api(address, "POST", "/api/v1/session")["sessionId"]
    job = api(address, "POST", f"/api/v1/scrape/{session}/scrape", {
        "starterLinks": starts, "applicationName": site, "skipCache": True,
        "maxIterations": cap or 20000})["jobId"]
    began = time.time()
    while True:
        status = api(address, "GET", f"/api/v1/scrape/{session}/scrape?jobId={job}")
        if status["status"] in ("finished", "failed"):
            break
        time.sleep(1)
    if status["status"] == "failed":  # nothing saved: the documentation route answers 404
        return status, None, time.time() - began
    docs = api(address, "GET", f"/api/v1/session/{session}/documentation")
    return status, docs, time.time() - began


def load_metrics(path):
    spec = importlib.util.spec_from_file_location("fidelity_metrics", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def file_of(url, root):
    """The metric's own mapping: URL path under the served folder, '/' -> index.html."""
    path = "/" + url.split("/", 3)[3].split("#")[0].split("?")[0] if url.count("/") >= 3 else "/"
    return os.path.join(root, (path + "index.html" if path.endswith("/") else path).lstrip("/"))


def figures(metrics, pages, root):
    """pages: url -> markdown. The figures of fidelity_metrics.main, returned."""
    template, lines_of = metrics.template_lines(pages)
    dirty = [u for u, ls in lines_of.items() if ls & template]
    recalls = []
    for url, md in pages.items():
        f = file_of(url, root)
        if os.path.exists(f):
            with open(f, errors="replace") as handle:
                recalls.append((metrics.recall(handle.read(), md), url))
    recalls.sort()
    median = recalls[len(recalls) // 2][0] if recalls else 0.0
    return {
        "pages": len(pages),
        "median_recall": round(median, 3),
        "under_half": sum(1 for r, _ in recalls if r < 0.5),
        "template_share": round(len(dirty) / max(len(pages), 1), 4),
        "lowest": [(round(r, 2), u) for r, u in recalls[:5]],
        "template_lines": sorted(template)[:10],
    }


def _trafilatura_one(args):
    url, path = args
    import trafilatura
    try:
        with open(path, errors="replace") as f:
            html = f.read()
        text = trafilatura.extract(html, url=url, favor_recall=True, output_format="markdown",
                                   include_tables=True, include_links=False)
    except Exception:  # a page trafilatura cannot handle keeps nothing
        text = None
    return url, text or ""


def trafilatura_pages(urls, root):
    work = [(u, file_of(u, root)) for u in urls if os.path.exists(file_of(u, root))]
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(_trafilatura_one, work, chunksize=16))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", default=",".join(SITES), help="comma-separated, from: " + ", ".join(SITES))
    parser.add_argument("--binary", help="docscrape binary (default: cargo build --release)")
    parser.add_argument("--max-pages", type=int, help="page budget for every site (default: whole site, or the site's cap)")
    parser.add_argument("--metrics", default=os.environ.get("FIDELITY_METRICS", DEFAULT_METRICS))
    parser.add_argument("--keep", help="keep the documentation JSON of each site in this folder")
    parser.add_argument("--json", help="also write all figures as JSON to this file")
    parser.add_argument("--no-trafilatura", action="store_true")
    parser.add_argument("--folder", action="append", default=[], metavar="NAME=PATH",
                        help="also measure a site built locally (e.g. by mkdocs build) from PATH/index.html")
    args = parser.parse_args()
    for spec in args.folder:
        name, _, path = spec.partition("=")
        if not name or not os.path.isfile(os.path.join(path, "index.html")):
            parser.error(f"--folder {spec}: expected NAME=PATH with PATH/index.html")
        SITES[name] = (None, os.path.abspath(path), "index.html", f"local folder {path}", None)
        if f",{name}," not in f",{args.sites},":
            args.sites += f",{name}"
    sites = [s for s in args.sites.split(",") if s]
    unknown = [s for s in sites if s not in SITES]
    if unknown:
        parser.error(f"unknown site(s): {', '.join(unknown)}")
    ensure_venv(args)
    metrics = load_metrics(args.metrics)
    sites = ensure_packages(sites)
    binary = args.binary
    if not binary:
        subprocess.run(["cargo", "build", "--release"], cwd=REPO, check=True)
        binary = os.path.join(REPO, "target", "release", "docscrape")
    workdir = tempfile.mkdtemp(prefix="fidelity-")
    nginx, ports = start_nginx(workdir, sites)
    server, address = start_docscrape(binary, workdir)
    results = {}
    try:
        for site in sites:
            root = site_root(site)
            base = f"http://127.0.0.1:{ports[site]}"
            cap = args.max_pages or SITES[site][4]
            log(f"[{site}] crawling {base}/{SITES[site][2]} (budget {cap or 'whole site'})")
            status, docs, seconds = crawl(address, site, base, cap)
            if docs is None:  # e.g. the site's robots.txt disallows every page
                log(f"[{site}] the job failed, nothing to measure: {'; '.join(status.get('errors') or []) or status}")
                continue
            pages = {}
            for bundle in docs:
                for chunk in bundle["chunks"]:
                    pages.setdefault(chunk["url"], []).append(chunk["content"])
            pages = {u: "\n".join(cs) for u, cs in pages.items()}
            ours = figures(metrics, pages, root)
            ours["seconds"] = round(seconds, 1)
            ours["template_removed"] = (status.get("result") or {}).get("templateRemoved")
            row = {"family": SITES[site][3], "docscrape": ours}
            if not args.no_trafilatura:
                theirs = trafilatura_pages(list(pages), root)
                row["trafilatura"] = figures(metrics, theirs, root)
            results[site] = row
            log(f"[{site}] {json.dumps(row)}")
            if args.keep:
                os.makedirs(args.keep, exist_ok=True)
                with open(os.path.join(args.keep, f"{site}.json"), "w") as f:
                    json.dump(docs, f)
    finally:
        server.terminate()
        nginx.terminate()
        server.wait()
        nginx.wait()
        if args.keep:  # the server's log (RUST_LOG=debug lists each template block learned)
            shutil.copy(os.path.join(workdir, "docscrape.log"), os.path.join(args.keep, "docscrape.log"))
        shutil.rmtree(workdir, ignore_errors=True)
    print(table(results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


def table(results):
    lines = ["| site | generator | pages | docscrape recall median / pages < 0.5 / template share |"
             " trafilatura recall median / pages < 0.5 / template share |",
             "|---|---|---|---|---|"]
    for site, row in results.items():
        ours, theirs = row["docscrape"], row.get("trafilatura")
        fmt = lambda f: f"{f['median_recall']:.2f} / {f['under_half']} / {f['template_share']:.1%}"
        lines.append(f"| {site} | {row['family']} | {ours['pages']} | {fmt(ours)} | {fmt(theirs) if theirs else '—'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()

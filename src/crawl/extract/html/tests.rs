//! Conversion, selection and metadata rules, each shown on a small page.

use super::*;

fn page_url() -> Url {
    Url::parse("https://docs.example.com/guide/page.html").expect("static url")
}

fn extract(html: &str) -> HtmlPage {
    extract_html(html, &page_url())
}

/// Markdown of `body` wrapped in a `<main>` so that selection is not under test.
fn md(body: &str) -> String {
    extract(&format!("<html><body><main>{body}</main></body></html>")).markdown
}

// ----- conversion rules ------------------------------------------------------

#[test]
fn headings_become_atx_with_blank_lines() {
    let out = md("<h1>Title</h1><p>Intro</p><h3>Deep <em>dive</em></h3><p>Text</p>");
    assert_eq!(out, "# Title\n\nIntro\n\n### Deep *dive*\n\nText\n");
}

#[test]
fn heading_text_wrapped_in_divs_stays_on_one_line() {
    let out = md("<h2><div>Install</div><div>the SDK</div></h2>");
    assert_eq!(out, "## Install the SDK\n");
}

#[test]
fn inline_formatting_moves_whitespace_outside_markers() {
    let out = md("<p>a<b> bold </b>and<em> em</em>.</p>");
    assert_eq!(out, "a **bold** and *em*.\n");
}

#[test]
fn nested_bold_is_not_doubled() {
    assert_eq!(md("<p><b>x <strong>y</strong></b></p>"), "**x y**\n");
}

#[test]
fn nested_lists_are_indented_under_their_item() {
    let out =
        md("<ul><li>one<ul><li>sub <code>x</code></li><li>sub2</li></ul></li><li>two</li></ul>");
    assert_eq!(out, "- one\n  - sub `x`\n  - sub2\n- two\n");
}

#[test]
fn ordered_lists_honour_start_and_keep_paragraphs_in_items() {
    let out = md("<ol start=\"3\"><li><p>first</p><p>more</p></li><li>second</li></ol>");
    assert_eq!(out, "3. first\n\n   more\n4. second\n");
}

#[test]
fn list_after_paragraph_is_separated_by_blank_line() {
    assert_eq!(md("<p>Intro:</p><ul><li>a</li></ul>"), "Intro:\n\n- a\n");
}

#[test]
fn table_escapes_pipes_and_repeats_colspan() {
    let out = md("<table><thead><tr><th>a|b</th><th>c</th><th>d</th></tr></thead>\
             <tbody><tr><td colspan=\"2\">wide</td><td>x<br>y</td></tr><tr><td>1</td></tr></tbody></table>");
    assert_eq!(
        out,
        "| a\\|b | c | d |\n| --- | --- | --- |\n| wide | | x<br>y |\n| 1 | | |\n"
    );
}

#[test]
fn a_row_stops_at_64_columns_and_keeps_the_text_of_the_rest() {
    let cells: String = (0..1000).map(|n| format!("<td colspan=64>c{n}")).collect();
    let out = md(&format!(
        "<table><tr><td>a<td colspan=1000000>b{cells}<tr><td>z</table>"
    ));
    let lines: Vec<&str> = out.lines().collect();
    let columns = |line: &str| line.matches(" |").count();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[0].starts_with("| a | b c0 c1 c2 "),
        "{}",
        &lines[0][..40]
    );
    assert!(lines[0].contains(" c999 |"));
    assert_eq!(columns(lines[0]), 64);
    assert_eq!(columns(lines[1]), 64);
    assert_eq!(lines[2], format!("| z |{}", " |".repeat(63)));
}

#[test]
fn a_layout_row_of_phrases_reads_as_one_line() {
    // Doxygen's member list: a heading row makes it a layout table; each member is a row
    // of its return type (right-aligned) and its name with parameters, then a row of its
    // description.
    let out = md("<table class=\"memberdecls\">\
        <tr class=\"heading\"><td colspan=\"2\"><h2 class=\"groupheader\">Functions</h2></td></tr>\
        <tr class=\"memitem\"><td class=\"memItemLeft\" align=\"right\">MagickExport <a href=\"t.html\">MagickBooleanType</a>&#160;</td>\
        <td class=\"memItemRight\"><a href=\"f.html\">AcquireMagickResource</a> (const ResourceType type)</td></tr>\
        <tr class=\"memdesc\"><td class=\"mdescLeft\">&#160;</td><td class=\"mdescRight\">Acquires a resource.<br/></td></tr>\
        <tr class=\"memitem\"><td class=\"memItemLeft\" align=\"right\">int&#160;</td>\
        <td class=\"memItemRight\"><a href=\"g.html\">ListMagickResources</a> (FILE *file)</td></tr>\
        </table>");
    assert_eq!(
        out,
        "## Functions\n\n\
         MagickExport [MagickBooleanType](https://docs.example.com/guide/t.html) \
         [AcquireMagickResource](https://docs.example.com/guide/f.html) (const ResourceType type)\n\n\
         Acquires a resource.\n\n\
         int [ListMagickResources](https://docs.example.com/guide/g.html) (FILE \\*file)\n"
    );
}

#[test]
fn table_without_thead_uses_first_row_as_header() {
    let out = md("<table><tr><td>k</td><td>v</td></tr><tr><td>1</td><td>2</td></tr></table>");
    assert_eq!(out, "| k | v |\n| --- | --- |\n| 1 | 2 |\n");
}

#[test]
fn nested_table_is_flattened_into_its_cell() {
    let out = md(
        "<table><tr><th>h</th><th>i</th></tr><tr><td><table><tr><td>a</td><td>b</td></tr>\
             <tr><td>c</td></tr></table></td><td>z</td></tr></table>",
    );
    assert_eq!(out, "| h | i |\n| --- | --- |\n| a b<br>c | z |\n");
}

#[test]
fn table_caption_becomes_paragraph_before_table() {
    let out = md("<table><caption>Limits</caption><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>");
    assert!(out.starts_with("Limits\n\n| a | b |"), "{out}");
}

#[test]
fn code_language_from_class_on_pre_or_code() {
    assert_eq!(
        md("<pre class=\"language-rust\">fn a() {}</pre>"),
        "```rust\nfn a() {}\n```\n"
    );
    assert_eq!(
        md("<pre><code class=\"lang-go\">x := 1</code></pre>"),
        "```go\nx := 1\n```\n"
    );
}

#[test]
fn code_language_from_data_attributes() {
    assert_eq!(
        md("<pre data-lang=\"toml\">a = 1</pre>"),
        "```toml\na = 1\n```\n"
    );
    assert_eq!(
        md("<pre><code data-language=\"sql\">SELECT 1</code></pre>"),
        "```sql\nSELECT 1\n```\n"
    );
}

#[test]
fn code_language_from_sphinx_and_mkdocs_ancestors() {
    let sphinx = "<div class=\"highlight-python3 notranslate\"><div class=\"highlight\"><pre><span class=\"gp\">&gt;&gt;&gt; </span>1 + 1\n2</pre></div></div>";
    assert_eq!(md(sphinx), "```python3\n>>> 1 + 1\n2\n```\n");
    let default =
        "<div class=\"highlight-default\"><div class=\"highlight\"><pre>x</pre></div></div>";
    assert_eq!(md(default), "```\nx\n```\n");
    let mkdocs =
        "<div class=\"language-yaml highlight\"><pre><span></span><code>a: 1\n</code></pre></div>";
    assert_eq!(md(mkdocs), "```yaml\na: 1\n```\n");
}

#[test]
fn code_block_keeps_whitespace_and_drops_gutters() {
    let html = "<table class=\"highlighttable\"><tr><td class=\"linenos\"><div class=\"linenodiv\"><pre>1\n2</pre></div></td>\
             <td class=\"code\"><div class=\"highlight\"><pre>if x:\n    <span class=\"k\">pass</span>  # *not* markdown\n</pre></div></td></tr></table>";
    assert_eq!(md(html), "```\nif x:\n    pass  # *not* markdown\n```\n");
}

#[test]
fn code_block_lines_from_br_elements() {
    let html = "<pre class=\"prism-code language-js\"><code><span class=\"token-line\">a();<br></span><span class=\"token-line\">b();<br></span></code></pre>";
    assert_eq!(md(html), "```js\na();\nb();\n```\n");
}

#[test]
fn a_listing_laid_out_in_a_table_beside_its_line_numbers_keeps_its_lines() {
    let html = "<table class=\"source_code\"><tr><td><pre class=\"lines\">\n\n7\n8\n9</pre></td>\
        <td><pre class=\"code\"># File 'lib/a.rb', line 7\n\ndef run\n  go(nil)\nend</pre></td></tr></table>";
    assert_eq!(
        md(html),
        "```\n# File 'lib/a.rb', line 7\n\ndef run\n  go(nil)\nend\n```\n"
    );
}

#[test]
fn a_data_table_with_one_line_code_cells_stays_a_table() {
    let out = md("<table><tr><th>call</th><th>result</th></tr>\
        <tr><td><pre>f(1)</pre></td><td>2</td></tr><tr><td><pre>f(2)</pre></td><td>3</td></tr></table>");
    assert!(out.starts_with("| call | result |"), "{out}");
    assert!(out.contains("| `f(1)` | 2 |"), "{out}");
}

#[test]
fn adjacent_code_elements_stay_two_code_spans() {
    assert_eq!(
        md("<p><code>type vertex</code><code> = V.t</code> and <code>a</code><code>b</code></p>"),
        "`type vertex` `= V.t` and `a` `b`\n"
    );
}

#[test]
fn a_column_of_line_numbers_beside_a_listing_goes() {
    // rustdoc's source pages.
    let html = "<div class=\"example-wrap\"><pre class=\"line-numbers\"><span id=\"1\">1</span>\n<span id=\"2\">2</span>\n</pre>\
        <pre class=\"rust\"><code>fn main() {\n}</code></pre></div>";
    assert_eq!(md(html), "```\nfn main() {\n}\n```\n");
    // The same numbers without a class, before a listing, go too; alone they stay.
    let unnamed = "<div><pre>1\n2\n3</pre><pre>a\nb\nc</pre></div>";
    assert_eq!(md(unnamed), "```\na\nb\nc\n```\n");
    assert_eq!(md("<pre>1\n2\n3</pre>"), "```\n1\n2\n3\n```\n");
}

#[test]
fn code_written_a_line_per_element_is_one_block_with_its_indentation() {
    // Doxygen: a fragment of `div.line`s, a line-number gutter in each, and hidden
    // tooltips (`div.ttc`) after the lines.
    let html = "<div class=\"fragment\"><div class=\"line\"><span class=\"lineno\">  1</span>{</div>\n\
        <div class=\"line\"><span class=\"lineno\">  2</span>    <span class=\"keywordflow\">if</span> (x &amp;&amp; y) {</div>\n\
        <div class=\"line\"><span class=\"lineno\">  3</span>        <a class=\"code\" href=\"t.html\">run</a>();</div>\n\
        <div class=\"line\"><span class=\"lineno\">  4</span>}</div>\n\
        <div class=\"ttc\" id=\"a1\"><div class=\"ttname\"><a href=\"t.html\">run</a></div><div class=\"ttdeci\">void run()</div></div>\n\
        </div><p>After.</p>";
    assert_eq!(
        md(html),
        "```\n{\n    if (x && y) {\n        run();\n}\n```\n\nAfter.\n"
    );
    // Lines that hold blocks, text between them, or a first child that is no line: not code.
    // Without a name, a line-number gutter says it is code.
    assert_eq!(
        md("<div><div class=\"line\"><span class=\"lineno\">1</span>a();</div><div class=\"line\"><span class=\"lineno\">2</span>  b();</div></div>"),
        "```\na();\n  b();\n```\n"
    );
    for html in [
        "<div class=\"fragment\"><div class=\"line\"><p>One.</p></div><div class=\"line\"><p>Two.</p></div></div>",
        "<div class=\"fragment\"><div class=\"line\">One</div> and <div class=\"line\">two</div></div>",
        "<div class=\"fragment\"><div class=\"intro\">One</div><div class=\"line\">x</div><div class=\"line\">y</div></div>",
        "<div class=\"fragment\"><div class=\"line\">alone</div></div>",
        // reStructuredText's line block is prose written a line at a time.
        "<div class=\"line-block\"><div class=\"line\">Guido van Rossum</div><div class=\"line\">Amsterdam</div></div>",
    ] {
        assert!(!md(html).contains("```"), "{html}: {}", md(html));
    }
}

#[test]
fn code_block_fence_outgrows_backticks_inside() {
    assert_eq!(
        md("<pre>```\ninner\n```</pre>"),
        "````\n```\ninner\n```\n````\n"
    );
}

#[test]
fn inline_code_uses_longer_fence_for_backticks() {
    assert_eq!(
        md("<p>Use <code>a`b</code> or <code>`x`</code></p>"),
        "Use ``a`b`` or `` `x` ``\n"
    );
}

#[test]
fn relative_links_are_made_absolute() {
    let out = md("<p>See <a href=\"../api/x.html#f\">the API</a>.</p>");
    assert_eq!(
        out,
        "See [the API](https://docs.example.com/api/x.html#f).\n"
    );
}

#[test]
fn base_href_is_used_for_links_and_images() {
    let html = "<html><head><base href=\"https://cdn.example.org/v2/\"></head><body><main>\
             <p><a href=\"intro\">Intro</a> <img src=\"i.png\" alt=\"Diagram\"></p></main></body></html>";
    let page = extract(html);
    assert_eq!(
        page.markdown,
        "[Intro](https://cdn.example.org/v2/intro) ![Diagram](https://cdn.example.org/v2/i.png)\n"
    );
    assert_eq!(
        page.links[0].url.as_str(),
        "https://cdn.example.org/v2/intro"
    );
}

#[test]
fn fragment_links_keep_only_their_text() {
    assert_eq!(
        md("<p>Go to <a href=\"#usage\">usage</a>.</p>"),
        "Go to usage.\n"
    );
    assert_eq!(
        md("<p><a href=\"page.html#usage\">usage</a></p>"),
        "usage\n"
    );
}

#[test]
fn a_links_text_keeps_its_blocks_apart() {
    let page = extract(
        "<body><nav><a href=\"prev.html\"><p>previous</p><p>Install</p></a>\
         <a href=\"next.html\"><span>next</span><br><span>Usage</span></a></nav></body>",
    );
    let texts: Vec<&str> = page.links.iter().map(|link| link.text.as_str()).collect();
    assert_eq!(texts, ["previous Install", "next Usage"]);
}

#[test]
fn links_without_text_and_script_links_are_not_rendered_as_links() {
    assert_eq!(
        md("<p>a<a href=\"/x\"> </a>b <a href=\"javascript:void(0)\">run</a></p>"),
        "ab run\n"
    );
}

#[test]
fn images_need_alt_text() {
    assert_eq!(
        md("<p><img src=\"a.png\">x<img src=\"/b.png\" alt=\"B [1]\"></p>"),
        "x![B \\[1\\]](https://docs.example.com/b.png)\n"
    );
}

#[test]
fn definition_lists_render_terms_bold_and_signatures_as_code() {
    let out = md("<dl><dt>Term</dt><dd><p>Meaning.</p></dd></dl>\
             <dl class=\"py function\"><dt class=\"sig sig-object py\" id=\"m.f\"><span class=\"sig-prename\">m.</span>\
             <span class=\"sig-name descname\">f</span>(<em class=\"sig-param\">x</em>)<a class=\"headerlink\" href=\"#m.f\">¶</a></dt>\
             <dd><p>Does f.</p></dd></dl>");
    assert_eq!(out, "**Term**\n\nMeaning.\n\n`m.f(x)`\n\nDoes f.\n");
}

#[test]
fn blockquote_and_admonition_become_quotes() {
    assert_eq!(
        md("<blockquote><p>a</p><p>b</p></blockquote>"),
        "> a\n>\n> b\n"
    );
    let admonition = "<div class=\"admonition note\"><p class=\"admonition-title\">Note</p><p>Careful.</p></div>";
    assert_eq!(md(admonition), "> **Note**\n>\n> Careful.\n");
}

#[test]
fn hr_br_sup_sub() {
    assert_eq!(
        md("<p>a<br>b</p><hr><p>x<sup>2</sup> H<sub>2</sub>O</p>"),
        "a\\\nb\n\n---\n\nx2 H2O\n"
    );
    // A rule that parts nothing (above everything, under another, below everything) goes.
    assert_eq!(
        md("<hr><h3>Signals</h3><p>a</p><hr><hr><p>b</p><hr>"),
        "### Signals\n\na\n\n---\n\nb\n"
    );
}

#[test]
fn markdown_significant_text_is_escaped_only_where_needed() {
    let out = md("<p># not heading</p><p>1. not list</p><p>- no</p><p>snake_case and 2 * 3 and __init__ and <b>x</b></p><p>use &lt;div&gt;</p>");
    assert_eq!(
            out,
            "\\# not heading\n\n1\\. not list\n\n\\- no\n\nsnake_case and 2 * 3 and \\_\\_init\\_\\_ and **x**\n\nuse \\<div>\n"
        );
}

#[test]
fn whitespace_is_collapsed_and_output_ends_with_one_newline() {
    assert_eq!(
        md("<p>  a \n\n  b\u{a0} c </p>\n\n<p></p><div> </div>"),
        "a b c\n"
    );
    assert_eq!(md(""), "");
}

// ----- boilerplate -------------------------------------------------------------

#[test]
fn boilerplate_elements_are_dropped() {
    let html = "<nav>Menu</nav><header><a href=\"/\">Logo</a></header><p>Keep me.</p>\
             <div class=\"sphinxsidebar\">Side</div><div class=\"md-sidebar md-sidebar--primary\">Side2</div>\
             <ul class=\"table-of-contents\"><li>TOC</li></ul><div class=\"breadcrumbs\">Home</div>\
             <div id=\"cookie-banner\">Cookies!</div><a class=\"theme-edit-this-page\" href=\"/e\">Edit this page</a>\
             <nav class=\"pagination-nav\"><a href=\"/p\">Previous</a></nav><div class=\"related\">next | prev</div>\
             <div role=\"navigation\">Nav2</div><div aria-hidden=\"true\">Hidden</div><p hidden>Hidden2</p>\
             <aside>Aside</aside><form class=\"search\"><input name=\"q\"></form><button>Copy</button>\
             <script>var x;</script><style>p{}</style><p>Was this page helpful?</p><a href=\"#main\">Skip to content</a>";
    assert_eq!(md(html), "Keep me.\n");
}

#[test]
fn sections_named_like_chrome_and_sphinx_sidebars_are_content() {
    let html = "<html><body><div class=\"body\" role=\"main\"><h1>http.cookies</h1>\
             <section id=\"cookie-objects\"><h2>Cookie Objects</h2><p>BaseCookie methods.</p></section>\
             <section id=\"feedback\"><span id=\"id1\"></span><h2>Feedback</h2><p>Send comments to the author.</p></section>\
             <aside class=\"sidebar\"><p class=\"sidebar-title\">Turtle star</p><pre>from turtle import *</pre></aside>\
             <div id=\"cookie-banner\">Accept cookies?</div></div>\
             <div class=\"sphinxsidebar\">Quick search</div></body></html>";
    let page = extract_html(
        html,
        &Url::parse("https://docs.example.com/p.html").expect("url"),
    );
    for kept in [
        "## Cookie Objects",
        "BaseCookie methods",
        "## Feedback",
        "Turtle star",
        "from turtle import *",
    ] {
        assert!(
            page.markdown.contains(kept),
            "{kept} lost: {}",
            page.markdown
        );
    }
    for dropped in ["Accept cookies", "Quick search"] {
        assert!(
            !page.markdown.contains(dropped),
            "{dropped} kept: {}",
            page.markdown
        );
    }
}

#[test]
fn boilerplate_class_matching_does_not_hit_content_lookalikes() {
    let html = "<p class=\"tocdepth-note\">Depth note.</p><div class=\"toctree-wrapper compound\">\
             <ul><li><a href=\"intro.html\">Intro</a></li></ul></div><p class=\"menuselection\">File</p>";
    assert_eq!(
        md(html),
        "Depth note.\n\n- [Intro](https://docs.example.com/guide/intro.html)\n\nFile\n"
    );
}

#[test]
fn header_holding_the_page_heading_is_kept() {
    assert_eq!(
        md("<header><h1>Title</h1></header><p>Body</p>"),
        "# Title\n\nBody\n"
    );
}

#[test]
fn headerlinks_and_hash_links_are_dropped() {
    let out = md("<h2>A<a class=\"headerlink\" href=\"#a\">¶</a></h2><h2>B<a class=\"hash-link\" href=\"#b\">\u{200b}</a></h2>");
    assert_eq!(out, "## A\n\n## B\n");
}

#[test]
fn a_glyph_linking_to_the_element_that_holds_it_is_dropped_whatever_its_class() {
    // rustdoc's `§` after a heading and beside an implementation's source link.
    let out = md(
        "<h2 id=\"blanket\" class=\"section-header\">Blanket<a href=\"#blanket\" class=\"anchor\">§</a></h2>\
         <div id=\"impl-Any\" class=\"impl\"><a class=\"src\" href=\"/src/any.rs.html\">Source</a>\
         <a href=\"#impl-Any\" class=\"anchor\">§</a><h3>impl Any for T</h3></div>",
    );
    assert_eq!(
        out,
        "## Blanket\n\n[Source](https://docs.example.com/src/any.rs.html)\n\n### impl Any for T\n"
    );
    // Node.js's API docs: the glyph is the anchor it links to.
    let out =
        md("<h2>Process<span><a class=\"mark\" href=\"#process\" id=\"process\">#</a></span></h2>");
    assert_eq!(out, "## Process\n");
    // A glyph pointing elsewhere (a footnote mark) and a worded link to its own section stay.
    let out = md(
        "<section id=\"s\"><p>Claim<a href=\"#note\">*</a> and <a href=\"#s\">this section</a>.</p>\
         <p id=\"note\">Note.</p></section>",
    );
    assert_eq!(out, "Claim\\* and this section.\n\nNote.\n");
}

#[test]
fn prev_next_pager_links_are_dropped() {
    let out = md(
        "<p>Body</p><a href=\"/a\"><span><span>Previous</span><span>Intro</span></span></a>\
             <p>See <a href=\"/next-steps\">Next steps</a></p>",
    );
    assert_eq!(
        out,
        "Body\n\nSee [Next steps](https://docs.example.com/next-steps)\n"
    );
}

#[test]
fn pager_links_are_known_by_rel_or_by_a_label_in_any_case() {
    let out = md("<p>Body</p><a href=\"/a\" rel=\"external NEXT\">Intro</a>\
         <a href=\"/b\">« PREV</a><a href=\"/c\">Next →</a><a href=\"/d\">Nexté</a>");
    assert_eq!(out, "Body\n\n[Nexté](https://docs.example.com/d)\n");
}

#[test]
fn a_table_of_pager_links_goes_and_a_table_of_other_links_stays() {
    // texi2html above every section: the chapter links carry no link type, the rest do.
    let cell = |rel: &str, text: &str| {
        let rel = if rel.is_empty() {
            String::new()
        } else {
            format!(" rel=\"{rel}\"")
        };
        format!("<td>[<a href=\"x.html\"{rel}> {text} </a>]</td>")
    };
    let pager = format!(
        "<table class=\"nav_table\"><tr>{}<td>[<a href=\"index.html\" rel=\"start\">Top</a>]\
         [<a href=\"toc.html\" rel=\"contents\">Contents</a>]</td>{}</tr><tr>{}{}{}</tr></table>",
        cell("", "&lt;&lt; Musical notation"),
        cell("", "Specialist notation &gt;&gt;"),
        cell("previous", "&lt; Ambitus"),
        cell("up", "Up : Pitches"),
        cell("next", "Special note heads &gt;"),
    );
    let out = md(&format!("{pager}<h3>Note heads</h3><p>Body.</p>"));
    assert_eq!(out, "### Note heads\n\nBody.\n");
    // Mostly links without a link type: a table of the page's own links, kept (but for
    // the link to the next page, dropped on its own as everywhere).
    let table = format!(
        "<table><tr>{}{}{}</tr></table>",
        cell("", "Alpha guide"),
        cell("", "Bravo guide"),
        cell("next", "Charlie guide"),
    );
    let out = md(&format!("<h3>Guides</h3>{table}<p>Body.</p>"));
    assert!(
        out.contains("Alpha guide") && out.contains("Bravo guide"),
        "{out}"
    );
}

// ----- main content selection ---------------------------------------------

#[test]
fn generator_specific_root_wins_over_generic_main() {
    let html =
        "<body><main><div class=\"theme-doc-markdown\"><h1>Doc</h1><p>Real content here.</p></div>\
             <p>Other main text</p></main></body>";
    assert_eq!(extract(html).markdown, "# Doc\n\nReal content here.\n");
}

#[test]
fn small_main_falls_back_to_body() {
    let html =
        "<body><main><p>Tiny</p></main><div><p>Most of the page text lives outside of main, \
             which happens on hand-written pages.</p></div></body>";
    let out = extract(html).markdown;
    assert!(out.starts_with("Tiny\n\nMost of the page text"), "{out}");
}

#[test]
fn boilerplate_does_not_count_for_the_fallback_rule() {
    let html = "<body><nav>".to_string()
        + &"navigation link ".repeat(100)
        + "</nav><article><p>Short article body.</p></article><footer>footer</footer></body>";
    assert_eq!(extract(&html).markdown, "Short article body.\n");
}

#[test]
fn a_title_above_the_content_columns_opens_the_page() {
    // Nim's docgen: the page's `<h1>` sits above a row of a sidebar and the content column.
    let page = |head: &str, h1: &str| {
        format!(
            "<html><head><title>{head}</title></head><body><div class=\"container\">{h1}\
             <div class=\"row\"><div class=\"three columns\"><ul><li><a href=\"a.html\">Imports</a>\
             </li><li><a href=\"b.html\">Types</a></li></ul></div>\
             <div class=\"nine columns\" id=\"content\"><h1>Imports</h1><p>{}</p></div>\
             </div></div></body></html>",
            "The module wraps the terminal interface of the system. ".repeat(4)
        )
    };
    let titled = extract(&page("std/termios", "<h1 class=\"title\">std/termios</h1>")).markdown;
    assert!(
        titled.starts_with("# std/termios\n\n# Imports\n"),
        "{titled}"
    );
    // A logo (a link) or a heading the `<title>` does not start with names the site.
    for h1 in [
        "<h1><a href=\"index.html\">std/termios</a></h1>",
        "<h1>Nim documentation</h1>",
    ] {
        let page = extract(&page("std/termios - Nim documentation", h1)).markdown;
        assert!(page.starts_with("# Imports\n"), "{h1}: {page}");
    }
}

#[test]
fn a_header_that_repeats_the_title_below_it_is_left_out() {
    // openstackdocstheme: the page header's `<h2>` over a byline, then the article's `<h1>`.
    let page = |header: &str| {
        format!(
            "<html><body><div class=\"col-lg-9\"><div class=\"row\">{header}</div>\
             <div class=\"docs-body\"><section><h1>Using sessions<a class=\"headerlink\" \
             href=\"#s\">¶</a></h1><p>{}</p><h2>Using sessions</h2><p>Again.</p></section>\
             </div></div></body></html>",
            "A session keeps one pool of connections for every request. ".repeat(4)
        )
    };
    let echoed = extract(&page("<h2>Using Sessions</h2>")).markdown;
    assert!(
        echoed.starts_with("# Using sessions\n\nA session"),
        "{echoed}"
    );
    assert!(echoed.contains("## Using sessions\n\nAgain."), "{echoed}");
    // A heading of its own before the title, or an `<h3>` between, stays.
    for (header, first) in [
        ("<h2>Guides</h2>", "## Guides\n\n# Using sessions"),
        (
            "<h2>Using sessions</h2><h3>Contents</h3>",
            "## Using sessions\n\n### Contents",
        ),
    ] {
        let page = extract(&page(header)).markdown;
        assert!(page.starts_with(first), "{header}: {page}");
    }
}

// ----- metadata --------------------------------------------------------------------

#[test]
fn title_is_collapsed_and_falls_back_to_h1() {
    assert_eq!(
        extract("<title>  A \n B </title>").title.as_deref(),
        Some("A B")
    );
    let fallback =
        extract("<title> </title><body><h1>Head<a class=\"headerlink\">¶</a></h1></body>");
    assert_eq!(fallback.title.as_deref(), Some("Head"));
    assert_eq!(
        extract("<body><svg><title>icon</title></svg></body>").title,
        None
    );
}

#[test]
fn canonical_alternates_lang_and_robots() {
    let page = extract(
        "<html lang=\"de\"><head><link rel=\"canonical\" href=\"/de/page\">\
             <link rel=\"alternate\" hreflang=\"en\" href=\"https://docs.example.com/en/page\">\
             <link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feed.xml\">\
             <meta name=\"ROBOTS\" content=\"NoIndex, nofollow\"></head><body></body></html>",
    );
    assert_eq!(
        page.canonical.map(String::from).as_deref(),
        Some("https://docs.example.com/de/page")
    );
    assert_eq!(page.lang.as_deref(), Some("de"));
    assert_eq!(page.alternates.len(), 1);
    assert_eq!(page.alternates[0].0, "en");
    assert!(page.noindex && page.nofollow);
    let none = extract("<meta name=\"robots\" content=\"none\">");
    assert!(none.noindex && none.nofollow);
    let plain = extract("<meta name=\"robots\" content=\"index, follow\">");
    assert!(!plain.noindex && !plain.nofollow);
}

#[test]
fn links_cover_whole_document_deduplicated_and_filtered() {
    let page = extract(
            "<body><nav><a href=\"/a\">A</a></nav><main><a href=\"/a\">again</a>\
             <a href=\"b.html#x\" rel=\"nofollow noopener\"> B\n text </a><a href=\"javascript:go()\">js</a>\
             <a href=\"mailto:x@example.com\">mail</a><a href=\"tel:123\">tel</a><a href=\"data:text/plain,x\">d</a>\
             <a href=\"/icon\" aria-label=\"Icon link\"><svg></svg></a></main></body>",
        );
    let urls: Vec<&str> = page.links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://docs.example.com/a",
            "https://docs.example.com/guide/b.html",
            "https://docs.example.com/icon"
        ]
    );
    assert_eq!(page.links[0].text, "A");
    assert_eq!(page.links[1].text, "B text");
    assert!(page.links[1].nofollow && !page.links[0].nofollow);
    assert_eq!(page.links[2].text, "Icon link");
}

#[test]
fn frames_are_links_named_by_their_title_or_name() {
    let page = extract(
        "<html><frameset cols=\"25%,75%\"><frame src=\"toc.html\" title=\" Table of\n contents \">\
         <frame src=\"intro.html\" name=\"main\"><frame src=\"blank.html\">\
         <frame src=\"toc.html#top\" title=\"again\"></frameset></html>",
    );
    let links: Vec<(&str, &str)> = page
        .links
        .iter()
        .map(|l| (l.url.as_str(), l.text.as_str()))
        .collect();
    assert_eq!(
        links,
        [
            (
                "https://docs.example.com/guide/toc.html",
                "Table of contents"
            ),
            ("https://docs.example.com/guide/intro.html", "main"),
            ("https://docs.example.com/guide/blank.html", ""),
        ]
    );
}

#[test]
fn spec_links_from_web_components_and_scripts() {
    let page = extract(
            "<body><redoc spec-url=\"/openapi.yaml\"></redoc><rapi-doc spec-url=\"rapi.json\"></rapi-doc>\
             <elements-api apiDescriptionUrl=\"https://x.example/elements.yaml\"></elements-api>\
             <script>SwaggerUIBundle({ url: \"/swagger.json\", dom_id: '#ui' })</script>\
             <script>const cfg = { url: '/not-a-spec.json' };</script>\
             <script>Redoc.init(\"/redoc-init.json\", {}, el)</script>\
             <script id=\"api-reference\" data-url=\"/scalar.json\"></script></body>",
        );
    let urls: Vec<String> = page
        .spec_links
        .iter()
        .map(|u| u.path().to_string())
        .collect();
    assert_eq!(
        urls,
        [
            "/openapi.yaml",
            "/guide/rapi.json",
            "/elements.yaml",
            "/swagger.json",
            "/redoc-init.json",
            "/scalar.json"
        ]
    );
}

#[test]
fn swagger_urls_array_is_read() {
    let urls = js_url_properties("SwaggerUIBundle({urls: [{url: \"a.json\", name: \"A\"}, {\"url\": 'b.yaml'}], configUrl: \"c\"})");
    assert_eq!(urls, ["a.json", "b.yaml"]);
}

// ----- robustness ----------------------------------------------------------------

#[test]
fn deeply_nested_divs_do_not_overflow_a_small_stack() {
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(|| {
            let depth = 100_000;
            let html = format!(
                "{}deep text{}",
                "<div>".repeat(depth),
                "</div>".repeat(depth)
            );
            extract(&html).markdown
        })
        .expect("spawn test thread");
    let markdown = handle.join().expect("conversion must not panic");
    assert_eq!(markdown, "deep text\n");
}

#[test]
fn deeply_nested_lists_and_quotes_stay_bounded() {
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(|| {
            let depth = 20_000;
            let html = format!(
                "{}x{}{}y",
                "<ul><li><blockquote>".repeat(depth),
                "</blockquote></li></ul>".repeat(depth),
                "<b>".repeat(depth)
            );
            extract(&html).markdown
        })
        .expect("spawn test thread");
    let markdown = handle.join().expect("conversion must not panic");
    assert!(markdown.contains('x') && markdown.contains("**y**"));
    assert!(markdown.len() < 1000, "prefix growth must be capped");
}

#[test]
fn malformed_and_empty_input_is_handled() {
    for html in [
        "",
        "<",
        "<html><body><p>unclosed <b>bold <i>both",
        "<table><td>x<tr><li>y",
        "\u{0}\u{feff}<<>>",
    ] {
        let page = extract(html);
        assert!(page.markdown.is_empty() || page.markdown.ends_with('\n'));
    }
    assert_eq!(
        extract("<p>unclosed <b>bold <i>both").markdown,
        "unclosed **bold *both***\n"
    );
}

// ----- golden files -------------------------------------------------------------------

fn golden_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn golden_page(name: &str) -> HtmlPage {
    let html = std::fs::read_to_string(golden_dir().join(format!("{name}.html")))
        .expect("golden html exists");
    let url = Url::parse(&format!("https://docs.example.com/{name}/page.html")).expect("valid url");
    extract_html(&html, &url)
}

#[test]
fn golden_files_match() {
    let update = std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    let mut entries: Vec<_> = std::fs::read_dir(golden_dir())
        .expect("golden directory exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|ext| ext == "html"))
        .collect();
    entries.sort();
    assert!(entries.len() >= 10, "expected at least 10 golden pages");
    let mut failures = Vec::new();
    for html_path in entries {
        let name = html_path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let actual = golden_page(&name).markdown;
        let md_path = html_path.with_extension("md");
        if update {
            std::fs::write(&md_path, &actual).expect("write golden md");
            continue;
        }
        let expected = std::fs::read_to_string(&md_path).unwrap_or_default();
        if actual != expected {
            failures.push(format!(
                "--- {name}: expected\n{expected}\n--- actual\n{actual}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "golden mismatch (UPDATE_GOLDEN=1 rewrites):\n{}",
        failures.join("\n")
    );
}

#[test]
fn golden_pages_have_clean_content_and_metadata() {
    for name in [
        "sphinx",
        "mkdocs_material",
        "docusaurus",
        "javadoc",
        "docbook",
        "gitbook",
        "readme_api_reference",
        "plain",
    ] {
        let page = golden_page(name);
        assert!(page.markdown.len() > 300, "{name}: content missing");
        for junk in [
            "¶",
            "Edit this page",
            "Skip to",
            "Previous",
            "Was this",
            "Table of Contents",
            "\u{200b}",
        ] {
            assert!(!page.markdown.contains(junk), "{name}: contains {junk:?}");
        }
        assert!(!page.links.is_empty(), "{name}: links missing");
        assert!(page.title.is_some(), "{name}: title missing");
    }
    let sphinx = golden_page("sphinx");
    assert!(sphinx.markdown.contains("```python3\n>>> import json\n"));
    assert!(sphinx
        .markdown
        .contains("`json.dump(obj, fp, *, skipkeys=False, indent=None, **kw)`"));
    assert!(sphinx
        .links
        .iter()
        .any(|l| l.url.as_str() == "https://docs.example.com/genindex.html"));
    let docusaurus = golden_page("docusaurus");
    assert_eq!(docusaurus.alternates.len(), 3);
    assert!(golden_page("plain").noindex);
}

#[test]
fn golden_api_shells_expose_spec_links() {
    let redoc: Vec<String> = golden_page("redoc")
        .spec_links
        .iter()
        .map(Url::to_string)
        .collect();
    assert_eq!(
        redoc,
        [
            "https://docs.example.com/openapi/petstore.yaml",
            "https://docs.example.com/admin/openapi.json"
        ]
    );
    let swagger: Vec<String> = golden_page("swagger_ui")
        .spec_links
        .iter()
        .map(Url::to_string)
        .collect();
    assert_eq!(
        swagger,
        [
            "https://api.example.com/v2/openapi.json",
            "https://docs.example.com/swagger_ui/specs/internal.yaml"
        ]
    );
}

#[test]
fn links_are_one_per_target_and_capped() {
    let farm: String = (0..MAX_PAGE_LINKS + 500)
        .map(|i| format!("<a href=\"/p/{i}\">page {i}</a><a href=\"/p/{i}#part\">part</a>"))
        .collect();
    let page = extract(&format!("<html><body><main>{farm}</main></body></html>"));
    assert_eq!(page.links.len(), MAX_PAGE_LINKS);
    assert_eq!(page.links[1].url.as_str(), "https://docs.example.com/p/1");
    assert_eq!(page.links[1].text, "page 1");
}

// ----- template blocks -------------------------------------------------------------------

#[test]
fn dropped_named_chrome_and_the_same_block_kept_share_a_fingerprint() {
    let html = "<html><body><div class=\"doc\"><h1>Title</h1><p>Article text here.</p></div>\
                <div class=\"footer\"><p>Copyright 2001-2026 the Widget Foundation.</p></div></body></html>";
    let doc = parse::parse_document(html);
    let body = elements(&doc, "body").next().expect("body");
    let url = page_url();
    let name = PageName::of(&url);
    let strict = Converter::new(&url, &url, &name, Mode::Strict).convert(body);
    let lenient =
        Converter::new(&url, &url, &name, Mode::Lenient { keep_named_from: 1 }).convert(body);
    assert!(!strict.markdown.contains("Copyright"));
    assert!(lenient.markdown.contains("Copyright"));
    let dropped: Vec<_> = strict.blocks.iter().filter(|b| b.dropped).collect();
    assert_eq!(dropped.len(), 1, "{:?}", strict.blocks);
    assert!(
        lenient
            .blocks
            .iter()
            .any(|b| !b.dropped && b.fingerprint == dropped[0].fingerprint),
        "the footer kept is the block remembered where it was dropped"
    );
}

#[test]
fn a_block_is_known_by_the_text_a_reader_sees_not_by_its_link_targets() {
    // The fingerprint of the block of `page` whose Markdown starts with `text`.
    let fingerprint = |page: &str, text: &str| -> u64 {
        let doc = parse::parse_document(page);
        let body = elements(&doc, "body").next().expect("body");
        let url = page_url();
        let name = PageName::of(&url);
        let conversion = Converter::new(&url, &url, &name, Mode::Strict).convert(body);
        let block = conversion.blocks.iter().find(|b| {
            conversion.markdown[b.start as usize..b.end as usize]
                .trim_start()
                .starts_with(text)
        });
        block.expect("the block").fingerprint
    };
    let page = |label: &str, module: &str| {
        format!(
            "<html><body><h1>Module {module}</h1><p>What the module {module} does.</p>\
             <ul><li><a href=\"https://bugs.example.com/new?c={module}\">{label}</a></li></ul>\
             <section><a href=\"src/{module}.rs#9\">source</a><h4>fn clone(&amp;self) -&gt; Self</h4></section>\
             <ol><li><h4>def finalize(): Unit</h4><a href=\"../index.html#{module}@finalize\">Permalink</a></li></ol>\
             </body></html>"
        )
    };
    let (a, b) = (page("Report a bug", "a"), page("Report a bug", "b"));
    // The bug box links each module's own tracker and reads the same on both pages.
    assert_eq!(fingerprint(&a, "- [Report"), fingerprint(&b, "- [Report"));
    assert_ne!(fingerprint(&a, "What the"), fingerprint(&b, "What the"));
    // Another label is another block.
    let other = page("Known issues", "a");
    assert_ne!(
        fingerprint(&a, "- [Report"),
        fingerprint(&other, "- [Known")
    );
    // A member with its heading is each page's own, though it reads the same.
    assert_ne!(fingerprint(&a, "[source]"), fingerprint(&b, "[source]"));
    assert_ne!(fingerprint(&a, "1. ####"), fingerprint(&b, "1. ####"));
}

/// The text of each block of `html`'s body, in the order of the blocks.
fn block_texts(html: &str) -> Vec<String> {
    let doc = parse::parse_document(html);
    let body = elements(&doc, "body").next().expect("body");
    let url = page_url();
    let name = PageName::of(&url);
    let conversion = Converter::new(&url, &url, &name, Mode::Strict).convert(body);
    conversion
        .blocks
        .iter()
        .filter(|b| !b.dropped)
        .map(|b| {
            conversion.markdown[b.start as usize..b.end as usize]
                .trim()
                .to_string()
        })
        .collect()
}

#[test]
fn loose_text_between_blocks_is_a_block_of_its_own() {
    // Doxygen closes every class page with a sentence written straight into the
    // contents, after a rule and before the list of files.
    let texts = block_texts(
        "<html><body><div class=\"contents\"><p>A class for widgets.</p><hr/>\
         The documentation for this class was <b>generated</b> from the following file:\
         <ul><li>widget.h</li></ul>Closing words of the contents.</div>\
         Words straight in the body.</body></html>",
    );
    for loose in [
        "The documentation for this class was **generated** from the following file:",
        "Closing words of the contents.",
        "Words straight in the body.",
    ] {
        assert!(texts.iter().any(|t| t == loose), "{loose}: {texts:?}");
    }
    // A paragraph that is an element's whole text is that element's block, once.
    let paragraph = texts
        .iter()
        .filter(|t| *t == "A class for widgets.")
        .count();
    assert_eq!(paragraph, 1, "{texts:?}");
    // A term's label is the term's, however many pages share it.
    let terms = block_texts(
        "<html><body><div><dl><dt>Inherits:</dt><dd>Object</dd></dl>\
         <p>More text.</p></div></body></html>",
    );
    assert!(!terms.iter().any(|t| t == "**Inherits:**"), "{terms:?}");
    // Nor is a label of a few words before a block (Scaladoc's toggles).
    let label = block_texts(
        "<html><body><div><span class=\"toggle\">Linear Supertypes</span>\
         <div>AnyRef, Any</div></div></body></html>",
    );
    assert!(!label.iter().any(|t| t == "Linear Supertypes"), "{label:?}");
    // rustdoc 1.63's badge and source link beside a method's heading: three words.
    let badge = block_texts(
        "<html><body><h1>Struct Cell</h1><section id=\"method.borrow\"><span class=\"rightside\">\
         <span class=\"since\">const: <a href=\"https://example.com/issues/1\">unstable</a></span> · \
         <a href=\"https://example.com/src/borrow.rs.html#211\">source</a></span>\
         <h4>fn borrow(&amp;self) -&gt; &amp;T</h4></section></body></html>",
    );
    assert!(
        !badge
            .iter()
            .any(|t| t.starts_with("const:") && !t.contains("fn borrow")),
        "{badge:?}"
    );
    // Above the page's first heading a label stands by nothing of the page's own: the
    // masthead's (Node.js's unfilled placeholder, written in `<head>`, shows atop the body).
    let masthead = block_texts(
        "<html><head><title>Process</title>__JS_FLAVORED_DYNAMIC_CSS__</head><body>\
         <div><h2>Process</h2><p>The process object.</p><span>Stability: stable</span>\
         <div>More.</div></div></body></html>",
    );
    assert!(
        masthead
            .iter()
            .any(|t| t == "\\_\\_JS_FLAVORED_DYNAMIC_CSS\\_\\_"),
        "{masthead:?}"
    );
    assert!(
        !masthead.iter().any(|t| t == "Stability: stable"),
        "{masthead:?}"
    );
    let only_text =
        block_texts("<html><body><div><div>Alone in its division.</div></div></body></html>");
    assert_eq!(
        only_text
            .iter()
            .filter(|t| *t == "Alone in its division.")
            .count(),
        2,
        "the two divisions' blocks and no paragraph beside them: {only_text:?}"
    );
}

#[test]
fn a_chapter_page_whose_content_is_its_table_of_contents_keeps_it() {
    let topics = [
        "abort", "begin", "commit", "vacuum", "analyze", "cluster", "comment", "declare",
        "explain", "listen", "notify", "reindex", "fetch", "grant", "revoke", "truncate",
    ];
    let toc: String = topics
        .iter()
        .map(|t| {
            format!("<dt><a href=\"{t}.html\">{t}</a></dt><dd>how {t}ing works for widgets</dd>")
        })
        .collect();
    let page = extract(&format!(
        "<html><body><div class=\"navheader\"><a href=\"p.html\">Prev</a></div>\
         <div class=\"chapter\"><h1>Chapter</h1><div class=\"toc\"><dl>{toc}</dl></div></div></body></html>"
    ));
    assert!(
        page.markdown.contains("how truncateing works"),
        "{}",
        page.markdown
    );
    assert!(!page.markdown.contains("Prev"), "{}", page.markdown);
}

#[test]
fn a_manuals_contents_page_whose_links_are_named_contents_keeps_them() {
    // Chez Scheme's user's guide: the index page is the manual's contents alone, and
    // `class="toc"` sits on every entry's link rather than on a block around them.
    let chapters = [
        "Introduction",
        "Interaction",
        "Debugging",
        "Foreign",
        "Binding",
        "Control",
        "Operations",
        "Numeric",
        "Input",
        "Libraries",
        "Storage",
        "Expression",
        "Threads",
        "Compiler",
        "Profiling",
        "System",
    ];
    let entries: String = chapters
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(
                "<li><b><a class=\"toc\" href=\"c{i}.html\">Chapter {i}. {c} Facilities</a></b>\
                 <ul><li><b><a class=\"toc\" href=\"c{i}.html#s1\">Section {i}.1. {c}wards \
                 Overview</a></b></li></ul></li>"
            )
        })
        .collect();
    let page = extract(&format!(
        "<html><body><p><span class=\"title\">Acme Scheme User's Guide</span></p>\
         <h1>Table of Contents</h1><ul class=\"tocchapter\">{entries}</ul></body></html>"
    ));
    for kept in [
        "Chapter 0. Introduction Facilities",
        "Section 11.1. Expressionwards",
    ] {
        assert!(page.markdown.contains(kept), "{kept}: {}", page.markdown);
    }
    // HeVeA's contents page (CMUCL's manual): the name on every item and every list.
    let items = entries
        .replace("<li>", "<li class=\"li-toc\">")
        .replace("<ul>", "<ul class=\"toc\">")
        .replace(" class=\"toc\" href", " href");
    let page = extract(&format!(
        "<html><body><a href=\"index.html\"><img src=\"up.svg\" alt=\"Up\"></a>\
         <h1>Contents</h1><ul class=\"toc\">{items}</ul></body></html>"
    ));
    for kept in [
        "Chapter 0. Introduction Facilities",
        "Section 11.1. Expressionwards",
    ] {
        assert!(page.markdown.contains(kept), "{kept}: {}", page.markdown);
    }
}

#[test]
fn sibling_sections_of_the_chosen_container_stay() {
    let options: String = (0..30)
        .map(|i| format!("<dt>--opt{i}</dt><dd><p>Option {i} changes how the command behaves in case {i}.</p></dd>"))
        .collect();
    let page = extract(&format!(
        "<html><body><div id=\"header\"><h1>tool(1)</h1><h2>NAME</h2><p>tool - does things</p></div>\
         <div id=\"content\"><div class=\"sect1\"><h2>SYNOPSIS</h2><p>tool [options]</p></div>\
         <div class=\"sect1\"><h2>OPTIONS</h2><dl>{options}</dl></div></div></body></html>"
    ));
    for kept in [
        "## NAME",
        "tool - does things",
        "## SYNOPSIS",
        "## OPTIONS",
        "--opt29",
    ] {
        assert!(page.markdown.contains(kept), "{kept}: {}", page.markdown);
    }
}

#[test]
fn an_introduction_beside_the_chosen_section_stays() {
    let items: String = (0..20)
        .map(|i| format!("<dt>call{i}(x)</dt><dd>Turns x into the {i}th form it can take.</dd>"))
        .collect();
    let menu: String = (0..20)
        .map(|i| format!("<li><a href=\"m{i}.html\">Module number {i}</a></li>"))
        .collect();
    let page = extract(&format!(
        "<html><body><div class=\"row\"><div class=\"sidebar-column\"><ul>{menu}</ul>\
         <p>Made with love.</p></div>\
         <div id=\"content\"><p>This module turns values from one form into another, and \
         explains which forms exist and when a value may take each of them.</p>\
         <div class=\"section\"><h1>Calls</h1><dl>{items}</dl></div></div></div></body></html>"
    ));
    for kept in ["This module turns values", "# Calls", "call19(x)"] {
        assert!(page.markdown.contains(kept), "{kept}: {}", page.markdown);
    }
    // The column beside the content is a menu and a short line: no reason to climb to it.
    for dropped in ["Module number 7", "Made with love"] {
        assert!(
            !page.markdown.contains(dropped),
            "{dropped}: {}",
            page.markdown
        );
    }
    // A line after the content is a footer's more often than the document's.
    let page = extract(&format!(
        "<html><body><div id=\"content\"><div class=\"section\"><h1>Calls</h1><dl>{items}</dl>\
         </div><p>This page was generated from the sources by the gizmo documentation tool.</p>\
         </div></body></html>"
    ));
    assert!(page.markdown.contains("call19(x)"), "{}", page.markdown);
    assert!(
        !page.markdown.contains("generated from"),
        "{}",
        page.markdown
    );
}

#[test]
fn a_logo_straight_in_the_container_is_a_block_a_label_beside_blocks_is_not() {
    let body =
        "<div id=\"container\"><a href=\"index.html\"><img src=\"logo.png\" alt=\"Acme logo\"></a>\
        <hr><h2>NAME</h2><p>tool - does things for the widgets of the workshop</p>\
        <p>Stand-alone paragraph.</p>Since 2.0<p>More text.</p></div>";
    let page = extract(&format!("<html><body>{body}</body></html>"));
    let texts: Vec<&str> = page
        .blocks
        .iter()
        .filter_map(|b| page.markdown.get(b.start as usize..b.end as usize))
        .map(str::trim)
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("[![Acme logo](") && !t.contains("NAME")),
        "{texts:?}\n{}",
        page.markdown
    );
    assert!(!texts.contains(&"Since 2.0"), "{texts:?}");
    use super::convert::is_only_images;
    assert!(is_only_images(
        "[![Acme logo](https://x.test/logo.png)](https://x.test/) ![b](c.png)"
    ));
    for not_only in [
        "![a](b.png) and text",
        "[Home](https://x.test/)",
        "",
        "[![a](b.png)",
    ] {
        assert!(!is_only_images(not_only), "{not_only}");
    }
}

/// The opening-words test before the phrase check never turns a phrase away: on
/// elements that are phrases (in any case, behind punctuation, split over inline
/// elements, with odd white space, trailing punctuation after the last word) and ones
/// that are not, `may_open_with_a_phrase` is true wherever the full check is.
#[test]
fn opening_words_test_keeps_every_phrase() {
    // The test reads words up to this length only.
    assert!(BOILERPLATE_PHRASES
        .iter()
        .chain(BOILERPLATE_PHRASE_PREFIXES)
        .flat_map(|phrase| phrase.split(' '))
        .all(|word| word.len() < LONGEST_OPENING_WORD));
    let html = "<body>\
        <p>Skip to content</p><div>  » EDIT\tthis\npage</div><li><a>Back</a> to top</li>\
        <p>? Was this page helpful? Yes No</p><p>Last updated: 2024-01-01</p>\
        <section><span>Scroll</span> <b>to</b> top</section><a>Show source</a>\
        <p>skip</p><p>Skip-to-content</p><p>Skipping to content</p><p>The text says edit this page</p>\
        <div>Edit\u{a0}this page</div><div>\u{212a}eep</div><p>is this page helpful</p>\
        <p>is\u{0b}this page helpful</p><p>1 skip to content</p><p></p><div><p>Back to top</p></div>\
        <p>suggestedit this</p><p>improve  this  page !</p><p>:last update: now</p>\
        <div><div>Back</div><div>to top</div></div><div><p>Edit this</p>\n<p>page</p></div>\
        <a>Show source.</a><p>- - View page source!</p><p>Last updated:2024</p><p>show\n\n source</p>\
        <p>Show the grid</p><p>Is this</p><p>Back to</p><p>Last update:</p><p>Show sourcesourcesourcesource</p>\
        <p>\u{a0}Show\u{a0}source</p><p>«Back to top»</p><p>\u{200b}Skip\u{feff}to content</p>\
        </body>";
    let doc = parse::parse_document(html);
    let mut phrases = 0;
    for el in doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
    {
        if is_phrase_text(el) {
            phrases += 1;
            assert!(may_open_with_a_phrase(el), "{}", el.html());
        }
    }
    assert!(phrases >= 22, "{phrases} phrases found");
    // A phrase's first word followed by another word, or by nothing, opens no phrase.
    for other in [
        "<p>The reference of the API</p>",
        "<p>Show the grid</p>",
        "<p>Last night the build</p>",
        "<p>Is the value set</p>",
        "<p>Back</p>",
        "<p>View <b>menu</b> items</p>",
        "<p>Edit everythingthatisinthisverylongword page</p>",
        "<p>• Image\u{a0}→ Crop</p>",
        "<p>«\u{a0}Show the source</p>",
    ] {
        let doc = parse::parse_document(other);
        let p = elements(&doc, "p").next().expect("a p");
        assert!(!may_open_with_a_phrase(p), "{other}");
    }
}

#[test]
fn a_terms_classifier_is_parted_from_the_term_by_a_colon() {
    // numpydoc's parameters: the name, then its type in docutils' classifier, which only
    // the style sheet parts from the name.
    let out = md(
        "<dl class=\"field-list\"><dt class=\"field-odd\">Parameters:</dt><dd class=\"field-odd\">\
        <dl><dt><strong>deep</strong><span class=\"classifier\">bool, default=True</span></dt>\
        <dd><p>Whether to look deeper.</p></dd>\
        <dt><a href=\"#c\"><code>coef_</code></a><span class=\"classifier\">ndarray</span></dt>\
        <dd><p>Weights.</p></dd></dl></dd></dl>",
    );
    assert!(out.contains("**deep : bool, default=True**"), "{out}");
    assert!(out.contains("**`coef_` : ndarray**"), "{out}");
    // The older writer puts the colon in the page.
    let html4 = md(
        "<dl><dt>width <span class=\"classifier-delimiter\">:</span> \
                    <span class=\"classifier\">int</span></dt><dd>Pixels.</dd></dl>",
    );
    assert!(html4.contains("**width : int**"), "{html4}");
}

#[test]
fn a_notebook_cells_execution_count_is_left_out() {
    // nbsphinx: the prompt is a listing of its own beside the cell's code.
    let nbsphinx = "<div class=\"nbinput docutils container\">\
        <div class=\"prompt highlight-none notranslate\"><div class=\"highlight\"><pre><span></span>[1]:\n</pre></div></div>\
        <div class=\"input_area highlight-ipython3 notranslate\"><div class=\"highlight\"><pre>import xarray as xr\n</pre></div></div></div>\
        <div class=\"nboutput docutils container\"><div class=\"prompt empty docutils container\"></div>\
        <div class=\"output_area docutils container\"><div class=\"highlight\"><pre>42\n</pre></div></div></div>";
    let out = md(nbsphinx);
    assert!(!out.contains("[1]:"), "{out}");
    assert!(
        out.contains("import xarray as xr") && out.contains("42"),
        "{out}"
    );
    // nbconvert, classic and JupyterLab.
    let classic = "<div class=\"prompt input_prompt\">In&nbsp;[7]:</div><div class=\"inner_cell\"><pre>x = 1</pre></div>";
    assert!(!md(classic).contains("[7]"), "{}", md(classic));
    let lab = "<div class=\"jp-InputPrompt jp-InputArea-prompt\">In [*]:</div><pre>y = 2</pre>";
    assert!(!md(lab).contains("In ["), "{}", md(lab));
    // A prompt class on other text is kept.
    let shell = "<div class=\"prompt\">[user@host ~]$</div><p>Then type the command.</p>";
    assert!(md(shell).contains("[user@host ~]$"), "{}", md(shell));
}

#[test]
fn an_admonition_laid_out_in_a_table_reads_as_a_titled_quote() {
    // AsciiDoc and Asciidoctor: a label cell (or an icon whose `alt` or `title` says
    // it), then the text, bare or in paragraphs, in a `div.admonitionblock` that names
    // no kind (Asciidoctor adds one); DocBook's `admon.graphics`: the icon, the label
    // beside it, the text under both.
    let box_of = |label: &str, text: &str| {
        format!(
            "<div class=\"admonitionblock\"><table><tr><td class=\"icon\">{label}</td>\
             <td class=\"content\">{text}</td></tr></table></div>"
        )
    };
    let bare =
        "On macOS, use <a href=\"https://brew.sh/\">Homebrew</a>: <code>brew install x</code>.";
    let expected =
        "> **Note**\n>\n> On macOS, use [Homebrew](https://brew.sh/): `brew install x`.\n";
    assert_eq!(
        md(&box_of("<div class=\"title\">Note</div>", bare)),
        expected
    );
    assert_eq!(
        md(&box_of("<img src=\"note.png\" alt=\"Note\">", bare)),
        expected
    );
    assert_eq!(
        md(&box_of(
            "<i class=\"fa icon-note\" title=\"Note\"></i>",
            bare
        )),
        expected
    );
    assert_eq!(
        md(&box_of(
            "<div class=\"title\">Warning</div>",
            "<div class=\"paragraph\"><p>First.</p></div><div class=\"paragraph\"><p>Second.</p></div>"
        )),
        "> **Warning**\n>\n> First.\n>\n> Second.\n"
    );
    let docbook = "<div class=\"note\"><table border=\"0\" summary=\"Note\"><tr>\
        <td rowspan=\"2\" align=\"center\" valign=\"top\" width=\"25\"><img alt=\"[Note]\" src=\"note.png\"></td>\
        <th align=\"left\">Note</th></tr><tr><td align=\"left\" valign=\"top\"><p>Careful here.</p></td></tr></table></div>";
    assert_eq!(md(docbook), "> **Note**\n>\n> Careful here.\n");
    // Two cells of text in a note are a row of data, not a box.
    let row = "<div class=\"note\"><table><tr><td>The first cell says quite a lot here.</td>\
               <td>And the second one says even more.</td></tr></table></div>";
    assert!(
        md(row).contains("| The first cell says quite a lot here. |"),
        "{}",
        md(row)
    );
    // Outside an admonition, a picture beside a box of text (a banner's linked logo) is
    // no label: it goes, as before.
    let banner = "<table><tr><td><a href=\"/\"><img src=\"logo.png\" alt=\"Logo\"></a></td>\
                  <td><p>The toolkit of the project.</p></td></tr></table>";
    assert_eq!(md(banner), "The toolkit of the project.\n");
}

#[test]
fn source_links_and_toggle_hints_beside_an_item_are_left_out() {
    // rustdoc 1.63: the version, the `source` link and the collapse toggle float right
    // of the title and of each implementation, before its heading in the page's order.
    let rustdoc = "<main><h1 class=\"fqn\"><span class=\"in-band\">Struct <a href=\"index.html\">syn</a>::<a class=\"struct\" href=\"#\">LitBool</a></span></h1>\
        <span class=\"out-of-band\"><a class=\"srclink\" href=\"../src/syn/lit.rs.html#112-118\">source</a> · \
        <a id=\"toggle-all-docs\" href=\"javascript:void(0)\" title=\"collapse all docs\">[<span class=\"inner\">&#x2212;</span>]</a></span>\
        <p>A boolean literal: <code>true</code> or <code>false</code>.</p>\
        <section id=\"impl-From%3CT%3E\" class=\"impl has-srclink\"><span class=\"rightside\"><span class=\"since\" title=\"const unstable\">const: \
        <a href=\"https://github.com/rust-lang/rust/issues/88674\">unstable</a></span> · \
        <a class=\"srclink\" href=\"https://doc.rust-lang.org/1.63.0/src/core/convert/mod.rs.html#557-562\">source</a></span>\
        <a href=\"#impl-From%3CT%3E\" class=\"anchor\"></a><h3 class=\"code-header in-band\">impl&lt;T&gt; From&lt;T&gt; for T</h3></section>\
        <div class=\"docblock\"><p>Returns the argument unchanged.</p></div></main>";
    let out = md(rustdoc);
    for chrome in ["source", "unstable", "[−]", "·"] {
        assert!(!out.contains(chrome), "{chrome:?} kept:\n{out}");
    }
    assert!(
        out.contains("A boolean literal")
            && out.contains("### impl\\<T> From\\<T> for T\n\nReturns the argument unchanged."),
        "{out}"
    );
    // RDoc's darkfish: the hint beside each method's call sequence.
    let rdoc =
        "<div id=\"method-i-register\" class=\"method-detail\"><div class=\"method-heading\">\
        <span class=\"method-callseq\">register(name = nil)</span>\
        <span class=\"method-click-advice\">click to toggle source</span></div>\
        <div class=\"method-description\"><p>Registers the group.</p></div></div>";
    let out = md(rdoc);
    assert!(
        out.contains("register(name = nil)") && out.contains("Registers the group."),
        "{out}"
    );
    assert!(!out.contains("click to toggle"), "{out}");
}

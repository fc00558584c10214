"""The site's one stylesheet (book/_ext/site_css.py) on small sites written by hand."""

from __future__ import annotations

import site_css


def make_site(tmp_path, pages: dict[str, str], sheets: dict[str, str], scripts=None):
    for name, text in {**pages, **{f"_static/{n}": t for n, t in sheets.items()}}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for name, text in (scripts or {}).items():
        (tmp_path / "_static" / name).write_text(text, encoding="utf-8")
    return [f"_static/{name}" for name in sheets]


def rules(css: str) -> list[str]:
    return [line for line in css.splitlines()[2:] if line]


def test_a_rule_stays_when_every_class_and_id_it_names_is_on_a_page(tmp_path):
    sheets = make_site(
        tmp_path,
        {"a.html": '<div class="card wide" id="top"><p class="note">x</p></div>'},
        {"theme.css": ".card{color:red}.gone{color:blue}#top .note{margin:0}p{padding:0}"},
    )
    css = site_css.site_stylesheet(tmp_path, sheets)
    assert rules(css) == [
        ".card{color:red}",
        "#top .note{margin:0}",
        "p{padding:0}",
    ]


def test_a_selector_list_keeps_only_its_used_selectors(tmp_path):
    sheets = make_site(
        tmp_path,
        {"a.html": '<b class="on">x</b>'},
        {"theme.css": ".off,.on:hover,.on .off,b[title]{color:red}"},
    )
    assert rules(site_css.site_stylesheet(tmp_path, sheets)) == [".on:hover,b[title]{color:red}"]


def test_classes_inside_functional_pseudo_classes_do_not_count(tmp_path):
    sheets = make_site(
        tmp_path,
        {"a.html": '<b class="on">x</b>'},
        {"theme.css": ".on:not(.never){color:red}:is(.never,.on) i{color:blue}"},
    )
    assert rules(site_css.site_stylesheet(tmp_path, sheets)) == [
        ".on:not(.never){color:red}",
        ":is(.never,.on) i{color:blue}",
    ]


def test_a_class_a_script_adds_is_kept(tmp_path):
    sheets = make_site(
        tmp_path,
        {"a.html": '<nav class="menu">x</nav>'},
        {"theme.css": ".menu.show{display:block}.menu.collapsing{height:0}"},
        scripts={"menu.js": 'el.classList.add("show")'},
    )
    assert rules(site_css.site_stylesheet(tmp_path, sheets)) == [".menu.show{display:block}"]


def test_media_queries_are_purged_inside_and_dropped_when_empty(tmp_path):
    sheets = make_site(
        tmp_path,
        {"a.html": '<b class="on">x</b>'},
        {
            "theme.css": "@media (min-width:40em){.on{color:red}.off{color:blue}}"
            "@media print{.off{x:0}}"
        },
    )
    assert rules(site_css.site_stylesheet(tmp_path, sheets)) == [
        "@media (min-width:40em){.on{color:red}}"
    ]


def test_fonts_and_animations_no_rule_uses_are_dropped(tmp_path):
    sheets = make_site(
        tmp_path,
        {"a.html": '<b class="on">x</b>'},
        {
            "theme.css": '@font-face{font-family:"Used";src:url(fonts/u.woff2)}'
            '@font-face{font-family:"Icons";src:url(fonts/i.woff2)}'
            "@keyframes spin{to{transform:rotate(1turn)}}@keyframes fade{to{opacity:0}}"
            '.on{font-family:"Used";animation:spin 1s}.off{font-family:"Icons";animation:fade 1s}'
        },
    )
    kept = rules(site_css.site_stylesheet(tmp_path, sheets))
    assert kept == [
        '@font-face{font-family:"Used";src:url(fonts/u.woff2)}',
        "@keyframes spin{to{transform:rotate(1turn)}}",
        '.on{font-family:"Used";animation:spin 1s}',
    ]


def test_imports_are_inlined_and_urls_rebased_onto_static(tmp_path):
    sheets = make_site(
        tmp_path,
        {"a.html": '<b class="on">x</b>'},
        {
            "basic.css": ".on{background:url(file.png)}",
            "styles/theme.css": '@import "../basic.css";.on{background:url(../img/a.png)}',
            "katex/katex.min.css": ".on{src:url('fonts/k.woff2')}.on{mask:url(data:image/svg,x)}",
        },
    )
    kept = rules(site_css.site_stylesheet(tmp_path, sheets[1:]))
    assert kept == [
        ".on{background:url(file.png)}",
        '.on{background:url("img/a.png")}',
        '.on{src:url("katex/fonts/k.woff2")}',
        ".on{mask:url(data:image/svg,x)}",
    ]


def test_the_books_own_stylesheets_are_kept_whole(tmp_path):
    sheets = make_site(
        tmp_path,
        {"a.html": "<p>x</p>"},
        {"theme.css": ".unused{color:red}", "descent.css": ".descent-made-by-script{color:red}"},
    )
    assert rules(site_css.site_stylesheet(tmp_path, sheets)) == [
        ".descent-made-by-script{color:red}"
    ]


def test_the_order_of_stylesheets_is_the_pages_order():
    order = []
    site_css.merge(order, ["theme", "sphinx", "descent"])
    site_css.merge(order, ["theme", "sphinx", "katex", "descent"])
    site_css.merge(order, ["first", "theme"])
    assert order == ["first", "theme", "sphinx", "katex", "descent"]

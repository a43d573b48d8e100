"""The documentation works offline, and the examples of the API guide run.

A page of the built documentation loads no script or style from the network:
Mermaid diagrams are drawn by the bundled ``_static/vendor/mermaid.min.js`` and
formulas by the bundled MathJax. The check builds one small page with the real
configuration (a full build takes longer than a test should) and reads the HTML.
"""

from __future__ import annotations

import re
import runpy
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
VENDOR = DOCS / "_static" / "vendor"

_LOADS = re.compile(r"<(?:script|link)\b[^>]*?\b(?:src|href)=\"([^\"]*)\"", re.IGNORECASE)
_IMPORTS = re.compile(r"""\bimport\b[^;'"]*?['"]([^'"]+)['"]""")
_REMOTE = ("http://", "https://", "//")


@pytest.fixture(scope="module")
def conf() -> dict[str, Any]:
    """The documentation's configuration (its top level only: nothing is generated)."""
    return runpy.run_path(str(DOCS / "conf.py"))


def test_the_scripts_are_bundled_with_their_licences(conf: dict[str, Any]) -> None:
    assert conf["html_static_path"] == ["_static"]
    assert conf["mermaid_output_format"] == "raw"
    for script in (conf["MERMAID_JS"], conf["MERMAID_INIT_JS"], conf["mathjax_path"]):
        assert not script.startswith(_REMOTE), script
        assert (DOCS / "_static" / script).is_file(), script
    assert "Copyright (c) 2014 Knut Sveidqvist" in (VENDOR / "mermaid.LICENSE").read_text()
    assert "Apache License" in (VENDOR / "mathjax" / "LICENSE").read_text()
    assert (VENDOR / "mermaid.min.js").read_text(encoding="utf-8").startswith("(function(")


PAGE = """# Offline

```{mermaid}
stateDiagram-v2
    [*] --> received
    received --> analysis: begin_analysis
```

A formula: $W = \\sum_i w_i$.

| a very wide table | with | columns |
|---|---|---|
| `aalborg.radicalisation_under_18` | 1 | 2 |
"""

CONF = """
import runpy

_real = runpy.run_path({conf!r})
for _name, _value in _real.items():
    if _name.startswith(("html_", "mermaid_", "mathjax", "myst_")) or _name in (
        "extensions", "source_suffix", "MERMAID_JS", "MERMAID_INIT_JS"
    ):
        globals()[_name] = _value
html_static_path = [{static!r}]
project = "offline"


def setup(app):
    _real["bundled_mermaid"](app)
"""


def _built_page(tmp_path: Path) -> tuple[Path, str]:
    from sphinx.cmd.build import build_main  # noqa: PLC0415

    source = tmp_path / "source"
    source.mkdir()
    (source / "index.md").write_text(PAGE, encoding="utf-8")
    conf = CONF.format(conf=str(DOCS / "conf.py"), static=str(DOCS / "_static"))
    (source / "conf.py").write_text(conf, encoding="utf-8")
    out = tmp_path / "html"
    status = build_main(["-q", "-W", "-b", "html", str(source), str(out)])
    assert status == 0
    return out, (out / "index.html").read_text(encoding="utf-8")


def test_a_built_page_loads_nothing_from_the_network(tmp_path: Path) -> None:
    out, html = _built_page(tmp_path)
    loaded = _LOADS.findall(html)
    imported = _IMPORTS.findall(html)
    assert loaded
    assert [url for url in [*loaded, *imported] if url.startswith(_REMOTE)] == []
    assert "cdn.jsdelivr" not in html
    scripts = [url.split("?")[0] for url in loaded]
    assert "_static/vendor/mermaid.min.js" in scripts
    assert "_static/mermaid-init.js" in scripts
    assert "_static/vendor/mathjax/tex-svg.js" in scripts
    assert scripts.index("_static/vendor/mermaid.min.js") < scripts.index("_static/mermaid-init.js")
    assert "_static/ssp.css" in scripts
    for script in scripts:
        if not script.startswith(("#", "genindex", "search")) and script.startswith("_static"):
            assert (out / script).is_file(), script
    assert '<pre class="mermaid">' in html or 'class="mermaid"' in html


def test_the_stylesheet_keeps_wide_content_in_its_box() -> None:
    css = (DOCS / "_static" / "ssp.css").read_text(encoding="utf-8")
    for rule in ("div.body table.docutils", "div.body pre"):
        block = css[css.index(rule) :]
        block = block[: block.index("}")]
        assert "overflow-x: auto" in block, rule
    assert "overflow-wrap: break-word" in css


def _python_blocks(page: Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", page.read_text(encoding="utf-8"), re.S | re.M)


def test_the_examples_of_the_api_guide_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocks = _python_blocks(DOCS / "api.md")
    assert len(blocks) >= 7
    monkeypatch.chdir(tmp_path)
    for variable in ("SSP_KEY_FILE", "SSP_KEY", "SSP_STORE", "SSP_LANG"):
        monkeypatch.delenv(variable, raising=False)
    code = compile("\n".join(blocks), str(DOCS / "api.md"), "exec")
    exec(code, {"__name__": "api_guide"})  # noqa: S102 (the documentation's own examples)
    out = capsys.readouterr().out
    assert "refer_to_info_house - Forelæg sagen for INFO-huset" in out
    assert "CaseOpened" in out
    assert "does not allow this disclosure" in out
    assert list(tmp_path.iterdir()) == []  # the in-memory store writes no file

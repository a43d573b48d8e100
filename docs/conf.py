"""Sphinx configuration of the ssp_core documentation.

Build: ``sphinx-build -n -W --keep-going -b html docs <outdir>`` (tox env ``docs``).
The build needs no network: there is no intersphinx, so references to the standard
library and to third-party types are ignored narrowly below; diagrams are Mermaid,
rendered by the reader's browser from a bundled copy of mermaid (nothing is fetched
when a page is read either).

Pages are generated when the builder starts, from the plugins that are installed
(the core and the Aalborg plugin), into git-ignored folders:

* ``workflows/generated/<id>.md``: one page per workflow with its diagram and tables,
  and ``overview.md.inc``, the table of them all;
* ``_generated/public_surface.md.inc``: the table of ``ssp_core.__all__``.

The hook and data-file references are committed Markdown (``reference/``), written by
``python -m ssp_core.plugins.reference docs/reference`` and checked by a test; so is
the command-line reference, ``python -m ssp_core.cli.reference docs/reference/cli.md``.

References written as users import them (``ssp_core.Registry``, or a bare
``Registry`` in an annotation) are resolved to the one place each object is
documented (``resolve_short_names``).

A file is rewritten only when its content changes, so a rebuild stays incremental.
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# Local builds from a plain checkout (tox installs both packages, so this is harmless there).
for _path in (ROOT / "plugins" / "ssp-aalborg" / "src", ROOT / "src"):
    if _path.is_dir() and str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

# -- Project -------------------------------------------------------------------------

project = "ssp_core"
author = "The ssp_core developers"
copyright = "2025-2026, The ssp_core developers"
release = importlib.import_module("ssp_core").__version__
version = ".".join(release.split(".")[:2])

# -- General -------------------------------------------------------------------------

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinxcontrib.mermaid",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = [
    "_build",
    "_generated",
    "README.md",
    "Thumbs.db",
    ".DS_Store",
]
nitpicky = True
language = "en"

myst_enable_extensions = ["colon_fence", "deflist", "dollarmath"]
myst_heading_anchors = 3

# -- autodoc -------------------------------------------------------------------------

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
# Members in source order: the modules' __all__ lists are sorted alphabetically, and
# autodoc would follow them. Members are still only the public, documented ones.
autodoc_default_options = {"ignore-module-all": True}
add_module_names = False
python_use_unqualified_type_names = True
toc_object_entries_show_parents = "hide"

# The optional extras: ssp_core.testing imports pytest and hypothesis ("testing"), the
# PostgreSQL store psycopg and psycopg_pool ("postgresql"), Parquet exports pyarrow
# ("parquet"), the simulation kernel simpy ("simulation"). The docs need none of them:
# where one is not installed, the API page is built from a mock of it (tox -e docs
# installs none).
autodoc_mock_imports: list[str] = []
for _optional in ("pytest", "hypothesis", "psycopg", "psycopg_pool", "pyarrow", "simpy"):
    try:
        importlib.import_module(_optional)
    except ImportError:
        autodoc_mock_imports.append(_optional)

# Without intersphinx, types from outside the project cannot be linked. Each entry
# names the package whose types are ignored; of ssp_core only its TypeVars (below) are.
nitpick_ignore_regex = [
    # standard library (builtins and typing names are resolved by Sphinx itself)
    ("py:class", r"(datetime|dt)\.(date|datetime|timedelta|tzinfo)"),
    ("py:class", r"collections\.abc\.\w+"),
    ("py:class", r"(pathlib\.)?Path"),
    ("py:class", r"os\.PathLike"),
    ("py:class", r"types\.(MappingProxyType|ModuleType)"),
    ("py:class", r"contextvars\.\w+"),
    ("py:class", r"gettext\.\w+"),
    ("py:class", r"sqlite3\.\w+"),
    ("py:class", r"concurrent\.futures\.(\w+\.)*\w+"),
    ("py:func", r"datetime\.datetime\.now"),
    ("py:class", r"(ssp_core\.[\w.]+\.)?T"),  # the TypeVar of generic helpers (not documented)
    # third-party dependencies that appear in signatures
    ("py:class", r"pluggy\.(\w+\.)*\w+"),
    ("py:class", r"transitions\.(\w+\.)*\w+"),
    ("py:class", r"cryptography\.(\w+\.)*\w+"),
    ("py:class", r"psycopg(_pool)?\.(\w+\.)*\w+"),
    ("py:class", r"TupleRow"),  # psycopg.rows.TupleRow, by its short name when psycopg is mocked
    ("py:class", r"(numpy|np|npt|matplotlib)\.(\w+\.)*\w+"),
    ("py:class", r"jinja2\.(\w+\.)*\w+"),
    ("py:class", r"(ssp_core\.index\.[\w.]+\.)?(FloatArray|IntArray|BoolArray)"),
    # pytest and hypothesis, also when mocked (a mock's subscript gives odd names)
    ("py:class", r"(_?pytest|hypothesis)\..*"),
]

nitpick_ignore: list[tuple[str, str]] = [
    # The Literal["da", "en"] alias of labels, documented as data in ssp_core.domain.labels;
    # in a signature Sphinx looks it up as a class.
    ("py:class", "Language"),
]

# -- HTML ----------------------------------------------------------------------------

html_theme = "alabaster"
html_title = f"ssp_core {release}"
html_theme_options = {
    "description": "Case work for Danish municipal crime prevention",
    "fixed_sidebar": False,
    "show_relbars": True,
}

html_static_path = ["_static"]
html_css_files = ["ssp.css"]

# -- Offline: every script a page loads is in _static ---------------------------------
#
# The built pages load nothing from the network, so they work from a folder on disk
# (``file://``) and behind a firewall. ``tests/test_docs_offline.py`` checks it.
#
# Mermaid diagrams are drawn by the reader's browser from ``_static/vendor/mermaid.min.js``
# (mermaid 10.9.8, the single-file UMD build from the npm package, MIT licence beside
# it). sphinxcontrib-mermaid writes the ``<pre class="mermaid">`` blocks; its own
# script is not used: it is an ES module that imports mermaid, from a CDN by default,
# and browsers refuse to import modules from ``file://`` pages. ``bundled_mermaid``
# below loads the bundled file as a classic script instead, on the pages that have a
# diagram, and ``_static/mermaid-init.js`` starts it.
#
# Formulas (``methodology``) are typeset by MathJax 3.2.2's single-file SVG build,
# ``_static/vendor/mathjax/tex-svg.js`` (Apache-2.0 licence beside it): SVG output
# needs no web fonts. Its menu is off, since the menu's speech options would fetch the
# speech-rule engine from a CDN.

mermaid_output_format = "raw"
MERMAID_JS = "vendor/mermaid.min.js"
"""The bundled mermaid, relative to ``_static``."""
MERMAID_INIT_JS = "mermaid-init.js"
"""The script that starts the bundled mermaid, relative to ``_static``."""

mathjax_path = "vendor/mathjax/tex-svg.js"
mathjax3_config = {"options": {"enableMenu": False}}

# -- Generated pages -----------------------------------------------------------------

WORKFLOW_PAGES = HERE / "workflows" / "generated"
SURFACE_PAGE = HERE / "_generated" / "public_surface.md.inc"


def _write_if_changed(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _cell(value: object) -> str:
    """Return ``value`` as the text of one Markdown table cell."""
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()


def _code(values: Iterable[str]) -> str:
    return ", ".join(f"`{value}`" for value in values)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows)
    lines.append("")
    return lines


def _load_registry() -> Any:
    """Load the installed plugins; in a plain checkout, add the Aalborg plugin explicitly."""
    import ssp_core  # noqa: PLC0415

    registry = ssp_core.load_registry(autoload=True, block=())
    if not any(info.module == "ssp_aalborg.hooks" for info in registry.plugins):
        hooks = importlib.import_module("ssp_aalborg.hooks")
        registry = ssp_core.load_registry(autoload=True, block=(), plugins=[hooks])
    return registry


def _guard_condition(spec: Any) -> str:
    parts = []
    if spec.all_of:
        parts.append("recorded: " + _code(spec.all_of))
    if spec.any_of:
        parts.append("at least one of: " + _code(spec.any_of))
    if spec.assigned:
        parts.append("the case is assigned")
    if spec.min_sessions:
        parts.append(f"at least {spec.min_sessions} session(s) recorded")
    return "; ".join(parts) or "always"


def _days(rule: Any) -> str:
    return f"{rule.days} {'business days' if rule.business_days else 'calendar days'}"


def _head(registry: Any, d: Any) -> list[str]:
    anchor = "workflow-" + re.sub(r"[^a-z0-9]+", "-", d.id)
    out = [
        "<!-- Generated by docs/conf.py from the installed plugins; do not edit. -->",
        "",
        f"({anchor})=",
        f"# {d.labels.en}",
        "",
        f"*{d.labels.da}*",
        "",
    ]
    if d.description is not None:
        out += [d.description.en, "", f"> {d.description.da}", ""]
    facts = [
        ["id", f"`{d.id}`"],
        ["version", str(d.version)],
        ["kind", d.kind.value.replace("_", " ")],
        ["plugin", f"`{registry.workflows.contributor(d.name)}`"],
        ["subjects", ", ".join(kind.value for kind in d.subjects)],
        ["initial state", f"`{d.initial}`"],
        ["final states", _code(state.id for state in d.states if state.final)],
    ]
    if d.applies_to is not None:
        situation = registry.situations[d.applies_to.situation]
        band = registry.age_bands[d.applies_to.age_band]
        facts.append(["situation", f"`{situation.id}`: {situation.labels.en}"])
        facts.append(["age band", f"`{band.id}`: {band.labels.en}"])
    if d.sessions_in:
        facts.append(["sessions recorded in", _code(d.sessions_in)])
    out += _table(["property", "value"], facts)
    cli = (
        f"Show it in a terminal with `ssp workflows show {d.id}` (`--format mermaid` or "
        "`--format json` for the other renderings, `--lang da` for Danish)."
    )
    return [*out, cli, ""]


def _renderings(d: Any) -> list[str]:
    from ssp_core.workflows.diagrams import to_mermaid, to_text  # noqa: PLC0415

    return [
        "## Diagram",
        "",
        "Transitions are labelled `trigger [guards] (roles)`.",
        "",
        "```{mermaid}",
        to_mermaid(d, "en").rstrip("\n"),
        "```",
        "",
        "## Diagram på dansk",
        "",
        "```{mermaid}",
        to_mermaid(d, "da").rstrip("\n"),
        "```",
        "",
        "## As text",
        "",
        "```text",
        to_text(d, "en").rstrip("\n"),
        "```",
        "",
    ]


def _states(d: Any) -> list[str]:
    deadlines = {rule.state: rule for rule in d.deadlines if rule.fact is None}
    rows = []
    for state in d.states:
        marks = [
            mark
            for mark, present in (
                ("initial", state.id == d.initial),
                ("final", state.final),
                (f"step {state.step}", state.step is not None),
            )
            if present
        ]
        rule = deadlines.get(state.id)
        description = state.description.en if state.description is not None else ""
        rows.append(
            [
                f"`{state.id}`",
                state.labels.en,
                state.labels.da,
                ", ".join(marks),
                _days(rule) if rule else "",
                description,
            ]
        )
    header = ["state", "label", "Danish label", "", "deadline", "description"]
    return ["## States", "", *_table(header, rows)]


def _transitions(d: Any) -> list[str]:
    rows = [
        [
            f"`{t.trigger}`",
            _code(t.source),
            f"`{t.dest}`",
            t.labels.en,
            _code(t.guards),
            _code(t.roles) or "any role",
            "yes" if t.requires_reason else "",
        ]
        for t in d.transitions
    ]
    header = ["trigger", "from", "to", "label", "guards", "roles", "reason required"]
    return ["## Transitions", "", *_table(header, rows)]


def _facts(d: Any) -> list[str]:
    if not d.facts:
        return []
    rows = [
        [
            f"`{f.id}`",
            f.labels.en,
            f.legal_basis or "",
            "yes" if f.requires_detail else "",
            _code(f.roles) or "any role",
        ]
        for f in d.facts
    ]
    header = ["fact", "label", "legal basis", "detail required", "roles"]
    intro = ["## Facts", "", "Facts are recorded by people; guards read them.", ""]
    return [*intro, *_table(header, rows)]


def _guards(registry: Any, d: Any) -> list[str]:
    named = dict.fromkeys(guard for t in d.transitions for guard in t.guards)
    if not named:
        return []
    declared = {spec.id: spec for spec in d.guards}
    rows = []
    for guard in named:
        if guard in declared:
            spec = declared[guard]
            rows.append([f"`{guard}`", spec.labels.en, _guard_condition(spec)])
        else:
            plugin = registry.guards.contributor(guard)
            label = registry.guards[guard].labels.en
            rows.append([f"`{guard}`", label, f"implemented in code by plugin `{plugin}`"])
    return ["## Guards", "", *_table(["guard", "label", "holds when"], rows)]


def _instructions(d: Any) -> list[str]:
    rows = [
        [
            f"`{state.id}`",
            instruction.labels.en,
            instruction.labels.da,
            "; ".join(
                f"[{source}]({source.url})" if source.url else str(source)
                for source in instruction.sources
            ),
        ]
        for state in d.states
        for instruction in state.instructions
    ]
    if not rows:
        return []
    intro = [
        "## Instructions",
        "",
        "Shown when a case is opened in the state and with every option while it is there.",
        "",
    ]
    return [*intro, *_table(["state", "instruction", "Danish", "sources"], rows)]


def _deadlines(d: Any) -> list[str]:
    if not d.deadlines:
        return []
    rows = [
        [f"`{rule.state}`", _days(rule), rule.labels.en, rule.labels.da] for rule in d.deadlines
    ]
    intro = ["## Deadlines", "", "A deadline starts when the case enters the state.", ""]
    return [*intro, *_table(["state", "within", "label", "Danish label"], rows)]


def _workflow_page(registry: Any, definition: Any) -> str:
    out = [
        *_head(registry, definition),
        *_renderings(definition),
        *_states(definition),
        *_instructions(definition),
        *_transitions(definition),
        *_facts(definition),
        *_guards(registry, definition),
        *_deadlines(definition),
    ]
    return "\n".join(out).rstrip("\n") + "\n"


def _workflow_overview(registry: Any) -> str:
    rows = [
        [
            f"[{d.labels.en}](generated/{d.id}.md)",
            f"`{d.id}`",
            str(d.version),
            d.kind.value.replace("_", " "),
            f"`{d.applies_to.situation}`, `{d.applies_to.age_band}`" if d.applies_to else "",
            str(len(d.states)),
            str(len(d.transitions)),
        ]
        for d in registry.latest_workflows()
    ]
    header = ["workflow", "id", "version", "kind", "applies to", "states", "transitions"]
    return "\n".join(_table(header, rows))


def write_workflow_pages(registry: Any) -> None:
    """Write one page per workflow (newest versions) and the overview table of them."""
    wanted: dict[Path, str] = {
        WORKFLOW_PAGES / f"{d.id}.md": _workflow_page(registry, d)
        for d in registry.latest_workflows()
    }
    wanted[WORKFLOW_PAGES / "overview.md.inc"] = _workflow_overview(registry)
    for path, text in wanted.items():
        _write_if_changed(path, text)
    if WORKFLOW_PAGES.is_dir():
        for stale in WORKFLOW_PAGES.iterdir():
            if stale.is_file() and stale not in wanted:
                stale.unlink()


_ROLE = re.compile(r":[\w:]+:`~?([^`]+)`")


def _attribute_doc(path: str) -> str:
    """Return the docstring written after a module-level assignment (``path`` is dotted)."""
    from sphinx.pycode import ModuleAnalyzer  # noqa: PLC0415

    module, _, name = path.rpartition(".")
    docs = ModuleAnalyzer.for_module(module).find_attr_docs()
    return "\n".join(docs.get(("", name), []))


def _summary(obj: object, path: str | None = None) -> str:
    doc = (inspect.getdoc(obj) or "") if path is None else _attribute_doc(path)
    first = doc.strip().split("\n\n")[0].replace("\n", " ")
    return _ROLE.sub(r"`\1`", first).replace("``", "`")


def canonical_names() -> dict[str, str]:
    """Map short names (``Registry``) and re-exports (``ssp_core.Registry``) to documented paths.

    Classes and functions are documented in the module that defines them; data in the
    first module of :data:`DOCUMENTED_MODULES` whose ``__all__`` lists it.
    """
    from sphinx.ext.autodoc.mock import mock  # noqa: PLC0415

    import ssp_core  # noqa: PLC0415

    short: dict[str, str] = {}
    by_object: dict[int, str] = {}
    for module_name in DOCUMENTED_MODULES:
        with mock(autodoc_mock_imports):
            module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if (inspect.isclass(obj) or inspect.isfunction(obj)) and obj.__module__ != module_name:
                continue
            path = f"{module_name}.{name}"
            short.setdefault(name, path)
            by_object.setdefault(id(obj), path)
    # A re-export (``ssp_core.reports.markdown.escape``) resolves to where it is documented.
    for module_name in DOCUMENTED_MODULES:
        module = sys.modules[module_name]
        for name in module.__all__:
            path = by_object.get(id(getattr(module, name)))
            if path is not None:
                short.setdefault(f"{module_name}.{name}", path)
    for name in ssp_core.__all__:
        path = by_object.get(id(getattr(ssp_core, name)))
        if path is not None:
            short[f"ssp_core.{name}"] = path
    # Documented on the API page although not listed in its module's __all__.
    short["Contributed"] = "ssp_core.plugins.registry.Contributed"
    return short


DOCUMENTED_MODULES = (
    "ssp_core.exceptions",
    "ssp_core.clock",
    "ssp_core.settings",
    "ssp_core.extras",
    "ssp_core.cipher",
    "ssp_core.i18n",
    "ssp_core.progress",
    "ssp_core.domain.labels",
    "ssp_core.domain.roles",
    "ssp_core.domain.people",
    "ssp_core.domain.cpr",
    "ssp_core.domain.concerns",
    "ssp_core.domain.organisation",
    "ssp_core.domain.district",
    "ssp_core.domain.renames",
    "ssp_core.domain.strategy",
    "ssp_core.domain.deadlines",
    "ssp_core.domain.events",
    "ssp_core.domain.cases",
    "ssp_core.domain.validators",
    "ssp_core.domain.access",
    "ssp_core.domain.disclosure",
    "ssp_core.domain.retention",
    "ssp_core.domain.redaction",
    "ssp_core.domain.fields",
    "ssp_core.domain.walks",
    "ssp_core.workflows.definition",
    "ssp_core.workflows.guards",
    "ssp_core.workflows.validation",
    "ssp_core.workflows.engine",
    "ssp_core.workflows.deadlines",
    "ssp_core.workflows.explain",
    "ssp_core.workflows.diagrams",
    "ssp_core.plugins.spec",
    "ssp_core.plugins.manager",
    "ssp_core.plugins.proxy",
    "ssp_core.plugins.registry",
    "ssp_core.plugins.builtin",
    "ssp_core.store.base",
    "ssp_core.store.records",
    "ssp_core.store.url",
    "ssp_core.store.codec",
    "ssp_core.store.scan",
    "ssp_core.store.projection",
    "ssp_core.store.select",
    "ssp_core.store.memory",
    "ssp_core.store.sql",
    "ssp_core.store.sqlite.schema",
    "ssp_core.store.sqlite.statements",
    "ssp_core.store.sqlite.rows",
    "ssp_core.store.sqlite.writes",
    "ssp_core.store.sqlite.store",
    "ssp_core.store.sqlite",
    "ssp_core.store.postgres.schema",
    "ssp_core.store.postgres.statements",
    "ssp_core.store.postgres.rows",
    "ssp_core.store.postgres.connection",
    "ssp_core.store.postgres.migrator",
    "ssp_core.store.postgres.store",
    "ssp_core.store.postgres",
    "ssp_core.privacy.keys",
    "ssp_core.privacy.sealing",
    "ssp_core.privacy.vault",
    "ssp_core.privacy.access",
    "ssp_core.privacy.retention",
    "ssp_core.privacy.suppression.table",
    "ssp_core.privacy.suppression.cube",
    "ssp_core.privacy.suppression.protect",
    "ssp_core.privacy.suppression.audit",
    "ssp_core.privacy.suppression",
    "ssp_core.privacy.disclosure",
    "ssp_core.privacy.tables",
    "ssp_core.privacy.export",
    "ssp_core.application.casework",
    "ssp_core.application.services",
    "ssp_core.application.gate",
    "ssp_core.application.repository",
    "ssp_core.application.reads",
    "ssp_core.application.commands",
    "ssp_core.application.identity",
    "ssp_core.application.disclosure",
    "ssp_core.application.walks",
    "ssp_core.application.retention",
    "ssp_core.application.admin",
    "ssp_core.application.research",
    "ssp_core.application.evaluation",
    "ssp_core.application.migration",
    "ssp_core.loading",
    "ssp_core.testing",
    "ssp_core.index.config",
    "ssp_core.index.cells",
    "ssp_core.index.survey",
    "ssp_core.index.estimate",
    "ssp_core.index.compare",
    "ssp_core.index.composite",
    "ssp_core.index.crime",
    "ssp_core.index.intervals",
    "ssp_core.index.design",
    "ssp_core.index.bootstrap",
    "ssp_core.index.synthetic",
    "ssp_core.index.plot",
    "ssp_core.walks.views",
    "ssp_core.walks.labels",
    "ssp_core.walks.facts",
    "ssp_core.walks.report",
    "ssp_core.walks.map",
    "ssp_core.walks.geojson",
    "ssp_core.reports.escaping",
    "ssp_core.reports.environment",
    "ssp_core.reports.markdown",
    "ssp_core.evaluation.measures",
    "ssp_core.evaluation.period",
    "ssp_core.evaluation.facts",
    "ssp_core.evaluation.counts",
    "ssp_core.evaluation.delays",
    "ssp_core.evaluation.index_series",
    "ssp_core.evaluation.evaluate",
    "ssp_core.evaluation.report",
    "ssp_core.evaluation.plots",
)
"""The modules the API reference documents (``ssp_core.plugins.spec`` on the plugin page)."""


def write_public_surface() -> None:
    """Write the table of ``ssp_core.__all__``: each name, its kind, where it is documented."""
    import ssp_core  # noqa: PLC0415

    names = canonical_names()
    rows = []
    for name in ssp_core.__all__:
        obj = getattr(ssp_core, name)
        if name == "__version__":
            rows.append(["`__version__`", "data", "", f"the installed version, `{obj}`"])
            continue
        target = "ssp_core.load_registry" if name == "load_registry" else names[f"ssp_core.{name}"]
        if inspect.isclass(obj):
            kind = "exception" if issubclass(obj, BaseException) else "class"
        elif inspect.isfunction(obj):
            kind = "function"
        else:
            kind = "data"
        where = target.rsplit(".", 1)[0]
        summary = _summary(obj, target if kind == "data" else None)
        rows.append([f"{{py:obj}}`{name} <{target}>`", kind, f"`{where}`", summary])
    text = "\n".join(_table(["name", "kind", "defined in", "summary"], rows))
    _write_if_changed(SURFACE_PAGE, text)


# -- Resolving references to re-exported and short names ------------------------------


_CANONICAL: dict[str, str] = {}


def resolve_short_names(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    """Resolve ``ssp_core.Registry``, bare ``Registry`` and ``Registry.build`` to the documentation.

    Docstrings and annotations name objects as users import them (from ``ssp_core``)
    or by their short name (types imported under ``TYPE_CHECKING``); the API reference
    documents each object once, in its defining module.
    """
    if node.get("refdomain") != "py":
        return None
    if not _CANONICAL:
        _CANONICAL.update(canonical_names())
    target: str = node.get("reftarget", "")
    for prefix in (target, *(target.rsplit(".", n)[0] for n in (1, 2))):
        if prefix in _CANONICAL:
            canonical = _CANONICAL[prefix] + target.removeprefix(prefix)
            break
    else:
        return None
    domain = env.get_domain("py")
    return domain.resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], canonical, node, contnode
    )


def drop_call_hints_of_data(app: Any, domain: str, objtype: str, contentnode: Any) -> None:
    """Keep autodoc from listing the ``__call__`` parameters of callable module data.

    Also drop the ``None`` return type of an exception's ``__init__``, as autodoc
    does for other classes.

    ``hookimpl`` and ``hookspec`` are pluggy marker instances; with
    ``autodoc_typehints = "description"`` autodoc would list their call parameters
    (typed with pluggy's private type variables) as if they were functions.
    """
    if domain != "py" or objtype not in {"data", "exception"}:
        return
    signature = contentnode.parent[0]
    fullname = ".".join(
        part for part in (signature.get("module"), signature.get("fullname")) if part
    )
    document = getattr(app.env, "current_document", None)
    store = getattr(document, "autodoc_annotations", None)
    if store is None:  # Sphinx 8
        store = app.env.temp_data.get("annotations", {})
    if objtype == "data":
        store.pop(fullname, None)
    else:  # an exception's __init__ returns None; autodoc drops that for classes only
        store.get(fullname, {}).pop("return", None)


def generate(_app: Any) -> None:
    """Write the generated pages before Sphinx looks for source files."""
    registry = _load_registry()
    write_workflow_pages(registry)
    write_public_surface()


def add_bundled_mermaid(
    app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Load the bundled mermaid and its starter on a page with a diagram (``html-page-context``)."""
    del pagename, templatename, context
    from sphinxcontrib.mermaid import mermaid  # noqa: PLC0415

    if doctree is not None and doctree.next_node(mermaid) is not None:
        app.add_js_file(MERMAID_JS, priority=500)
        app.add_js_file(MERMAID_INIT_JS, priority=501)


def bundled_mermaid(app: Any) -> None:
    """Draw diagrams with the bundled mermaid instead of sphinxcontrib-mermaid's CDN module.

    sphinxcontrib-mermaid keeps its directive and its HTML; only its page script, the
    ``html-page-context`` listener ``install_js``, is disconnected.
    """
    from sphinxcontrib.mermaid import install_js  # noqa: PLC0415

    for listener in list(app.events.listeners.get("html-page-context", [])):
        if listener.handler is install_js:
            app.disconnect(listener.id)
    app.connect("html-page-context", add_bundled_mermaid)


def setup(app: Any) -> dict[str, Any]:
    """Hook the page generator, the reference resolver and the bundled scripts into Sphinx."""
    bundled_mermaid(app)
    app.connect("builder-inited", generate)
    app.connect("missing-reference", resolve_short_names)
    app.connect("object-description-transform", drop_call_hints_of_data, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

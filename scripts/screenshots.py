"""Take the screenshots of the HTML reports shown in docs/reports.md.

Builds the demo's case store (``ssp demo``) in a temporary folder, adds a safety
walk with findings, writes the evaluation report of the council term 2026-2029
(with a synthetic safety survey of one year) and the walk's report, in Danish and
in English, and photographs each HTML page with headless Chromium::

    python scripts/screenshots.py            # writes docs/_static/screenshots/*.png

Needs Chromium (``apt-get install -y chromium``; or name it with ``CHROMIUM=...``)
and the ssp-aalborg plugin. The pictures are reduced to 256 colours, so all of
them together stay at a few hundred kilobytes. Not run by the tests.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image
from rich.console import Console

from ssp_core import Actor, Coordinates, Place, load_registry
from ssp_core.application.casework import Casework
from ssp_core.cli.demo import run_demo
from ssp_core.clock import local_date
from ssp_core.domain.labels import Language
from ssp_core.evaluation import write_report
from ssp_core.i18n import language
from ssp_core.index.synthetic import generate
from ssp_core.walks.report import walk_report

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "_static" / "screenshots"
WIDTH = 1200
CONSULTANT = Actor("anne.ssp", "aalborg.ssp_consultant")

FINDINGS = (
    (
        Place("Stien fra skolen til hallen", Coordinates(57.0512, 10.1958)),
        "lighting",
        "Stien er mørk de sidste 200 meter; to lamper er gået ud.",
        "aalborg.roads_and_parks",
    ),
    (
        Place("Branddammen ved Gandrup Skole", Coordinates(57.0489, 10.2003)),
        "aalborg.fire_pond",
        "Hegnet om branddammen er væltet på den side, der vender mod legepladsen.",
        "aalborg.roads_and_parks",
    ),
    (
        Place("Hækken langs Storegade", Coordinates(57.0497, 10.1931)),
        "aalborg.plantings",
        "Hækken skjuler fortovet fra vejen; den bør klippes ned.",
        None,
    ),
    (
        Place("Busstoppestedet ved Hadsundvej"),
        "safe_movement",
        "Elever venter i rabatten, mens bilerne kører hurtigt forbi.",
        None,
    ),
)


def _chromium() -> str:
    found = os.environ.get("CHROMIUM") or shutil.which("chromium")
    found = found or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if found is None:
        sys.exit("Chromium is missing: apt-get install -y chromium (or set CHROMIUM)")
    return found


def _walk(casework: Casework) -> str:
    """Record a held safety walk in Gandrup with four findings; return its id."""
    walk = casework.plan_walk(
        locality="aalborg.gandrup",
        held_on=dt.date(2026, 3, 3),
        participants=["aalborg.grindsted_samraad", "aalborg.roads_and_parks"],
        citizens=6,
        topics=["lighting", "aalborg.fire_pond", "aalborg.plantings"],
        note="Vandringen startede ved hallen kl. 19 og sluttede ved skolen.",
        actor=CONSULTANT,
    )
    casework.fire(walk.id, "hold", CONSULTANT)
    for place, category, description, responsible in FINDINGS:
        casework.record_finding(
            walk.id,
            place=place,
            category=category,
            description=description,
            responsible=responsible,
            actor=CONSULTANT,
        )
    return walk.id


def _reports(casework: Casework, walk_id: str, folder: Path, survey: Path) -> dict[str, Path]:
    """Write the evaluation and walk reports in Danish and English; return their pages."""
    evaluation = casework.evaluate(CONSULTANT, term="2026-2029", survey=survey)
    (walk,) = [w for w in casework.walks(CONSULTANT, purpose="casework") if w.case_id == walk_id]
    findings = casework.findings(CONSULTANT, purpose="casework", walk=walk_id)
    today = local_date(casework.clock.now())
    pages: dict[str, Path] = {}
    languages: tuple[Language, ...] = ("da", "en")
    for lang in languages:
        with language(lang):
            written = write_report(evaluation, folder / f"evaluation-{lang}")
            pages[f"evaluation-{lang}"] = written[1]
            report = walk_report(
                walk, findings, casework.registry, folder / f"walk-{lang}", today=today
            )
            _, page = report.write(folder / f"walk-{lang}", "walk")
            pages[f"walk-{lang}"] = page
    pages["evaluation-index-da"] = _excerpt(
        pages["evaluation-da"],
        '<h4 id="indicator-safety-index">',
        '<h4 id="indicator-reported-crime">',
    )
    return pages


def _excerpt(page: Path, start: str, end: str) -> Path:
    """Write the part of ``page`` from the element ``start`` up to ``end`` as a page of its own.

    Chromium's headless screenshot shows the top of a page, whatever its fragment.
    """
    html = page.read_text(encoding="utf-8")
    head, body = html.split("<body>", 1)
    part = body[body.index(start) : body.index(end)]
    excerpt = page.with_name(f"{page.stem}-excerpt.html")
    excerpt.write_text(f"{head}<body>\n{part}\n</body>\n</html>\n", encoding="utf-8")
    return excerpt


def _shoot(chromium: str, url: str, png: Path, height: int) -> None:
    """Photograph ``url`` at 1200 pixels wide, then reduce the picture to 256 colours."""
    subprocess.run(  # noqa: S603 (our own command line)
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--virtual-time-budget=5000",
            f"--window-size={WIDTH},{height}",
            f"--screenshot={png}",
            url,
        ],
        check=True,
        capture_output=True,
    )
    with Image.open(png) as picture:
        small = picture.convert("RGB").quantize(colors=256)
    small.save(png, optimize=True)


def main() -> None:
    """Build the demo store, write the reports and photograph them into docs/_static."""
    chromium = _chromium()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        survey = generate(4000, areas=3, years=(2026,), seed=11).to_csv(folder / "survey.csv")
        casework = run_demo(
            load_registry(), Console(file=io.StringIO()), "en", f"sqlite:///{folder / 'ssp.db'}"
        )
        try:
            walk_id = _walk(casework)
            pages = _reports(casework, walk_id, folder, survey)
        finally:
            casework.close()
        shots = {
            "evaluation-da": ("evaluation-da", 1500),
            "evaluation-en": ("evaluation-en", 1500),
            "evaluation-index-da": ("evaluation-index-da", 900),
            "walk-da": ("walk-da", 1400),
            "walk-en": ("walk-en", 1400),
        }
        for name, (page, height) in shots.items():
            png = OUT / f"{name}.png"
            _shoot(chromium, pages[page].as_uri(), png, height)
            print(f"{png.relative_to(ROOT)}: {png.stat().st_size // 1024} KB")  # noqa: T201


if __name__ == "__main__":
    main()

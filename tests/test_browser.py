"""The HTML report in a real browser (Debian's Chromium, driven by Playwright), read as a reader
would: the contents links scroll to their sections, every chart draws, the console stays clean,
nothing is fetched from outside the report's own files. Screenshots go to test-artifacts/."""

from __future__ import annotations

import contextlib
import os
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import yaml
from playwright.sync_api import Browser, Page, Route, sync_playwright

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
# This machine reaches no network: nothing may phone home, and nothing may need a GPU or sandbox.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"
LOCAL_SCHEMES = ("file://", "data:", "blob:")
# Wider than the stylesheet's 60rem breakpoint, so the contents are the sticky sidebar.
VIEWPORT = {"width": 1280, "height": 900}
# Where a section's top may be after its contents link scrolled to it (px from the viewport top).
SECTION_TOP = (-2, 120)
TIMEOUT_MS = 60_000

# Resolves once the window has not scrolled for 6 frames in a row: `scroll-behavior: smooth`
# animates every jump, so positions are only meaningful after the animation settles.
SCROLL_SETTLED = """async () => {
  const deadline = performance.now() + 5000;
  let last = NaN, still = 0;
  while (still < 6 && performance.now() < deadline) {
    await new Promise(requestAnimationFrame);
    if (window.scrollY === last) { still += 1; } else { still = 0; last = window.scrollY; }
  }
  return window.scrollY;
}"""

# Each chart as the reader sees it: the inline SVG drawn by vl-convert, its data marks (the
# items of Vega's `role-mark` groups: bars, lines, points, rules, labels; not axes or legends).
CHART_STATES = """() => [...document.querySelectorAll('.vega-chart')].map(chart => {
  const svg = chart.querySelector('.chart-drawing svg');
  const box = svg && svg.getBoundingClientRect();
  return {
    id: chart.dataset.chart || chart.id,
    size: box ? [Math.round(box.width), Math.round(box.height)] : [0, 0],
    marks: svg ? svg.querySelectorAll('g.role-mark > *').length : 0,
    named: (chart.querySelector('.chart-drawing[role=img]') || {}).ariaLabel || '',
  };
})"""


@dataclass
class Reader:
    """An open report, with everything the page said and asked for since it was opened."""

    page: Page
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    warnings: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    blocked: list[str] = field(default_factory=list)  # non-local URLs the route aborted

    def scroll_through(self) -> None:
        """Scroll the whole report, screen by screen, as a reader would (lazy content loads)."""
        height = self.page.evaluate("document.documentElement.scrollHeight")
        for y in range(0, height, VIEWPORT["height"]):
            self.page.evaluate("y => window.scrollTo({top: y, behavior: 'instant'})", y)
        self.page.evaluate("document.fonts.ready.then(() => true)")
        self.page.evaluate("window.scrollTo({top: 0, behavior: 'instant'})")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium (make system-deps)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, so the browser tests must run", pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@contextlib.contextmanager
def opened(browser, html: Path, viewport: dict = VIEWPORT) -> Iterator[Reader]:
    """A report freshly opened from file://, everything it says and asks for recorded."""
    context = browser.new_context(viewport=viewport, service_workers="block")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    reader = Reader(page)

    def route(route: Route) -> None:
        if route.request.url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            reader.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def console(message) -> None:
        if message.type == "error":
            reader.errors.append(f"console error: {message.text} ({message.location})")
        elif message.type == "warning":
            reader.warnings.append(f"console warning: {message.text}")

    context.route("**/*", route)
    context.on("request", lambda request: reader.requests.append(request.url))
    page.on("console", console)
    page.on("pageerror", lambda error: reader.errors.append(f"uncaught exception: {error}"))
    page.on("websocket", lambda socket: reader.blocked.append(socket.url))
    page.goto(html.as_uri())
    page.wait_for_load_state("load")
    try:
        yield reader
    finally:
        context.close()


@pytest.fixture
def reader(browser, example) -> Iterator[Reader]:
    """The rendered example report at desktop width."""
    with opened(browser, example.html) as reader:
        yield reader


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_every_contents_link_scrolls_its_section_into_view(reader):
    page = reader.page
    links = page.locator("nav#TOC a")
    hrefs = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert len(hrefs) > 3, f"the contents (nav#TOC) has only {len(hrefs)} links"
    assert all(h and h.startswith("#") for h in hrefs), f"contents links leave the page: {hrefs}"

    low, high = SECTION_TOP
    wrong = []
    for i, href in enumerate(hrefs):
        target = href[1:]
        links.nth(i).click()
        page.evaluate(SCROLL_SETTLED)
        place = page.evaluate(
            """id => {
              const el = document.getElementById(id);
              const root = document.documentElement;
              return el && {
                top: el.getBoundingClientRect().top,
                atBottom: window.scrollY >= root.scrollHeight - window.innerHeight - 1,
                hash: decodeURIComponent(location.hash),
              };
            }""",
            target,
        )
        if place is None:
            wrong.append(f"{href}: no element with id {target!r}")
            continue
        # A short last section cannot reach the top: the page stops at its bottom; it must show.
        in_view = low <= place["top"] <= high or (
            place["atBottom"] and 0 <= place["top"] < VIEWPORT["height"] - 50
        )
        if not in_view or place["hash"] != href:
            wrong.append(f"{href}: section top at {place['top']:.0f}px, URL hash {place['hash']!r}")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=ARTIFACTS / f"toc-wrong-{target}.png")
    assert not wrong, (
        f"after clicking its contents link, a section should start {low}–{high}px below the "
        "viewport top:\n" + "\n".join(wrong)
    )


def test_every_chart_draws(reader):
    page = reader.page
    ARTIFACTS.mkdir(exist_ok=True)
    for figure in page.locator("figure.chart").all():
        name = figure.locator(".vega-chart").get_attribute("data-chart") or "unnamed"
        figure.scroll_into_view_if_needed()
        figure.screenshot(path=ARTIFACTS / f"chart-{name}.png")

    charts = page.evaluate(CHART_STATES)
    configured = yaml.safe_load((ROOT / "data" / "charts.yml").read_text(encoding="utf-8"))
    configured_ids = [chart["id"] for chart in configured["charts"]]
    assert len(charts) == len(configured_ids), (
        f"data/charts.yml has {len(configured_ids)} charts, the report shows {len(charts)}"
    )
    assert sorted(c["id"] for c in charts) == sorted(configured_ids)
    assert page.locator("figure.chart .vega-chart").count() == len(charts)
    broken = [f"{c['id']}: {c}" for c in charts if not (c["marks"] > 0 and min(c["size"]) > 100)]
    assert not broken, "every chart should show its SVG with data marks:\n" + "\n".join(broken)
    assert all(len(c["named"]) > 40 for c in charts), "each drawing is named by its alt text"


def test_pointing_at_a_data_mark_shows_its_values(reader):
    page = reader.page
    chart = page.locator("#chart-turkey-apprehensions")
    mark = chart.locator("g.role-mark [aria-label]").first
    label = mark.get_attribute("aria-label")
    mark.scroll_into_view_if_needed()
    mark.hover(force=True)
    tooltip = page.locator(".chart-tooltip")
    tooltip.wait_for(state="visible")
    assert tooltip.inner_text().splitlines() == label.split("; ")
    assert re.search(r"\d{2},\d{3}", label), label
    page.mouse.move(0, 0)
    tooltip.wait_for(state="hidden")


def test_no_console_errors_while_reading(reader):
    page = reader.page
    reader.scroll_through()
    # Point at one data mark of each chart, which opens its tooltip.
    for chart in page.locator(".vega-chart svg").all():
        mark = chart.locator("g.role-mark [aria-label]").first
        if mark.count():
            mark.hover(force=True)
    page.mouse.move(0, 0)
    errors = reader.errors
    assert not errors, "the page reported errors:\n" + "\n".join(errors)


def test_no_requests_outside_the_report_files(reader):
    reader.scroll_through()
    reader.page.wait_for_load_state("networkidle")
    outside = [url for url in reader.requests if not url.startswith(LOCAL_SCHEMES)]
    assert not outside, "the report asked for URLs outside file://:\n" + "\n".join(outside)
    assert not reader.blocked, "blocked requests to the network:\n" + "\n".join(reader.blocked)
    # The recorder saw the report's own files, so an empty list above means something.
    assert any(url.endswith("/assets/charts.js") for url in reader.requests), reader.requests
    assert any(url.endswith("/report.html") for url in reader.requests), reader.requests


def test_screenshot_of_the_top(reader):
    """The cover, contents and opening text: the first three screens, captured as one image."""
    page = reader.page
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("document.fonts.ready.then(() => true)")
    height = min(3 * VIEWPORT["height"], page.evaluate("document.documentElement.scrollHeight"))
    top = ARTIFACTS / "report-top.png"
    page.screenshot(
        path=top,
        full_page=True,
        clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": height},
    )
    assert png_size(top) == (VIEWPORT["width"], height)
    assert top.stat().st_size > 20_000, "the top of the report looks blank"


def test_an_edit_reaches_the_open_preview_page(browser, mini):
    """Against `reportkit preview`: the open page reloads itself after a content edit, and a
    broken edit shows the terminal's message over the last good report."""
    from tests.preview_server import PreviewProcess

    server = PreviewProcess(mini)
    try:
        page = browser.new_page()
        page.goto(server.url)
        page.wait_for_selector("text=A short report used by the tests.")
        intro = mini / "content" / "intro.qmd"
        intro.write_text(
            intro.read_text().replace("A short report used by the tests.", "Changed in the editor.")
        )
        page.wait_for_selector("text=Changed in the editor.", timeout=180_000)
        intro.write_text(intro.read_text() + "\n{{< var facts.nowhere >}}\n")
        overlay = page.wait_for_selector("#reportkit-error", timeout=180_000)
        assert "content/intro.qmd:13:1: unknown var key 'facts.nowhere'" in overlay.inner_text()
        assert page.is_visible("text=Changed in the editor.")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "preview-error-overlay.png"))
        page.close()
    finally:
        server.stop()


def test_lettered_lists_show_lower_case_letters(reader):
    """Browsers match ol[type] case-insensitively; the markers must still be (a), not (A)."""
    content = reader.page.evaluate(
        """() => getComputedStyle(
            document.querySelector('.list-two-parens.list-lower-alpha li'), '::before'
        ).content"""
    )
    assert "lower-alpha" in content and "upper-alpha" not in content


def test_the_contents_mark_the_section_being_read(reader):
    page = reader.page
    page.locator("nav#TOC a[href='#sec-analysis']").click()
    page.wait_for_function(
        "document.querySelector(\"nav#TOC a[href='#sec-analysis']\")"
        ".getAttribute('aria-current') === 'true'",
        timeout=TIMEOUT_MS,
    )
    assert page.locator("nav#TOC a[aria-current='true']").count() == 1


# --- accessibility (WCAG 2.2 AA) and weight -----------------------------------------------------

AXE = ROOT / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
WIDTHS = {"desktop": VIEWPORT, "phone": PHONE}
# Where each part of the page is drawn, in reading order (cover banner, contents, report, imprint).
REGIONS = "header.cover, nav#TOC, main, section.imprint"
MIN_CHART_LABEL_PX = 9
MAX_PAGE_BYTES = 1_000_000


@pytest.fixture(scope="module")
def axe_script() -> str:
    if not AXE.is_file():
        reason = f"{AXE} is missing: run `npm ci --prefix tests/axe` (make test does)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, so the accessibility tests must run", pytrace=False)
        pytest.skip(reason)
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def example_sandstone(tmp_path_factory) -> Path:
    """The example report rendered in the other built-in brand."""
    from tests.conftest import PROJECT_ENTRIES, copy_project, run_reportkit
    from tests.test_errors import replace_in

    root = copy_project(ROOT, tmp_path_factory.mktemp("sandstone"), PROJECT_ENTRIES)
    replace_in(root / "_quarto.yml", "brands/harbour/", "brands/sandstone/")
    proc = run_reportkit("render", root)
    assert proc.returncode == 0, proc.stderr
    return root / "_output" / "report.html"


@pytest.fixture(params=["harbour", "sandstone"])
def branded(request, example) -> Path:
    if request.param == "harbour":
        return example.html
    return request.getfixturevalue("example_sandstone")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_axe_finds_no_violations(browser, branded, axe_script, width):
    """axe-core, every rule it runs by default (WCAG 2.0–2.2 A and AA, best practices)."""
    with opened(browser, branded, WIDTHS[width]) as reader:
        # Evaluated through the browser's debugger: the page's Content-Security-Policy lets no
        # inline script run (add_script_tag would be refused, as any injected script should).
        reader.page.evaluate(axe_script + "\n;void 0")
        violations = reader.page.evaluate(
            """async () => (await axe.run(document)).violations.map(v =>
                 `${v.id} (${v.impact}): ${v.nodes.length} node(s), e.g. ${v.nodes[0].target}`)"""
        )
        ran = reader.page.evaluate("async () => (await axe.run(document)).passes.length")
    assert ran > 20, "axe ran too few rules to mean anything"
    assert violations == [], "\n".join(violations)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_tab_order_follows_the_order_on_screen(browser, example, width):
    """Tab goes cover → contents → report → imprint, and down each of them, never back up."""
    with opened(browser, example.html, WIDTHS[width]) as reader:
        page = reader.page
        stops = []
        for _ in range(600):
            page.keyboard.press("Tab")
            stop = page.evaluate(
                """regions => {
                  const el = document.activeElement;
                  if (!el || el === document.body) return null;
                  const region = el.closest(regions);
                  const box = el.getBoundingClientRect();
                  return {
                    region: region ? region.tagName.toLowerCase() + (region.id ? '#' + region.id : '') : 'page',
                    top: Math.round(box.top + window.scrollY),
                    text: (el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 40),
                  };
                }""",
                REGIONS,
            )
            if stop is None or (stops and stop == stops[0]):
                break
            stops.append(stop)
    assert len(stops) > 50, stops
    order = ["page", "header#cover", "nav#TOC", "main#main", "section#imprint"]
    regions = [s["region"] for s in stops]
    assert regions == sorted(regions, key=order.index), "regions out of order: " + " → ".join(
        dict.fromkeys(regions)
    )
    assert stops[0]["text"] == "Skip to the report"
    assert regions[-1] == "section#imprint", "the imprint (drawn last) is reached last"
    for before, after in zip(stops, stops[1:], strict=False):
        if before["region"] == after["region"]:
            assert after["top"] >= before["top"] - 2, f"Tab goes back up: {before} → {after}"


def test_on_a_phone_only_wide_tables_scroll_not_the_page(browser, example):
    with opened(browser, example.html, PHONE) as reader:
        page = reader.page
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"
        programme = page.locator(".table-scroll:has(> #tbl-programme)")
        box = programme.first.evaluate("el => [el.scrollWidth, el.clientWidth]")
        assert box[0] > box[1], "the programme table scrolls inside its own box"
        assert programme.first.get_attribute("tabindex") == "0"


def test_on_a_phone_chart_labels_stay_legible(browser, example):
    with opened(browser, example.html, PHONE) as reader:
        sizes = reader.page.evaluate(
            """() => [...document.querySelectorAll('.chart-drawing svg')].map(svg => {
                 const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
                 const texts = [...svg.querySelectorAll('text')];
                 return [svg.closest('.vega-chart').dataset.chart,
                         Math.min(...texts.map(t => parseFloat(getComputedStyle(t).fontSize) * scale))];
               })"""
        )
    small = [
        f"{chart}: {size:.1f}px" for chart, size in sizes if round(size, 1) < MIN_CHART_LABEL_PX
    ]
    assert len(sizes) >= 6 and not small, f"chart text below {MIN_CHART_LABEL_PX}px: {small}"


def test_a_visible_link_downloads_the_pdf(reader, example):
    link = reader.page.get_by_role("link", name="Download PDF")
    assert link.is_visible()
    assert (example.html.parent / link.get_attribute("href")).resolve() == example.pdf.resolve()


def test_the_page_with_everything_it_loads_weighs_under_a_megabyte(reader):
    """HTML, stylesheets, scripts, images and fonts (WOFF2 subsets), after reading it all."""
    reader.scroll_through()
    reader.page.wait_for_load_state("networkidle")
    files = {
        Path(unquote(urlparse(url).path)) for url in reader.requests if url.startswith("file://")
    }
    fonts = [f for f in files if "/fonts/" in f.as_posix()]
    assert fonts and all(f.suffix == ".woff2" for f in fonts), fonts
    total = sum(f.stat().st_size for f in files)
    listing = "\n".join(f"{f.stat().st_size:>9} {f.name}" for f in sorted(files))
    assert total < MAX_PAGE_BYTES, f"the page loads {total} bytes:\n{listing}"

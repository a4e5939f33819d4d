"""Opens report.html pages in a real browser (Debian's headless Chromium through chromedriver)
and fails on any console error, any request that is not the page itself or a data: URL, any
failed load, and any chart or table that did not render; checks the explorer (hover and app
toggles), the page with scripts off, and that it prints on A4. Optionally saves a screenshot.

    python tests/browser/check_report.py RUN_DIR/report.html [OTHER/report.html ...] \
        [--screenshot docs/images/report.png]

The first page must be a `surge run` folder's (its summary.json says how many headline rows
and apps to expect); the others are checked for errors, requests, plots and tables only.
"""

import argparse
import base64
import json
import pathlib
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1200,900", "--hide-scrollbars"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def fail(page, message):
    print(f"FAIL {page}: {message}", file=sys.stderr)
    sys.exit(1)


def check_log(driver, page, url):
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    if errors:
        fail(page, f"console errors: {errors}")
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        method, params = message["method"], message.get("params", {})
        if method == "Network.requestWillBeSent":
            requested = params["request"]["url"]
            if requested != url and not requested.startswith("data:"):
                fail(page, f"the page requested {requested}")
        if method == "Network.loadingFailed":
            fail(page, f"a load failed: {params}")


def rendered_figures(driver):
    """(width, height) of every plot drawn in the page."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('figure svg')).map(function (s) {"
        " var r = s.getBoundingClientRect(); return [r.width, r.height]; });")


def check_common(driver, page):
    figures = rendered_figures(driver)
    if not figures:
        fail(page, "no plot rendered")
    for w, h in figures:
        if w < 300 or h < 150:
            fail(page, f"a plot rendered at {w}x{h} px")
    tables = driver.execute_script(
        "return Array.from(document.querySelectorAll('table')).map(function (t) {"
        " return [t.rows.length, t.getBoundingClientRect().height]; });")
    if not tables or any(rows < 2 or height < 20 for rows, height in tables):
        fail(page, f"a table did not render: {tables}")
    return len(figures), len(tables)


def check_run_page(driver, page, summary):
    figures, tables = check_common(driver, page)
    if figures != 3:
        fail(page, f"{figures} plots rendered, expected adoption, rate and regions")
    rows = driver.execute_script("return document.querySelectorAll('table.headline tbody tr').length")
    if rows != len(summary["headline"]):
        fail(page, f"headline table has {rows} rows, summary.json {len(summary['headline'])}")
    readings = driver.execute_script(
        "return Array.from(document.querySelectorAll('figcaption .reading')).map(function (r) {"
        " return r.textContent; });")
    if not any("peak sign-ups" in r and "90% of runs between" in r for r in readings):
        fail(page, f"no reading of the peak rate: {readings}")
    apps = len(summary["apps"])
    drawn = driver.execute_script("return document.querySelectorAll('#explore polyline').length")
    if drawn != apps:
        fail(page, f"the explorer draws {drawn} curves for {apps} apps")
    # Toggle the first app off: one curve fewer.
    driver.execute_script("document.querySelector('#explore .apps input').click()")
    if driver.execute_script("return document.querySelectorAll('#explore polyline').length") != apps - 1:
        fail(page, "unticking an app did not hide its curve")
    driver.execute_script("document.querySelector('#explore .apps input').click()")
    # Hover in the middle of the chart: the readout names every app's median.
    readout = driver.execute_script(
        "var svg = document.querySelector('#explore svg');"
        "var hit = svg.querySelector('rect[fill=transparent]');"
        "var r = svg.getBoundingClientRect();"
        "hit.dispatchEvent(new MouseEvent('mousemove', {clientX: r.left + r.width / 2,"
        " clientY: r.top + r.height / 2, bubbles: true}));"
        "return document.querySelector('#explore .readout').textContent;")
    for app in summary["apps"]:
        if f"{app['name']}: median" not in readout:
            fail(page, f"hovering does not read {app['name']}: {readout!r}")
    return figures, tables


def check_scripts_off(driver, page, url):
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    driver.get(url)
    figures = [(e.size["width"], e.size["height"])
               for e in driver.find_elements(By.CSS_SELECTOR, "figure svg")]
    explorer = [e.is_displayed() for e in driver.find_elements(By.CSS_SELECTOR, ".js-only")]
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    if len(figures) != 3 or any(w < 300 for w, _ in figures):
        fail(page, f"with scripts off the plots do not render: {figures}")
    if not explorer or any(explorer):
        fail(page, "with scripts off the explorer (which needs them) is shown")


def check_print(driver, page):
    pdf = driver.execute_cdp_cmd("Page.printToPDF", {
        "paperWidth": 8.27, "paperHeight": 11.69, "printBackground": False})
    data = base64.b64decode(pdf["data"])
    pages = data.count(b"/Type /Page") - data.count(b"/Type /Pages")
    if len(data) < 20_000 or pages < 2:
        fail(page, f"printing on A4 gives {pages} pages, {len(data)} bytes")
    return pages


def screenshot(driver, path):
    height = driver.execute_script("return document.documentElement.scrollHeight")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": 1200, "height": min(height, 2400), "scale": 1}})
    data = base64.b64decode(shot["data"])
    if len(data) < 50_000:
        fail(str(path), f"the screenshot is {len(data)} bytes: a blank page?")
    pathlib.Path(path).write_bytes(data)
    return len(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("pages", nargs="+")
    parser.add_argument("--screenshot")
    args = parser.parse_args()
    driver = browser()
    try:
        for i, page in enumerate(args.pages):
            path = pathlib.Path(page).resolve()
            url = path.as_uri()
            driver.get(url)
            if driver.execute_script("return document.readyState") != "complete":
                fail(page, "the page did not finish loading")
            # A script put into a plot's SVG on disk (as the CI does for one page) must not run.
            if driver.execute_script("return typeof window.__surge_injected") != "undefined":
                fail(page, "a script injected into the folder's SVG ran")
            if i == 0:
                summary = json.loads((path.parent / "summary.json").read_text())
                figures, tables = check_run_page(driver, page, summary)
                pages = check_print(driver, page)
                if args.screenshot:
                    size = screenshot(driver, args.screenshot)
                    print(f"screenshot: {args.screenshot} ({size} bytes)")
                check_log(driver, page, url)
                check_scripts_off(driver, page, url)
                check_log(driver, page, url)
                print(f"ok: {page}: {figures} plots, {tables} tables, explorer, scripts off, {pages} A4 pages")
            else:
                figures, tables = check_common(driver, page)
                check_log(driver, page, url)
                print(f"ok: {page}: {figures} plots, {tables} tables")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()

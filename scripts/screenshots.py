"""Screenshots of portal pages in headless Chromium, to look at a page as a person would.

Usage: python scripts/screenshots.py BASE_URL OUT_DIR PATH [PATH ...] [--login EMAIL]
[--password P] [--widths 1280,390]. Each PATH becomes OUT_DIR/<name>-<width>.png (full page).
"""

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("base_url")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--login")
    parser.add_argument("--password", default="demo password 1")
    parser.add_argument("--widths", default="1280,390")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    options = parser.parse_args()
    options.out_dir.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=options.chromium, args=ARGS)
        for width in (int(w) for w in options.widths.split(",")):
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            if options.login:
                page.goto(f"{options.base_url}/login")
                page.get_by_label("Email").fill(options.login)
                page.get_by_label("Password").fill(options.password)
                page.get_by_role("button", name="Log in").click()
            for path in options.paths:
                page.goto(f"{options.base_url}{path}")
                name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
                target = options.out_dir / f"{name}-{width}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()

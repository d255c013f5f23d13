#!/usr/bin/env bash
# Install the Debian/Ubuntu packages reportkit needs, if any are missing:
#   pango (WeasyPrint's text layout), python3-venv, poppler-utils (pdftoppm, to look at pages).
# With the argument "test", also chromium: the browser that tests/test_browser.py drives with
# Playwright (never a downloaded browser), and npm (unless a Node.js with npm is there already),
# which installs axe-core, the accessibility checker the browser test injects. Ubuntu ships chromium as a snap only; install it there
# with `snap install chromium`; outside CI the browser test skips when chromium is missing.
set -euo pipefail
packages=(libpango-1.0-0 libpangoft2-1.0-0 python3-venv poppler-utils)
[ "${1:-}" = "test" ] && packages+=(chromium)
[ "${1:-}" = "test" ] && ! command -v npm >/dev/null && packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing system packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"

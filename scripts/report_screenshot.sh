#!/usr/bin/env bash
# Renders a run's report.html in headless Chromium (Debian's chromium) and saves a full-page PNG.
#   scripts/report_screenshot.sh RUN_DIR [OUT.png]
set -euo pipefail
run="${1:?usage: scripts/report_screenshot.sh RUN_DIR [OUT.png]}"
out="${2:-$run/report.png}"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$profile" --hide-scrollbars --window-size=1200,3000 \
  --screenshot="$out" "file://$(cd "$run" && pwd)/report.html" 2>/dev/null
echo "wrote $out"

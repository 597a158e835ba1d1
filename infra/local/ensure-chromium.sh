#!/usr/bin/env bash
# Installs Debian's chromium so browser tests can drive it via playwright-core (executablePath):
# Playwright's own browser download needs the internet, apt does not.
# Idempotent: if a working binary is already there it prints one line and exits (~0.05 s).
set -euo pipefail

log() { echo "[chromium] $*" >&2; }

# Already usable? CHROMIUM_PATH first, then the usual Debian path. `--version` proves it runs.
for candidate in "${CHROMIUM_PATH:-}" /usr/bin/chromium; do
  if [[ -n "$candidate" && -x "$candidate" ]] && version=$("$candidate" --version 2>/dev/null); then
    log "present: $version ($candidate)"
    exit 0
  fi
done

if ! command -v apt-get >/dev/null 2>&1; then
  log "ERROR: no usable chromium (CHROMIUM_PATH='${CHROMIUM_PATH:-}', /usr/bin/chromium) and apt-get is not available;"
  log "       install chromium another way and point CHROMIUM_PATH at it"
  exit 1
fi

sudo=()
if [[ "$(id -u)" -ne 0 ]]; then
  if ! command -v sudo >/dev/null 2>&1; then
    log "ERROR: not root and sudo is not available; cannot apt-get install chromium"
    exit 1
  fi
  sudo=(sudo)
fi

# chromium pulls in fontconfig, whose first choice of font is fonts-dejavu-core; it is named here
# so a font with å/ä/ö is guaranteed (with no font at all, screenshots show no text).
packages=(chromium fonts-dejavu-core)
log "installing ${packages[*]} with apt-get (takes ~20 s)"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if ! { "${sudo[@]}" apt-get update -q &&
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${packages[@]}"; } >"$out" 2>&1; then
  cat "$out" >&2
  log "ERROR: apt-get failed (output above)"
  exit 1
fi

if ! version=$(/usr/bin/chromium --version 2>/dev/null); then
  log "ERROR: chromium was installed but '/usr/bin/chromium --version' fails"
  exit 1
fi
log "installed: $version (/usr/bin/chromium)"
if [[ -n "${CHROMIUM_PATH:-}" && "$CHROMIUM_PATH" != /usr/bin/chromium ]]; then
  log "note: CHROMIUM_PATH=$CHROMIUM_PATH is not usable; use /usr/bin/chromium instead"
fi

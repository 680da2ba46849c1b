#!/usr/bin/env bash
# Makes sure the Debian packages a step needs are present: installs them when run as root,
# otherwise says in one line how to install them. Usage: system-deps.sh gettext chromium ...
set -euo pipefail

missing=()
for need in "$@"; do
  case "$need" in
    gettext)  command -v msgfmt >/dev/null && command -v xgettext >/dev/null || missing+=(gettext) ;;
    chromium) command -v chromium >/dev/null || missing+=(chromium) ;;
    fonts)    fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk) ;;
    postgres) bindir="$(pg_config --bindir 2>/dev/null || true)"
              if [[ -z "$bindir" || ! -x "$bindir/initdb" ]] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
                missing+=(postgresql)
              fi ;;
    *) echo "system-deps.sh: unknown need '$need'" >&2; exit 2 ;;
  esac
done

if [[ ${#missing[@]} -eq 0 ]]; then exit 0; fi
if [[ "$(id -u)" -eq 0 ]]; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing Debian packages; install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

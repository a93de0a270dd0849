#!/usr/bin/env bash
# System packages from Debian that Shidian uses. Installs the missing ones when run as root;
# otherwise says what to install and carries on (.docx still works without LibreOffice).
#   scripts/system-deps.sh documents   LibreOffice, UNO, CJK fonts, poppler (PDFs)
#   scripts/system-deps.sh test        the above + Chromium for browser tests + gettext
#                                      + the PostgreSQL client (pg_dump, pg_restore: backup tests)
#   scripts/system-deps.sh backup      the above documents set + the PostgreSQL client, for
#                                      `shidian backup` / `restore` on PostgreSQL (docs/deploy.md)
set -uo pipefail

documents=(libreoffice-writer-nogui libreoffice-calc-nogui python3-uno fonts-noto-cjk
           fonts-noto-cjk-extra fonts-arphic-ukai poppler-utils gettext)
testing=(chromium postgresql-client nginx)  # nginx: the loopback scale-path test
backup=(postgresql-client)

wanted=("${documents[@]}")
[ "${1:-documents}" = "test" ] && wanted+=("${testing[@]}")
[ "${1:-documents}" = "backup" ] && wanted+=("${backup[@]}")

missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || true
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || { echo "apt-get could not install: ${missing[*]}" >&2; exit 1; }
else
  echo "Not installed: ${missing[*]}"
  echo "PDF output needs them; as root run: apt-get install ${missing[*]}"
  echo "(.docx documents work without them.)"
fi
exit 0

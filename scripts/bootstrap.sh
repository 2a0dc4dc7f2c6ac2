# Sourced by scripts/demo and scripts/test: a virtual environment with the project installed,
# and the Kafka broker's jars in the cache. Safe to run again: it only redoes what changed.
set -euo pipefail

pick_python() {
  # a name on PATH may be a pyenv shim without an installed version behind it: it fails (and
  # says so on stderr) when run, so every candidate is run quietly and skipped when it fails
  for exe in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$exe" ] && command -v "$exe" >/dev/null 2>&1 || continue
    if "$exe" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
      echo "$exe"; return
    fi
  done
  echo "aftershock: Python 3.11+ not found: install it or set PYTHON=/path/to/python3.11" >&2
  exit 2
}

VENV="${AFTERSHOCK_VENV:-.venv}"
case "$VENV" in /*) ;; *) VENV="$PWD/$VENV" ;; esac
if [ ! -x "$VENV/bin/python" ]; then
  python="$(pick_python)"
  echo "creating $VENV with $python" >&2
  "$python" -m venv "$VENV"
fi
stamp="$VENV/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)-${1:-run}"
if [ ! -f "$stamp" ]; then
  echo "installing aftershock and its dependencies into $VENV" >&2
  "$VENV/bin/python" -m pip install -q --upgrade pip
  if [ "${1:-run}" = dev ]; then extras='.[dev]'; else extras='.'; fi
  # setuptools notes every editable install with a warning that pip relays; nothing to act on
  PYTHONWARNINGS="ignore:Editable installation:UserWarning" "$VENV/bin/python" -m pip install -q -e "$extras"
  touch "$stamp"
fi
export PATH="$VENV/bin:$PATH"
aftershock kafka fetch >/dev/null

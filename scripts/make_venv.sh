#!/usr/bin/env bash
# Create the virtual environment; on a bare Debian/Ubuntu the venv module is a separate package.
set -euo pipefail
venv=${1:-.venv}
python=$(command -v python3 || true)
if [ -z "$python" ]; then
  echo "需要 Python 3.11 或更高版本（python3）。" >&2; exit 1
fi
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "需要 Python 3.11 或更高版本，当前为 $("$python" --version)。" >&2; exit 1; }
if ! "$python" -m venv "$venv" 2>/dev/null; then
  rm -rf "$venv"
  ver=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get update -q && apt-get install -y -q "python${ver}-venv" || apt-get install -y -q python3-venv
    "$python" -m venv "$venv"
  else
    echo "无法创建虚拟环境：请先安装 python${ver}-venv（sudo apt-get install python${ver}-venv）。" >&2; exit 1
  fi
fi

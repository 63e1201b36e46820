#!/usr/bin/env bash
# npm run pulumi-cli: build the real Pulumi CLI from Go modules, once per version.
#
# The version is the one tools/pulumi-cli/go.mod pins (pkg/v3 and sdk/v3 at the
# same version, go.sum committed beside it). The binaries are cached outside the
# clone, in ${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-greenapi/pulumi-cli/v<version>/;
# a later run that finds them only prints that directory.
#
# The directory holds:
#   pulumi                          the CLI (github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
#   pulumi-resource-pulumi-nodejs   a launcher for @pulumi/pulumi's dynamic provider,
#                                   resolved from the program's directory
# Not pulumi-language-nodejs: its Go module (never tagged) is not served by the
# module proxy this project can reach. Without it the CLI cannot run a Node
# program from a project directory (`pulumi up` there fails asking for the
# nodejs language plugin), but Automation API inline programs (LocalWorkspace
# with `program`) need no language host, and neither do login/stack/state
# commands. A pulumi-language-nodejs already on PATH is found as usual.
#
# The directory is the last line on stdout, progress goes to stderr, so:
#   PATH="$(npm run --silent pulumi-cli | tail -n1):$PATH"
set -euo pipefail

log() { printf 'pulumi-cli: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mod="$root/tools/pulumi-cli"

version=$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" { sub(/^v/, "", $2); print $2; exit }' "$mod/go.mod")
[ -n "$version" ] || die "no github.com/pulumi/pulumi/pkg/v3 requirement in $mod/go.mod"
sdk_version=$(awk '$1 == "github.com/pulumi/pulumi/sdk/v3" { sub(/^v/, "", $2); print $2; exit }' "$mod/go.mod")
[ "$sdk_version" = "$version" ] ||
	die "$mod/go.mod pins pkg/v3 v$version but sdk/v3 v$sdk_version: keep them at one version"

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-greenapi/pulumi-cli"
dir="$cache_root/v$version"
bins=(pulumi pulumi-resource-pulumi-nodejs)

# Prints the version a pulumi binary reports, without any network or user state.
reported_version() {
	local home
	home=$(mktemp -d)
	PULUMI_SKIP_UPDATE_CHECK=true PULUMI_HOME="$home" "$1" version 2>/dev/null | tr -d '\r' | tail -n1 || true
	rm -rf "$home"
}

complete() {
	local b
	for b in "${bins[@]}"; do [ -x "$1/$b" ] || return 1; done
	[ "$(reported_version "$1/pulumi")" = "v$version" ]
}

if complete "$dir"; then
	log "Pulumi CLI v$version is ready"
	printf '%s\n' "$dir"
	exit 0
fi

command -v go >/dev/null 2>&1 ||
	die "Go is not installed: install Go >= 1.26 or get the Pulumi CLI from Pulumi's installer, then put it on PATH"

mkdir -p "$cache_root"
# Built beside the cache directory, then renamed into place: a run that is
# interrupted leaves no half-filled v<version>/ behind.
tmp=$(mktemp -d "$cache_root/.build-v$version.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

export CGO_ENABLED=0
build() { # build <output name> <Go package>
	local start=$SECONDS
	log "building $1 v$version with $(go env GOVERSION) (the first build downloads ~300 modules and takes 10-20 minutes on 2 cores)..."
	(cd "$mod" && go build -trimpath -tags osusergo,grpcnotrace \
		-ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
		-o "$tmp/$1" "$2") ||
		die "go build of $2 failed (tools/pulumi-cli/go.mod needs Go >= $(awk '$1 == "go" { print $2; exit }' "$mod/go.mod"))"
	log "built $1 in $((SECONDS - start))s"
}
build pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

# The CLI runs this "bundled" plugin, from PATH or from its own directory, with
# the program's directory as the working directory.
cat >"$tmp/launcher" <<'EOF'
#!/bin/sh
# Pulumi's dynamic-provider plugin: @pulumi/pulumi's dynamic provider, as the
# program in the working directory resolves it.
script=$(node -e 'try { console.log(require.resolve("@pulumi/pulumi/cmd/dynamic-provider", { paths: [process.cwd()] })) } catch (e) { process.exit(1) }') || {
	echo "pulumi-resource-pulumi-nodejs: @pulumi/pulumi/cmd/dynamic-provider does not resolve from $(pwd)" >&2
	exit 1
}
exec node "$script" "$@"
EOF
install -m 0755 "$tmp/launcher" "$tmp/pulumi-resource-pulumi-nodejs"
rm -f "$tmp/launcher"
chmod 0755 "$tmp/pulumi"

got=$(reported_version "$tmp/pulumi")
[ "$got" = "v$version" ] || die "the built pulumi reports version '$got', not v$version"

chmod 0755 "$tmp"
if [ -e "$dir" ]; then
	# A stale or incomplete directory from an earlier run: set it aside first.
	old="$dir.old.$$"
	mv "$dir" "$old" && rm -rf "$old"
fi
mv "$tmp" "$dir"
trap - EXIT
complete "$dir" || die "could not move the build into $dir"
log "Pulumi CLI v$version installed in $dir"
printf '%s\n' "$dir"

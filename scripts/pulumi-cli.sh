#!/usr/bin/env bash
# npm run pulumi-cli: build the real Pulumi CLI and its Node, YAML, Go and
# Python language hosts from Go modules, once per version.
#
# The CLI's version is the one tools/pulumi-cli/go.mod pins (pkg/v3 and sdk/v3
# at the same version), each language host's the module its wrapper pins
# (tools/pulumi-language-{nodejs,yaml,go,python}/go.mod); each go.sum is committed
# beside its go.mod. The binaries are cached outside the clone, in
# ${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-greenapi/pulumi-cli/v<CLI version>-<key>/,
# <key> a hash of the layout and every pinned version: clones of different
# commits on one machine each get their own directory instead of rebuilding
# (and replacing) each other's under a running test suite. A later run that
# finds its directory complete only prints it.
#
# The directory holds:
#   pulumi                          the CLI (github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
#   pulumi-language-nodejs          the Node language host, from sdk/v3 v3.68.0
#                                   (github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs):
#                                   the host's own module, never tagged, is not
#                                   served by the module proxy this project
#                                   reaches, and v3.68.0 is the newest sdk/v3
#                                   that still carried it as a package. It runs
#                                   JS and TS programs from a project directory
#                                   (up, preview, refresh, destroy), but ignores
#                                   Pulumi.yaml runtime options (ts-node is always
#                                   on) and passes no root directory to the program
#   pulumi-language-yaml            the YAML language host, from
#                                   github.com/pulumi/pulumi-yaml v1.25.0
#                                   (cmd/pulumi-language-yaml)
#   pulumi-language-go              the Go language host, from sdk/v3 v3.66.0
#                                   (github.com/pulumi/pulumi/sdk/v3/go/pulumi-language-go):
#                                   its own module, sdk/go/pulumi-language-go/v3,
#                                   is refused by the module proxy like the Node
#                                   host's, and v3.66.0 is the newest sdk/v3 here
#                                   that still carried it as a package
#   pulumi-language-python          the Python language host, from sdk/v3 v3.68.0
#                                   (github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python),
#                                   the newest sdk/v3 carrying it, as for the Node host.
#                                   It runs the `python3` first on PATH (an activated
#                                   virtual environment: the CLI passes it no runtime
#                                   options) on the script beside it:
#   pulumi-language-python-exec     the host's program runner, copied from the same
#                                   sdk/v3 module (python/cmd/) in the Go module cache
#   pulumi-gen-sdk                  the SDK generator for provider/plugin/schema.json: Go,
#                                   Node.js and Python (tools/pulumi-gen-sdk: Pulumi's own code
#                                   generators at the CLI's version; `pulumi package gen-sdk`
#                                   needs newer language hosts than the ones above)
#   pulumi-gen-sdk-dotnet           the C# SDK generator (tools/pulumi-gen-sdk-dotnet: Pulumi's C#
#                                   code generator from pkg/v3 v3.225.1, the last that carried it
#                                   and the module proxy here serves)
#   pulumi-resource-pulumi-nodejs   a launcher for @pulumi/pulumi's dynamic provider,
#                                   resolved from the program's directory
#   .pulumi-greenapi                the cache layout and the versions above
# A build also compiles Pulumi's Go SDK at the CLI's version into Go's own build
# cache, so that Go programs built against it later start from a warm cache.
# The CLI prefers plugins beside it, so put the directory first on PATH.
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

# pinned <wrapper module dir> <module>: the version of <module> its go.mod requires.
pinned() {
	local got
	got=$(awk -v m="$2" '$1 == m { sub(/^v/, "", $2); print $2; exit }' "$1/go.mod")
	[ -n "$got" ] || die "no $2 requirement in $1/go.mod"
	printf '%s\n' "$got"
}
host_mod="$root/tools/pulumi-language-nodejs"
host_version=$(pinned "$host_mod" github.com/pulumi/pulumi/sdk/v3)
yaml_mod="$root/tools/pulumi-language-yaml"
yaml_version=$(pinned "$yaml_mod" github.com/pulumi/pulumi-yaml)
go_mod="$root/tools/pulumi-language-go"
go_version=$(pinned "$go_mod" github.com/pulumi/pulumi/sdk/v3)
python_mod="$root/tools/pulumi-language-python"
python_version=$(pinned "$python_mod" github.com/pulumi/pulumi/sdk/v3)
gen_mod="$root/tools/pulumi-gen-sdk"
gen_version=$(pinned "$gen_mod" github.com/pulumi/pulumi/pkg/v3)
dotnet_gen_mod="$root/tools/pulumi-gen-sdk-dotnet"
dotnet_gen_version=$(pinned "$dotnet_gen_mod" github.com/pulumi/pulumi/pkg/v3)
# The SDK generators are this project's own code: their sources are part of their identity.
own_id() { printf '%s+%s\n' "$2" "$(cat "$1"/*.go "$1/go.mod" "$1/go.sum" | sha256sum | cut -c1-8)"; }
gen_id=$(own_id "$gen_mod" "$gen_version")
dotnet_gen_id=$(own_id "$dotnet_gen_mod" "$dotnet_gen_version")

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-greenapi/pulumi-cli"
bins=(pulumi pulumi-language-nodejs pulumi-language-yaml pulumi-language-go pulumi-language-python pulumi-language-python-exec pulumi-gen-sdk pulumi-gen-sdk-dotnet pulumi-resource-pulumi-nodejs)
# Written last into a finished directory; a directory without it, or with other
# versions (an older layout, a changed go.mod), is rebuilt. Bump the layout when
# the set of files changes.
stamp=.pulumi-greenapi
stamp_text="layout 6
pulumi v$version
pulumi-language-nodejs v$host_version
pulumi-language-yaml v$yaml_version
pulumi-language-go v$go_version
pulumi-language-python v$python_version
pulumi-language-python-exec v$python_version
pulumi-gen-sdk v$gen_id
pulumi-gen-sdk-dotnet v$dotnet_gen_id"
dir="$cache_root/v$version-$(printf '%s' "$stamp_text" | sha256sum | cut -c1-8)"

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
	[ "$(cat "$1/$stamp" 2>/dev/null)" = "$stamp_text" ] || return 1
	[ "$(reported_version "$1/pulumi")" = "v$version" ]
}

if complete "$dir"; then
	log "Pulumi CLI v$version (language hosts: Node v$host_version, YAML v$yaml_version, Go v$go_version, Python v$python_version) is ready"
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
build() { # build <wrapper module dir> <version> <output name> <Go package> <note> [version variable]
	local start=$SECONDS
	log "building $3 v$2 with $(go env GOVERSION) ($5)..."
	(cd "$1" && go build -trimpath -tags osusergo,grpcnotrace \
		-ldflags "-s -w -X ${6:-github.com/pulumi/pulumi/sdk/v3/go/common/version.Version}=v$2" \
		-o "$tmp/$3" "$4") ||
		die "go build of $4 failed (${1#"$root"/}/go.mod needs Go >= $(awk '$1 == "go" { print $2; exit }' "$1/go.mod"))"
	log "built $3 in $((SECONDS - start))s"
}
# reuse <name> <version>: copies the binary at that version from a finished
# directory of this CLI version (another layout or set of hosts), if any: its
# stamp names what it holds.
reuse() {
	local other
	for other in "$cache_root/v$version" "$cache_root/v$version"-*; do
		[ -x "$other/$1" ] && grep -qxF "$1 v$2" "$other/$stamp" 2>/dev/null || continue
		log "reusing $1 v$2 from $other"
		cp "$other/$1" "$tmp/$1"
		return 0
	done
	return 1
}
if ! reuse pulumi "$version"; then
	build "$mod" "$version" pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
		"the first build downloads ~300 modules and takes 10-20 minutes on 2 cores"
fi
reuse pulumi-language-nodejs "$host_version" ||
	build "$host_mod" "$host_version" pulumi-language-nodejs github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
		"the first build downloads ~60 modules and takes about a minute"
reuse pulumi-language-yaml "$yaml_version" ||
	build "$yaml_mod" "$yaml_version" pulumi-language-yaml github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml \
		"the first build downloads ~100 modules and takes a few minutes" github.com/pulumi/pulumi-yaml/pkg/version.Version
reuse pulumi-language-go "$go_version" ||
	build "$go_mod" "$go_version" pulumi-language-go github.com/pulumi/pulumi/sdk/v3/go/pulumi-language-go \
		"the first build downloads ~60 modules and takes about a minute"
reuse pulumi-language-python "$python_version" ||
	build "$python_mod" "$python_version" pulumi-language-python github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python \
		"the first build downloads ~60 modules and takes about a minute"
# The host runs programs through this script, found beside its own executable:
# the one of the host's version, from the sdk/v3 module (downloaded by the
# build, or now if the host was reused).
if ! reuse pulumi-language-python-exec "$python_version"; then
	sdk_dir=$(cd "$python_mod" && go mod download -json "github.com/pulumi/pulumi/sdk/v3@v$python_version" |
		awk -F'"' '$2 == "Dir" { print $4; exit }')
	[ -f "$sdk_dir/python/cmd/pulumi-language-python-exec" ] ||
		die "no python/cmd/pulumi-language-python-exec in github.com/pulumi/pulumi/sdk/v3@v$python_version (module directory: '$sdk_dir')"
	log "copying pulumi-language-python-exec v$python_version from $sdk_dir"
	cp "$sdk_dir/python/cmd/pulumi-language-python-exec" "$tmp/pulumi-language-python-exec"
fi
reuse pulumi-gen-sdk "$gen_id" ||
	build "$gen_mod" "$gen_version" pulumi-gen-sdk . "Pulumi's code generators; a minute or two after the CLI's build"
reuse pulumi-gen-sdk-dotnet "$dotnet_gen_id" ||
	build "$dotnet_gen_mod" "$dotnet_gen_version" pulumi-gen-sdk-dotnet . \
		"Pulumi's C# code generator from an older pkg/v3: its modules' download and build take a few minutes"

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
# Module cache files are read-only: the copied exec script too.
chmod 0755 "$tmp/pulumi" "$tmp/pulumi-language-nodejs" "$tmp/pulumi-language-yaml" "$tmp/pulumi-language-go" \
	"$tmp/pulumi-language-python" "$tmp/pulumi-language-python-exec" "$tmp/pulumi-gen-sdk" "$tmp/pulumi-gen-sdk-dotnet"

# Go programs (the Go SDK's test, a Go user's program) compile Pulumi's Go SDK on
# their first build: minutes of CPU on 2 cores. Compiled once here, with the
# settings the Go host and `go build` use (cgo as Go defaults), it is in Go's
# build cache when a test or a user first builds against the CLI's sdk/v3.
warm_go_sdk() {
	local start=$SECONDS warm
	warm=$(mktemp -d)
	log "compiling Pulumi's Go SDK v$version into Go's build cache (a few minutes the first time)..."
	printf 'module greenapi-go-sdk-warm\n\ngo 1.26\n\nrequire github.com/pulumi/pulumi/sdk/v3 v%s\n' "$version" >"$warm/go.mod"
	printf 'package main\n\nimport (\n\t_ "github.com/blang/semver"\n\t"github.com/pulumi/pulumi/sdk/v3/go/pulumi"\n)\n\nfunc main() { pulumi.Run(func(*pulumi.Context) error { return nil }) }\n' >"$warm/main.go"
	# Only a head start: the CLI works without it, so a failure is reported, not fatal.
	if (cd "$warm" && env -u CGO_ENABLED go mod tidy && env -u CGO_ENABLED go build -o /dev/null . && env -u CGO_ENABLED go vet .); then
		log "compiled Pulumi's Go SDK in $((SECONDS - start))s"
	else
		log "warning: could not compile Pulumi's Go SDK v$version ahead of time; Go programs will compile it on their first build"
	fi
	rm -rf "$warm"
}
warm_go_sdk

got=$(reported_version "$tmp/pulumi")
[ "$got" = "v$version" ] || die "the built pulumi reports version '$got', not v$version"
printf '%s\n' "$stamp_text" >"$tmp/$stamp"

chmod 0755 "$tmp"
if [ -e "$dir" ]; then
	# A stale or incomplete directory from an earlier run: set it aside first.
	old="$dir.old.$$"
	mv "$dir" "$old" && rm -rf "$old"
fi
mv "$tmp" "$dir"
trap - EXIT
complete "$dir" || die "could not move the build into $dir"
log "Pulumi CLI v$version and its language hosts (Node v$host_version, YAML v$yaml_version, Go v$go_version, Python v$python_version) installed in $dir"
printf '%s\n' "$dir"

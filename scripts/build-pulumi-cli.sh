#!/usr/bin/env bash
# Builds the pinned Pulumi CLI that the end-to-end tests and the demo use, into <repo>/.pulumi-bin (gitignored):
#   pulumi                         the engine, from tools/pulumi-cli (pkg/v3 + sdk/v3, same release)
#   pulumi-language-nodejs         the Node.js language host, from tools/pulumi-cli/language-nodejs (sdk/v3 v3.68.0:
#                                  the proxy does not serve the host's own module, fallback F2; see that tools.go)
#   pulumi-language-yaml           the YAML language host, from tools/pulumi-cli/language-yaml (pulumi-yaml v1.25.0,
#                                  which pins its own pkg/sdk v3.206.0, hence its own module): the native plugin's
#                                  e2e tests run YAML programs (cold: about 6 minutes more on 2 busy cores)
#   pulumi-language-python(-exec)  the Python language host, from tools/pulumi-cli/language-python (sdk/v3 v3.79.0, the
#                                  last tag holding it), with its exec script from the same module, and python/: a venv
#                                  with the `pulumi` Python SDK of requirements.txt (pip; needs python3 with venv)
#   pulumi-resource-pulumi-nodejs  the dynamic-provider launcher, a small sh script written here (`exec node …`): it
#                                  runs @pulumi/pulumi/cmd/dynamic-provider from the program's own node_modules
# With the three side by side the CLI finds both plugins as "bundled" and never tries to download one.
#
# Only the Go module proxy is contacted (GOPROXY without `direct`). A cold build (empty module and build caches)
# took 17.5 minutes on 2 busy cores (1.7 GB module cache, 1.9 GB build cache); a re-run with the same pins
# exits in well under a second (the stamp in .pulumi-bin covers the pins, go.mod/go.sum, flags and launcher).
# Environment: PULUMI_CLI_FORCE=1 rebuilds even when the stamp matches.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
engine_module="$repo/tools/pulumi-cli"
host_module="$engine_module/language-nodejs"
yaml_module="$engine_module/language-yaml"
python_module="$engine_module/language-python"
bin="$repo/.pulumi-bin"
stamp="$bin/.stamp"
start=$(date +%s)

log() { echo "build-pulumi-cli [$(( $(date +%s) - start ))s] $*"; }
die() { echo "build-pulumi-cli: $*" >&2; exit 1; }

# The version a go.mod requires of a module, from either `require m v` or a line of a require block.
pin() {
  awk -v m="$2" '$1 == "require" && $2 == m { print $3; exit } $1 == m { print $2; exit }' "$1/go.mod"
}
pkg_version="$(pin "$engine_module" github.com/pulumi/pulumi/pkg/v3)"
sdk_version="$(pin "$engine_module" github.com/pulumi/pulumi/sdk/v3)"
host_version="$(pin "$host_module" github.com/pulumi/pulumi/sdk/v3)"
yaml_version="$(pin "$yaml_module" github.com/pulumi/pulumi-yaml)"
python_version="$(pin "$python_module" github.com/pulumi/pulumi/sdk/v3)"
[ -n "$pkg_version" ] && [ -n "$sdk_version" ] && [ -n "$host_version" ] && [ -n "$yaml_version" ] && [ -n "$python_version" ] \
  || die "cannot read the pins from the go.mod files of $engine_module, $host_module, $yaml_module and $python_module"
[ "$pkg_version" = "$sdk_version" ] \
  || die "tools/pulumi-cli pins pkg/v3 $pkg_version but sdk/v3 $sdk_version: they must be the same release"

version_var=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version
yaml_version_var=github.com/pulumi/pulumi-yaml/pkg/version.Version
build_flags=(-trimpath -tags osusergo,grpcnotrace)

# Everything that decides what ends up in .pulumi-bin: the pins, the module files, the flags, the launcher.
launcher='#!/bin/sh
# Pulumi Node.js dynamic-provider plugin: run the provider of the program'"'"'s own @pulumi/pulumi (cwd = program dir).
script=$(node -e "process.stdout.write(require.resolve('"'"'@pulumi/pulumi/cmd/dynamic-provider'"'"'))") || exit 1
exec node "$script" "$@"'
stamp_value="engine=$pkg_version host=$host_version yaml=$yaml_version python=$python_version $(
  { cat "$engine_module/go.mod" "$engine_module/go.sum" "$host_module/go.mod" "$host_module/go.sum" \
      "$yaml_module/go.mod" "$yaml_module/go.sum" "$python_module/go.mod" "$python_module/go.sum" \
      "$python_module/requirements.txt"
    echo "${build_flags[*]}" "$launcher"; } | sha256sum | cut -c1-16)"

install_launcher() {
  printf '%s\n' "$launcher" > "$bin/pulumi-resource-pulumi-nodejs.tmp"
  chmod 755 "$bin/pulumi-resource-pulumi-nodejs.tmp"
  mv -f "$bin/pulumi-resource-pulumi-nodejs.tmp" "$bin/pulumi-resource-pulumi-nodejs"
}

if [ -z "${PULUMI_CLI_FORCE:-}" ] && [ -x "$bin/pulumi" ] && [ -x "$bin/pulumi-language-nodejs" ] \
  && [ -x "$bin/pulumi-language-yaml" ] && [ -x "$bin/pulumi-language-python" ] && [ -x "$bin/python/bin/python" ] \
  && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_value" ]; then
  install_launcher
  log "up to date: $bin (pulumi $pkg_version, language hosts: nodejs from sdk $host_version, yaml $yaml_version, python from sdk $python_version)"
  exit 0
fi

command -v python3 >/dev/null && python3 -c 'import venv, ensurepip' 2>/dev/null \
  || die "python3 with the venv module is required (the Python e2e test's venv, see tools/pulumi-cli/language-python)"
command -v go >/dev/null || die "Go is required: the Pulumi CLI is built from the Go module proxy (see tools/pulumi-cli)"

# shellcheck source=go-build-env.sh
source "$repo/scripts/go-build-env.sh"
go_build_env

log "building pulumi $pkg_version, pulumi-language-nodejs (sdk $host_version) and pulumi-language-yaml $yaml_version with $(go version | cut -d' ' -f3)"
log "GOPROXY=$GOPROXY GOMODCACHE=$(go env GOMODCACHE) GOCACHE=$(go env GOCACHE)"
log "a cold build takes 15-20 minutes on 2 cores (about 2 GB in the module cache, 2 GB in the build cache)"

go_build_start

step() { # step <label> <module dir> <command...>
  local label="$1" dir="$2" t0
  shift 2
  t0=$(date +%s)
  log "$label ..."
  (cd "$dir" && "$@")
  log "$label done in $(( $(date +%s) - t0 ))s"
}

step "downloading the engine's modules" "$engine_module" go mod download
step "downloading the language host's modules" "$host_module" go mod download
step "downloading the YAML language host's modules" "$yaml_module" go mod download
step "downloading the Python language host's modules" "$python_module" go mod download
step "compiling pulumi $pkg_version" "$engine_module" go build "${build_flags[@]}" \
  -ldflags "-s -w -X $version_var=$pkg_version" -o "$work/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
step "compiling pulumi-language-nodejs (sdk $host_version)" "$host_module" go build "${build_flags[@]}" \
  -ldflags "-s -w -X $version_var=$host_version" -o "$work/pulumi-language-nodejs" \
  github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
step "compiling pulumi-language-yaml $yaml_version" "$yaml_module" go build "${build_flags[@]}" \
  -ldflags "-s -w -X $yaml_version_var=$yaml_version" -o "$work/pulumi-language-yaml" \
  github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml
step "compiling pulumi-language-python (sdk $python_version)" "$python_module" go build "${build_flags[@]}" \
  -ldflags "-s -w -X $version_var=$python_version" -o "$work/pulumi-language-python" \
  github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python
python_src="$(cd "$python_module" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)/python/cmd/pulumi-language-python-exec"
install -m 755 "$python_src" "$work/pulumi-language-python-exec"

built="$("$work/pulumi" version)"
[ "$built" = "$pkg_version" ] || die "the new pulumi reports version '$built', expected $pkg_version"
mv -f "$work/pulumi" "$work/pulumi-language-nodejs" "$work/pulumi-language-yaml" "$work/pulumi-language-python" \
  "$work/pulumi-language-python-exec" "$bin/"
# A venv records its own path, so it is made in place (the stamp, written last, covers it).
rm -rf "$bin/python"
step "creating the Python venv $bin/python (pip install -r requirements.txt)" "$python_module" \
  sh -c "python3 -m venv '$bin/python' && '$bin/python/bin/pip' install --quiet --disable-pip-version-check -r requirements.txt"
install_launcher
echo "$stamp_value" > "$stamp"
log "built into $bin: pulumi $built ($(du -h "$bin/pulumi" | cut -f1)), pulumi-language-nodejs ($(du -h "$bin/pulumi-language-nodejs" | cut -f1)), pulumi-language-yaml ($(du -h "$bin/pulumi-language-yaml" | cut -f1)), pulumi-language-python ($(du -h "$bin/pulumi-language-python" | cut -f1)) with python/, pulumi-resource-pulumi-nodejs"

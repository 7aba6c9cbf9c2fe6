#!/usr/bin/env bash
# Builds the pinned OpenTofu CLI that the Terraform-provider e2e tests use, into <repo>/.tofu-bin/tofu (gitignored),
# from the Go module proxy through the wrapper module tools/opentofu (it repeats OpenTofu's hcl/v2 replace, without
# which `go install github.com/opentofu/opentofu/cmd/tofu@<version>` fails).
# Measured: a cold build took 27 minutes on 2 cores shared with other Go builds (modules 1.7 min, compile 24 min;
# the issue measured about 6 minutes on 2 idle cores); with a warm Go build cache it compiles in about 25 s. A re-run
# with the same pins exits at once (the stamp in .tofu-bin covers the version, go.mod/go.sum and the flags).
# Environment: TOFU_FORCE=1 rebuilds even when the stamp matches.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
module="$repo/tools/opentofu"
bin="$repo/.tofu-bin"
stamp="$bin/.stamp"
start=$(date +%s)

log() { echo "build-tofu [$(( $(date +%s) - start ))s] $*"; }
die() { echo "build-tofu: $*" >&2; exit 1; }

version="$(awk '$1 == "require" && $2 == "github.com/opentofu/opentofu" { print $3; exit }
  $1 == "github.com/opentofu/opentofu" { print $2; exit }' "$module/go.mod")"
[ -n "$version" ] || die "cannot read the OpenTofu pin from $module/go.mod"
build_flags=(-trimpath)
# dev=no: report the release version ("OpenTofu v1.10.10"), not the module default "-dev".
ldflags="-s -w -X github.com/opentofu/opentofu/version.dev=no"
stamp_value="tofu=$version $( { cat "$module/go.mod" "$module/go.sum"; echo "${build_flags[*]} $ldflags"; } \
  | sha256sum | cut -c1-16)"

if [ -z "${TOFU_FORCE:-}" ] && [ -x "$bin/tofu" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_value" ]; then
  log "up to date: $bin/tofu (OpenTofu $version)"
  exit 0
fi

command -v go >/dev/null || die "Go is required: OpenTofu is built from the Go module proxy (see tools/opentofu)"

# shellcheck source=go-build-env.sh
source "$repo/scripts/go-build-env.sh"
go_build_env

log "building OpenTofu $version with $(go version | cut -d' ' -f3) (cold: 6-25 minutes on 2 cores, depending on load)"
go_build_start

t0=$(date +%s)
(cd "$module" && go mod download)
log "modules downloaded in $(( $(date +%s) - t0 ))s"
t0=$(date +%s)
(cd "$module" && go build "${build_flags[@]}" -ldflags "$ldflags" -o "$work/tofu" github.com/opentofu/opentofu/cmd/tofu)
log "compiled in $(( $(date +%s) - t0 ))s"

# Read all of its output (head would close the pipe early: SIGPIPE under pipefail); ignore CLI-config warnings.
built="$("$work/tofu" version 2>/dev/null | awk '/^OpenTofu v/ && !seen { print; seen = 1 }')"
[ "$built" = "OpenTofu $version" ] || die "the new tofu reports '$built', expected 'OpenTofu $version'"
mv -f "$work/tofu" "$bin/tofu"
echo "$stamp_value" > "$stamp"
log "built $bin/tofu: $built ($(du -h "$bin/tofu" | cut -f1))"

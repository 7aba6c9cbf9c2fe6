# Sourced by the tool builds (build-pulumi-cli.sh, build-tofu.sh) after they define `log`, `die`, `bin` and
# `stamp`: what every Go build from the module proxy here shares.

# Downloads from the module proxy only (drop `direct` and `off` from whatever GOPROXY says); static, reproducible.
go_build_env() {
  local proxy
  proxy="$(go env GOPROXY | tr ',|' '\n\n' | grep -vxE 'direct|off|' | paste -sd, - || true)"
  [ -n "$proxy" ] || die "GOPROXY names no module proxy (only direct/off): set it to the Go module proxy"
  export GOPROXY="$proxy"
  export CGO_ENABLED=0
  export GOFLAGS="-modcacherw -mod=readonly -buildvcs=false"
}

# Clears the stamp (a build cut short must not look finished), makes `$work` (a temporary folder under `$bin`) and
# prints a line a minute while Go compiles in silence, so a CI log shows progress; both go away on exit.
go_build_start() {
  mkdir -p "$bin"
  rm -f "$stamp"
  work="$(mktemp -d "$bin/.build.XXXXXX")"
  ( while sleep 60 </dev/null >/dev/null 2>&1; do log "... still working"; done ) &
  heartbeat=$!
  trap 'kill "$heartbeat" 2>/dev/null || true; rm -rf "$work"' EXIT
}

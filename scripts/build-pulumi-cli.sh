#!/usr/bin/env bash
# Builds the pinned Pulumi CLI used by the end-to-end tests and the demo, into <repo>/.pulumi-bin:
#   pulumi                         the engine, built from the Go module proxy (tools/pulumi-cli/go.mod pins it)
#   pulumi-language-nodejs         our minimal Node.js language host (scripts/pulumi-language-nodejs.js): the proxy
#                                  does not serve Pulumi's language-host module (fallback F3 of the build notes)
#   pulumi-resource-pulumi-nodejs  the dynamic-provider plugin launcher: runs the program's @pulumi/pulumi
# A second run with the same pins reuses the binaries in seconds. Only the Go module proxy is contacted.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
module="$repo/tools/pulumi-cli"
bin="$repo/.pulumi-bin"
version="$(sed -n 's#^require github.com/pulumi/pulumi/pkg/v3 \(v[0-9.]*\)$#\1#p; s#^\tgithub.com/pulumi/pulumi/pkg/v3 \(v[0-9.]*\)$#\1#p' "$module/go.mod" | head -n1)"
[ -n "$version" ] || { echo "build-pulumi-cli: cannot read the pkg/v3 pin from $module/go.mod" >&2; exit 1; }

stamp_value="$version $(cat "$module/go.mod" "$module/go.sum" "$repo/scripts/pulumi-language-nodejs.js" "$0" | sha256sum | cut -c1-16)"
stamp="$bin/.stamp"
start=$(date +%s)

install_scripts() {
  install -m 755 "$repo/scripts/pulumi-language-nodejs.js" "$bin/pulumi-language-nodejs"
  cat > "$bin/pulumi-resource-pulumi-nodejs" <<'EOF'
#!/bin/sh
# Pulumi's Node.js dynamic-provider plugin: run the provider from the program's own @pulumi/pulumi.
script=$(node -e "process.stdout.write(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))") || exit 1
exec node "$script" "$@"
EOF
  chmod 755 "$bin/pulumi-resource-pulumi-nodejs"
}

if [ -x "$bin/pulumi" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_value" ]; then
  install_scripts
  echo "build-pulumi-cli: reusing $bin/pulumi ($version), $(( $(date +%s) - start ))s"
  exit 0
fi

command -v go >/dev/null || { echo "build-pulumi-cli: Go is required (the Pulumi engine is built from the Go module proxy)" >&2; exit 1; }
mkdir -p "$bin"
echo "build-pulumi-cli: building pulumi $version from the Go module proxy (a cold build takes 10-25 minutes on 2 cores)..."
(
  cd "$module"
  CGO_ENABLED=0 GOFLAGS=-modcacherw go build -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
    -o "$bin/" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
)
install_scripts
echo "$stamp_value" > "$stamp"
echo "build-pulumi-cli: built $("$bin/pulumi" version) in $(( $(date +%s) - start ))s"

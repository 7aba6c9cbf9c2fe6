//go:build tools

// Package tools pins the Python language host (`pulumi-language-python`) that scripts/build-pulumi-cli.sh
// installs beside the engine built from ../, for the native plugin's Python e2e test (examples/python).
//
// Why this version: the host's current module (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3)
// is refused by the Go module proxy, and sdk/v3 v3.79.0 is the last tagged release whose module still contains the
// host as a package. It needs `pulumi-language-python-exec` beside it (copied from the same module) and runs
// `python` from PATH: the build puts a venv with the `pulumi` Python SDK (requirements.txt) in .pulumi-bin/python.
package tools

import (
	_ "github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python"
)

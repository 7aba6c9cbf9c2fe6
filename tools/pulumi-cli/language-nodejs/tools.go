//go:build tools

// Package tools pins the Node.js language host (`pulumi-language-nodejs`) that scripts/build-pulumi-cli.sh
// installs beside the engine built from ../ (fallback F2 of the build notes).
//
// Why this version: the proxy does not serve the host's own module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3, untagged, 403 for every pseudo-version), and
// sdk/v3 v3.68.0 (May 2023) is the last tagged release whose module still contains the host as a package. The
// engine v3.274.1 drives it through the same LanguageRuntime gRPC service (it falls back to GetRequiredPlugins
// where newer hosts answer GetRequiredPackages), and the host starts the program with the program's own
// @pulumi/pulumi (`@pulumi/pulumi/cmd/run`), so the Node SDK in use is the project's, not 3.68.
package tools

import (
	_ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
)

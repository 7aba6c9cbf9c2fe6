//go:build tools

// Package tools pins the Pulumi CLI that scripts/build-pulumi-cli.sh builds from the Go module proxy for the
// end-to-end tests: the engine `pulumi` from pkg/v3, with sdk/v3 pinned to the same release.
//
// The Node.js language host is built by the nested module ./language-nodejs instead of here: the proxy answers
// 403 for every version of github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 (the untagged
// module the host lives in since May 2023), so the build takes the documented fallback F2 and builds the host
// from the last tagged sdk/v3 release that still contained it. One build list holds one sdk/v3, hence the
// second module.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
	_ "github.com/pulumi/pulumi/sdk/v3/go/common/version"
)

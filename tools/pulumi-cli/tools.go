//go:build tools

// Package tools pins the Pulumi CLI that the end-to-end tests build from the Go module proxy.
// The Node.js language host is not served by the proxy, so the project ships its own
// (scripts/pulumi-language-nodejs.js); only the engine comes from here.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)

//go:build tools

// Package tools pins the YAML language host (`pulumi-language-yaml`) that scripts/build-pulumi-cli.sh installs
// beside the engine built from ../, so the end-to-end tests can run YAML programs against the native plugin
// (bin/pulumi-resource-obproxy).
//
// Why a module of its own: pulumi-yaml v1.25.0 requires pkg/sdk v3.206.0, and one build list holds only one
// pkg/v3 and sdk/v3, so it cannot share the engine's (v3.274.1). The engine drives it over the LanguageRuntime
// gRPC service. v1.25.0 has no `Link`, so `pulumi package add` cannot edit a YAML project here: examples declare the
// plugin in Pulumi.yaml (`packages:`) instead.
package tools

import (
	_ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
)

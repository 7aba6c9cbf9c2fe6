//go:build tools

// Package tools pins the OpenTofu CLI that scripts/build-tofu.sh builds for the Terraform-provider e2e tests.
package tools

import _ "github.com/opentofu/opentofu/cmd/tofu"

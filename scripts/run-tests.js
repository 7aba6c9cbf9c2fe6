#!/usr/bin/env node
"use strict";
// Runs mocha on Node 24 from node_modules/.bin (npm scripts put it first on PATH). Arguments are test folders or
// files; without any, every tier runs: unit, integration (simulator), engine (plugin over gRPC), e2e (real CLI), and
// real (a real obshell agent: runs with OBSHELL_BIN=<path to an obshell binary>, otherwise says it was skipped).
const { spawnSync } = require("node:child_process");
const path = require("node:path");
const tiers = ["test/unit", "test/integration", "test/engine", "test/e2e", "test/real"];
const args = process.argv.slice(2);
const specs = (args.length ? args : tiers).map((a) => (a.endsWith(".ts") ? a : `${a.replace(/\/$/, "")}/**/*.test.ts`));
const mocha = path.join(__dirname, "..", "node_modules", "mocha", "bin", "mocha.js");
const result = spawnSync(process.execPath, [mocha, ...specs], { stdio: "inherit" });
process.exit(result.status === null ? 1 : result.status);

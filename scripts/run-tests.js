#!/usr/bin/env node
"use strict";
// Runs mocha on Node 24 from node_modules/.bin (npm scripts put it first on PATH), with the given
// spec folders or the .mocharc.json default.
const { spawnSync } = require("node:child_process");
const path = require("node:path");
const args = process.argv.slice(2).map((a) => (a.endsWith(".ts") ? a : `${a.replace(/\/$/, "")}/**/*.test.ts`));
const mocha = path.join(__dirname, "..", "node_modules", "mocha", "bin", "mocha.js");
const result = spawnSync(process.execPath, [mocha, ...args], { stdio: "inherit" });
process.exit(result.status === null ? 1 : result.status);

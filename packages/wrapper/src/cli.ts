#!/usr/bin/env node
import { Console } from "node:console";
import { createProgram } from "./program.js";

// stdout carries the JSON-RPC stream and nothing else: whatever a dependency logs goes to stderr.
globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });

await createProgram().parseAsync(process.argv);

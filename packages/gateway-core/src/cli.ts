#!/usr/bin/env node
import { tuneHeapForGateway } from "./observability/heap-tuning.js";

// Before the command's modules load: loading them is what first grows the young generation.
tuneHeapForGateway();
await import("./cli-program.js");

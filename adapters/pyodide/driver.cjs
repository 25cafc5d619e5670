#!/usr/bin/env node
// The sigconform driver for Pyodide on Node.js (spec/driver-protocol.md).
//
// Usage: node driver.cjs [--cache DIR] [--native FILE] describe
//        node driver.cjs [--cache DIR] [--native FILE] run [FILE]
//        node driver.cjs [--cache DIR] --native FILE serve
//        node driver.cjs [--cache DIR] prepare
//
// Pyodide is CPython compiled for wasm32-emscripten, a platform whose signals the documentation
// calls emulated. This driver runs the Python driver (adapters/python/driver.py) unchanged inside
// a fresh Pyodide interpreter in a worker thread (runtime.cjs), and keeps this main thread free
// to forward the real signals the process receives into the interpreter. `prepare` makes the
// caches that make a fresh interpreter cheap (loader.cjs) and exits; `describe` and `run` make
// them too when they are missing. DIR defaults to $SIGCONFORM_PYODIDE_CACHE, else `.cache`
// beside this file. `serve` is the fork-server (serve.cjs); it needs the native addon FILE
// (fork_server.c, built by meson), and `describe` offers it (`fork_server`) only when FILE
// loads. FILE defaults to $SIGCONFORM_PYODIDE_NATIVE.
//
// Like every driver it writes nothing on standard output or error itself, except one sentence
// on standard error when it cannot start at all (usage, a missing npm package); then it exits
// with status 2.
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const v8 = require("node:v8");
const { Worker } = require("node:worker_threads");

// Baseline WebAssembly code only: a case runs for a fraction of a second, and optimising
// Python's hot functions in the background costs more CPU than it gives back (measured with
// `scripts/bench --impl pyodide`). Set before the worker compiles the module.
v8.setFlagsFromString("--liftoff-only");

const loader = require("./loader.cjs");

// The real signals forwarded into the interpreter: every signal a process can catch, except
// the ones V8 itself relies on (SIGSEGV, SIGBUS, SIGILL, SIGFPE: WebAssembly traps; SIGPROF:
// its profiler; SIGABRT: a crash must stay a crash). Real-time signals cannot be listened to
// from Node.js: they keep their default action.
const FORWARDED = ["SIGHUP", "SIGINT", "SIGQUIT", "SIGTRAP", "SIGUSR1", "SIGUSR2", "SIGPIPE",
                   "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGTSTP", "SIGTTIN",
                   "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGWINCH",
                   "SIGIO", "SIGPWR", "SIGSYS"];

// The Python driver, which runs unchanged inside Pyodide.
const DRIVER_PATH = path.join(__dirname, "..", "python", "driver.py");

// The native addon of the fork-server, or null when it is not given or does not load (then
// `describe` does not offer a fork-server and every case runs by `run`).
function loadNative(file) {
  if (file === null) return null;
  try {
    return require(file);
  } catch (e) {
    return null;
  }
}

// Whether descriptor 4 is the /dev/null the native exec leaves there for `serve`.
function descriptor4IsReserved() {
  try {
    return fs.readlinkSync("/proc/self/fd/4") === "/dev/null";
  } catch (e) {
    return false;
  }
}

function refuse(message) {
  fs.writeSync(2, `sigconform pyodide driver: ${message}\n`);
  process.exit(2);
}

function parseArguments(argv) {
  const args = { cacheDir: process.env.SIGCONFORM_PYODIDE_CACHE || path.join(__dirname, ".cache"),
                 native: process.env.SIGCONFORM_PYODIDE_NATIVE || null,
                 command: null, file: null };
  let i = 0;
  while (argv[i] === "--cache" || argv[i] === "--native") {
    if (argv.length < i + 2) refuse(`${argv[i]} needs a value`);
    if (argv[i] === "--cache") args.cacheDir = path.resolve(argv[i + 1]);
    else args.native = path.resolve(argv[i + 1]);
    i += 2;
  }
  args.command = argv[i];
  if (!["describe", "run", "serve", "prepare"].includes(args.command) || argv.length > i + 2 ||
      (args.command !== "run" && argv.length > i + 1)) {
    refuse("usage: driver.cjs [--cache DIR] [--native FILE] describe | run [FILE] | serve | " +
           "prepare");
  }
  args.file = argv[i + 1] || null;
  return args;
}

// The case program: FILE, or descriptor SIGCONFORM_CASE_FD read to its end and closed.
function readProgram(args) {
  if (args.file !== null) return fs.readFileSync(args.file);
  const fd = process.env.SIGCONFORM_CASE_FD;
  if (fd === undefined) refuse("run: no FILE and no SIGCONFORM_CASE_FD");
  const data = fs.readFileSync(Number(fd));
  fs.closeSync(Number(fd));
  return data;
}

// Forwards real signals into the interrupt buffer, one at a time: the interpreter clears the
// buffer when it takes a signal, and the next one waits until then. Standard signals do not
// queue in the kernel either, so a signal already waiting here is not added twice; the lowest
// number goes first, as Linux delivers them.
class SignalBridge {
  constructor(buffer) {
    this.cell = new Int32Array(buffer);
    this.waiting = new Set();
    this.numbers = null;  // name -> number in the emulation, once the worker has said
    this.timer = null;
    this.listeners = new Map();
    for (const name of FORWARDED) {
      if (!(name in os.constants.signals)) continue;
      const listener = () => this.receive(name);
      try {
        process.on(name, listener);
        this.listeners.set(name, listener);
      } catch (e) {
        // A signal this Node.js refuses to listen to keeps its default action.
      }
    }
  }

  setNumbers(numbers) {
    this.numbers = numbers;
    this.pump();
  }

  receive(name) {
    this.waiting.add(name);
    this.pump();
  }

  pump() {
    if (this.numbers !== null && Atomics.load(this.cell, 0) === 0 && this.waiting.size > 0) {
      const byNumber = (a, b) => os.constants.signals[a] - os.constants.signals[b];
      const name = [...this.waiting].sort(byNumber)[0];
      this.waiting.delete(name);
      const number = this.numbers[name];
      if (number !== undefined) Atomics.store(this.cell, 0, number);
    }
    if (this.waiting.size > 0 && this.timer === null) {
      this.timer = setInterval(() => this.pump(), 1);
    } else if (this.waiting.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  // Gives the signal `name` its default action back.
  release(name) {
    const listener = this.listeners.get(name);
    if (listener !== undefined) process.removeListener(name, listener);
    this.listeners.delete(name);
  }
}

async function main() {
  const args = parseArguments(process.argv.slice(2));
  if (loader.pyodideVersion() === null) {
    refuse(`the npm package pyodide is not installed in ${path.dirname(loader.PACKAGE_DIR)} ` +
           "(scripts/setup runs npm ci there)");
  }
  if (args.command === "prepare") {
    await loader.prepare(args.cacheDir, process.env);
    return;
  }
  const native = loadNative(args.native);
  if (args.command === "serve") {
    if (native === null) refuse("serve needs the native addon (--native FILE)");
    if (!process.execArgv.includes("--single-threaded") || !descriptor4IsReserved()) {
      // V8 must never leave work half done on a thread that a fork would lose, and Node.js's
      // own descriptors must be above the case's five (fork_server.c, Exec).
      native.exec(process.execPath, [process.execPath, "--single-threaded", ...process.execArgv,
                                     __filename, ...process.argv.slice(2)]);
    }
    await require("./serve.cjs").serve(native, args.cacheDir, DRIVER_PATH, FORWARDED);
    return;
  }
  const program = args.command === "run" ? readProgram(args) : null;
  const obsFd = process.env.SIGCONFORM_OBS_FD === undefined ? 1 : Number(process.env.SIGCONFORM_OBS_FD);
  const interrupt = new SharedArrayBuffer(4);
  const bridge = new SignalBridge(interrupt);
  const worker = new Worker(path.join(__dirname, "runtime.cjs"), {
    workerData: {
      command: args.command,
      program,
      cacheDir: args.cacheDir,
      env: Object.assign({}, process.env),
      obsFd,
      interrupt,
      unavailable: [],
      driverPath: DRIVER_PATH,
      extra: { fork_server: native !== null && process.platform === "linux" },
    },
    stdout: false,
    stderr: false,
  });
  worker.on("message", (message) => {
    if (message.signals) bridge.setNumbers(message.signals);
    if (message.crash) {
      // The implementation crashed, not the driver: end the way CPython's own fatal errors
      // end a process, by SIGABRT (spec/driver-protocol.md), so the runner scores a crash.
      fs.writeSync(2, "sigconform pyodide driver: the Pyodide runtime crashed; " +
                      `ending by SIGABRT: ${message.crash.split("\n")[0]}\n`);
      process.kill(process.pid, "SIGABRT");
      process.abort();
    }
    if (message.failure) {
      fs.writeSync(2, `sigconform pyodide driver: the runtime failed: ${message.failure}\n`);
      process.exit(70);
    }
    if (message.end === "SIGINT") {
      bridge.release("SIGINT");
      process.kill(process.pid, "SIGINT");  // its default action now: the process ends by it
    } else if (message.end !== undefined) {
      process.exit(message.end);
    }
  });
  worker.on("error", (error) => {
    fs.writeSync(2, `sigconform pyodide driver: the runtime failed: ${error && error.stack}\n`);
    process.exit(70);
  });
}

main().catch((error) => {
  fs.writeSync(2, `sigconform pyodide driver: ${error && error.stack}\n`);
  process.exit(70);
});

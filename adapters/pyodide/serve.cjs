// The fork-server of the Pyodide driver (`driver.cjs serve`; spec/driver-protocol.md, "`serve`:
// the fork-server"). The server restores one interpreter from the memory snapshot, as `run`
// does, and then forks it for every case: the case's process starts from an interpreter that
// has run nothing (isolation "fork-server"), without paying again for what a new process
// pays (starting Node.js, compiling the WebAssembly module, instantiating and linking it,
// restoring the snapshot: most of a case's CPU time).
//
// What Node.js cannot do is done by the native addon (fork_server.c: forking, descriptors over
// the socket, the case's process set up as the runner's launch would). Python runs on the main
// thread, and a thread of the addon hands real signals to the interpreter. From the first
// request on, neither the server nor a case's process ever returns to Node.js's event loop:
// everything is synchronous up to the process's exit (fork_server.c says why).
"use strict";

const fs = require("node:fs");
const os = require("node:os");

const loader = require("./loader.cjs");
const { signalNumbers, installDriver, compileDriver, runCommand, runtimeExitStatus,
        isRuntimeCrash, writeConsoleAtOnce } = require("./case.cjs");

// The socket to the runner.
const SOCKET = 3;
// Descriptors a case gets: standard input, output, error, the records, the program.
const CASE_FDS = 5;
// Exit status when the host itself fails (driver.cjs).
const HOST_FAILED = 70;

// The descriptors the host has open itself (Node.js's event loop and the like), all above the
// five a case gets: driver.cjs reserves those before Node.js starts (fork_server.c, Exec).
function ownDescriptors() {
  const own = [];
  for (const name of fs.readdirSync("/proc/self/fd")) {
    const fd = Number(name);
    if (!(fd >= CASE_FDS)) continue;
    try {
      fs.fstatSync(fd);  // the listing's own descriptor is closed by now
      own.push(fd);
    } catch (e) {
      // closed
    }
  }
  return own;
}

function report(message) {
  try {
    fs.writeSync(2, `sigconform pyodide driver: ${message}\n`);
  } catch (e) {
    // Nothing else to say it with.
  }
}

// In the case's process, set up by the addon: runs the case and ends the process. Never returns.
function runForkedCase(native, pyodide, pairs, driverPath) {
  let end;
  try {
    const program = fs.readFileSync(4);
    fs.closeSync(4);
    const interrupt = new Int32Array(new SharedArrayBuffer(4));
    pyodide.setInterruptBuffer(interrupt);
    native.forwardSignals(interrupt, pairs);
    end = runCommand(pyodide, {
      command: "run",
      program,
      // The environment a `run` of the same case gets (the server's has no program).
      env: Object.assign({}, process.env, { SIGCONFORM_CASE_FD: "4" }),
      obsFd: 3,
      unavailable: [],
      driverPath,
      isolation: "fork-server",
      extra: {},
      installed: true,
    });
  } catch (error) {
    const status = runtimeExitStatus(error);
    if (status !== null) native.exit(status);
    const text = String((error && error.stack) || error);
    if (isRuntimeCrash(error)) {
      report(`the Pyodide runtime crashed; ending by SIGABRT: ${text.split("\n")[0]}`);
      native.endBySignal(os.constants.signals.SIGABRT);
    }
    report(`the runtime failed: ${text}`);
    native.exit(HOST_FAILED);
  }
  if (end === "SIGINT") native.endBySignal(os.constants.signals.SIGINT);
  native.exit(end);
}

// Serves requests until the runner closes the socket; exits the process then. `forwarded`: the
// names of the real signals handed to the interpreter (driver.cjs).
async function serve(native, cacheDir, driverPath, forwarded) {
  writeConsoleAtOnce();
  const { pyodide } = await loader.startInterpreter(cacheDir, process.env);
  const numbers = signalNumbers(pyodide);
  installDriver(pyodide, driverPath);
  compileDriver(pyodide);
  const pairs = forwarded.filter((name) => name in os.constants.signals && name in numbers)
                         .map((name) => [os.constants.signals[name], numbers[name]]);
  const own = ownDescriptors();
  for (;;) {
    const message = native.receive(SOCKET);
    if (message === null) native.exit(0);  // the runner closed the socket: the server's end
    let request = null;
    try {
      request = JSON.parse(message.text);
    } catch (e) {
      request = null;
    }
    if (message.truncated || message.fds.length < CASE_FDS || request === null ||
        typeof request !== "object" || !Number.isInteger(request.runner)) {
      for (const fd of message.fds) native.close(fd);
      native.send(SOCKET, JSON.stringify({ error: "a request the server does not understand" }));
      continue;
    }
    let inCase = false;
    try {
      inCase = native.forkCase(SOCKET, message.fds, request, own);
    } catch (e) {
      for (const fd of message.fds) native.close(fd);  // the fork failed, and said so
      continue;
    }
    if (inCase) runForkedCase(native, pyodide, pairs, driverPath);
  }
}

module.exports = { serve };

// One command of the Python driver in a fresh Pyodide interpreter, synchronously: shared by
// the worker of `run` and `describe` (runtime.cjs) and the case's process of `serve`
// (serve.cjs). What Pyodide has of its own (a descriptor table, a process table, an emulated
// signal state) is bridged to the real process as spec/driver-protocol.md ("A runtime with
// descriptors and signals of its own") describes:
//   - records: a device in Pyodide's file system whose writes go to the real observation
//     descriptor (3), one write per record, as the protocol asks;
//   - the case program: read by the host from descriptor 4, put into Pyodide's file system as
//     a file and passed to the driver as `run FILE`;
//   - standard output and error: raw writes to the real descriptors 1 and 2 (loader.cjs);
//     their errors (EPIPE when the reader is gone) come back to Python as the same errno;
//   - real signals: the host writes the signal's number into the interrupt buffer, which
//     CPython's Emscripten port checks while it runs bytecode and turns into a call of the
//     Python-level handler (PyErr_SetInterruptEx).
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const util = require("node:util");

const loader = require("./loader.cjs");

// Emscripten's errno for EIO, when a host error has no errno of its own.
const EIO = 29;

// Registers a character device at `file` in Pyodide's file system whose writes go to the real
// descriptor `fd` (and whose errors come back as the same errno).
function bridgeWriteDevice(pyodide, file, fd) {
  const FS = pyodide.FS;
  const codes = pyodide._module.ERRNO_CODES;
  const device = FS.makedev(64, 0);
  FS.registerDevice(device, {
    open() {},
    close() {},
    write(stream, buffer, offset, length) {
      try {
        return fs.writeSync(fd, buffer, offset, length);
      } catch (e) {
        throw new FS.ErrnoError((e && codes[e.code]) || EIO);
      }
    },
  });
  FS.mkdev(file, device);
}

// The signal numbers of the emulation, by name. Only plain values cross between JavaScript and
// Python here: a proxy object left alive would be released after the interpreter is finalised.
function signalNumbers(pyodide) {
  return JSON.parse(pyodide.runPython(
      "import json, signal\njson.dumps({s.name: int(s) for s in signal.Signals})"));
}

// Puts the Python driver (`driverPath`) and host.py into Pyodide's file system.
function installDriver(pyodide, driverPath) {
  const FS = pyodide.FS;
  FS.mkdirTree("/sigconform");
  FS.writeFile("/sigconform/driver.py", fs.readFileSync(driverPath));
  FS.writeFile("/sigconform/host.py", fs.readFileSync(path.join(__dirname, "host.py")));
}

// Compiles the installed driver and host.py to bytecode files that Python uses without looking
// at the source again (unchecked hash-based .pyc): the fork-server does it once, so that no case
// compiles 1,300 lines of driver again. Names it makes in __main__ are deleted again.
function compileDriver(pyodide) {
  pyodide.runPython([
    "import _frozen_importlib_external as _sc_e, _imp as _sc_i, os as _sc_os",
    "for _sc_p in ('/sigconform/driver.py', '/sigconform/host.py'):",
    "    with open(_sc_p, 'rb') as _sc_f:",
    "        _sc_s = _sc_f.read()",
    "    _sc_c = _sc_e.cache_from_source(_sc_p)",
    "    _sc_os.makedirs(_sc_os.path.dirname(_sc_c), exist_ok=True)",
    "    with open(_sc_c, 'wb') as _sc_f:",
    "        _sc_f.write(_sc_e._code_to_hash_pyc(compile(_sc_s, _sc_p, 'exec', dont_inherit=True),",
    "                    _sc_i.source_hash(_sc_e._RAW_MAGIC_NUMBER, _sc_s), False))",
    "del _sc_e, _sc_i, _sc_os, _sc_p, _sc_f, _sc_s, _sc_c",
  ].join("\n"));
}

// Runs the driver's `call.command` ("describe" or "run" with `call.program`, a Buffer) in
// `pyodide` and returns how the process must end: an exit status, or "SIGINT". `call` also has
// env (the process's environment), obsFd, unavailable (actions the host cannot provide),
// driverPath, isolation (the start record's word), extra (describe's added fields) and
// installed (true when installDriver has run already).
function runCommand(pyodide, call) {
  const FS = pyodide.FS;
  if (!call.installed) installDriver(pyodide, call.driverPath);
  bridgeWriteDevice(pyodide, "/dev/sigconform-obs", call.obsFd);
  const argv = ["driver.py", call.command];
  if (call.program !== null) {
    FS.writeFile("/sigconform/program.json", call.program);
    argv.push("/sigconform/program.json");
  }
  FS.writeFile("/sigconform/call.json", JSON.stringify({
    argv,
    environ: call.env,
    unavailable: call.unavailable,
    extra: Object.assign({
      executable: `${process.execPath} ${path.join(__dirname, "driver.cjs")}`,
      runtime: `pyodide ${loader.pyodideVersion()}`,
    }, call.extra),
    isolation: call.isolation,
  }));
  const outcome = pyodide.runPython(
      "import sys\nsys.path.insert(0, '/sigconform')\nimport host\n" +
      "host.run_from_file('/sigconform/call.json')");
  // CPython's own main ends the same way: finalising can fail only by failing to flush
  // standard output or error, and that makes the status 120.
  const finalized = pyodide._module._Py_FinalizeEx();
  if (outcome === "SIGINT") return "SIGINT";
  return finalized < 0 ? 120 : outcome;
}

// The status when `error` is the runtime ending the process itself, as C's exit() does
// (Pyodide emulates a signal's default action so: exit(128 + the signal's number)); else null.
// Pyodide marks that error as fatal too: it is looked at first.
function runtimeExitStatus(error) {
  if (error && error.name === "Exit" && Number.isInteger(error.status)) return error.status & 0xff;
  return null;
}

// Whether `error` is the runtime crashing rather than the host failing: Pyodide's own fatal
// error (it marks the error it throws) or a WebAssembly trap (a null function, an access out of
// bounds: what a native build would take SIGSEGV or SIGABRT for).
function isRuntimeCrash(error) {
  return Boolean(error && (error.pyodide_fatal_error || error instanceof WebAssembly.RuntimeError));
}

// Makes console.error and console.warn write at once to descriptor 2: what the runtime prints
// of a fatal error must be out before the host ends the process.
function writeConsoleAtOnce() {
  console.error = console.warn = (...parts) => {
    try {
      fs.writeSync(2, `${util.format(...parts)}\n`);
    } catch (e) {
      // Standard error may be closed or broken by the case: nothing else to tell it with.
    }
  };
}

module.exports = { signalNumbers, installDriver, compileDriver, runCommand, runtimeExitStatus,
                   isRuntimeCrash, writeConsoleAtOnce };

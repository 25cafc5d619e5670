// The worker thread of the Pyodide driver: one fresh interpreter running one command.
//
// Python runs here, synchronously, while the main thread (driver.cjs) stays free to receive
// real signals and hand them over through the interrupt buffer. What Pyodide has of its own
// (a descriptor table, a process table, an emulated signal state) is bridged to the real
// process as spec/driver-protocol.md ("A runtime with descriptors and signals of its own")
// describes:
//   - records: a device in Pyodide's file system whose writes go to the real observation
//     descriptor (3), one write per record, as the protocol asks;
//   - the case program: read by the main thread from descriptor 4, put into Pyodide's file
//     system as a file and passed to the driver as `run FILE`;
//   - standard output and error: raw writes to the real descriptors 1 and 2; their errors
//     (EPIPE when the reader is gone) come back to Python as the same errno;
//   - real signals: the main thread writes the signal's number into the interrupt buffer,
//     which CPython's Emscripten port checks while it runs bytecode and turns into a call of
//     the Python-level handler (PyErr_SetInterruptEx).
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { parentPort, workerData } = require("node:worker_threads");

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

// Runs the command and returns how the process must end: an exit status, or "SIGINT".
async function main() {
  const data = workerData;
  const { pyodide, isolation } = await loader.startInterpreter(data.cacheDir, data.env);
  pyodide.setInterruptBuffer(new Int32Array(data.interrupt));
  // The signal numbers of the emulation, by name, so the main thread can translate. Only
  // plain values cross between JavaScript and Python here: a proxy object left alive would be
  // released after the interpreter is finalised.
  parentPort.postMessage({ signals: JSON.parse(pyodide.runPython(
      "import json, signal\njson.dumps({s.name: int(s) for s in signal.Signals})")) });

  const FS = pyodide.FS;
  FS.mkdirTree("/sigconform");
  FS.writeFile("/sigconform/driver.py", fs.readFileSync(data.driverPath));
  FS.writeFile("/sigconform/host.py", fs.readFileSync(path.join(__dirname, "host.py")));
  bridgeWriteDevice(pyodide, "/dev/sigconform-obs", data.obsFd);
  const argv = ["driver.py", data.command];
  if (data.program !== null) {
    FS.writeFile("/sigconform/program.json", data.program);
    argv.push("/sigconform/program.json");
  }
  const call = {
    argv,
    environ: data.env,
    unavailable: data.unavailable,
    extra: {
      executable: `${process.execPath} ${path.join(__dirname, "driver.cjs")}`,
      runtime: `pyodide ${loader.pyodideVersion()}`,
    },
    isolation,
  };
  FS.writeFile("/sigconform/call.json", JSON.stringify(call));
  const outcome = pyodide.runPython(
      "import sys\nsys.path.insert(0, '/sigconform')\nimport host\n" +
      "host.run_from_file('/sigconform/call.json')");
  // CPython's own main ends the same way: finalising can fail only by failing to flush
  // standard output or error, and that makes the status 120.
  const finalized = pyodide._module._Py_FinalizeEx();
  if (outcome === "SIGINT") return "SIGINT";
  return finalized < 0 ? 120 : outcome;
}

main().then(
  (end) => parentPort.postMessage({ end }),
  (error) => parentPort.postMessage({ failure: String((error && error.stack) || error) }));

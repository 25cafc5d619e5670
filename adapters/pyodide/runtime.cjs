// The worker thread of `driver.cjs run` and `describe`: one fresh interpreter running one
// command (case.cjs). Python runs here, synchronously, while the main thread (driver.cjs)
// stays free to receive real signals and hand them over through the interrupt buffer.
"use strict";

const { parentPort, workerData } = require("node:worker_threads");

const loader = require("./loader.cjs");
const { signalNumbers, runCommand, runtimeExitStatus, isRuntimeCrash,
        writeConsoleAtOnce } = require("./case.cjs");

// Runs the command and returns how the process must end: an exit status, or "SIGINT".
async function main() {
  const data = workerData;
  const { pyodide, isolation } = await loader.startInterpreter(data.cacheDir, data.env);
  pyodide.setInterruptBuffer(new Int32Array(data.interrupt));
  parentPort.postMessage({ signals: signalNumbers(pyodide) });
  return runCommand(pyodide, {
    command: data.command,
    program: data.program,
    env: data.env,
    obsFd: data.obsFd,
    unavailable: data.unavailable,
    driverPath: data.driverPath,
    isolation,
    extra: data.extra,
  });
}

writeConsoleAtOnce();
main().then(
  (end) => parentPort.postMessage({ end }),
  (error) => {
    const status = runtimeExitStatus(error);
    if (status !== null) {
      parentPort.postMessage({ end: status });
      return;
    }
    const text = String((error && error.stack) || error);
    parentPort.postMessage(isRuntimeCrash(error) ? { crash: text } : { failure: text });
  });

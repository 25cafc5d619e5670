// Starting Pyodide fast enough to give every case a fresh interpreter.
//
// A cold start of Pyodide costs seconds of CPU: compiling its 1 MB of JavaScript, instantiating
// the WebAssembly module, unpacking the standard library and initialising CPython. Two caches,
// made once and kept in a cache directory, cut that to a fraction:
//   - a V8 code cache of pyodide.asm.js, so the JavaScript is not compiled again;
//   - a memory snapshot of an interpreter that has just started and imported the modules the
//     driver imports first (PRELOADED). Restoring it gives a new process the same memory a
//     fresh interpreter would have, without running the start-up again.
// Nothing of a case is ever in a snapshot: it is made from a fresh interpreter that ran nothing
// but those imports, and every case restores it into a new process (isolation
// "snapshot-restore"). A case whose environment changes how CPython starts (a PYTHON* variable
// other than the snapshot's) gets a cold start instead (isolation "fresh-interpreter").
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const PACKAGE_DIR = path.join(__dirname, "node_modules", "pyodide");

// The modules adapters/python/driver.py imports before any case runs.
const PRELOADED = ["builtins", "enum", "errno", "json", "math", "os", "signal", "time", "_thread"];

// The version of the pinned npm package, or null when `npm ci` has not installed it.
function pyodideVersion() {
  try {
    return JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, "package.json"), "utf8")).version;
  } catch (e) {
    return null;
  }
}

// The variables of `env` that change how CPython starts: they are baked into a snapshot.
function startupEnvironment(env) {
  const out = {};
  for (const name of Object.keys(env).sort()) {
    if (name.startsWith("PYTHON")) out[name] = env[name];
  }
  return out;
}

// Where this Node, this Pyodide and this start-up environment keep their caches: a directory
// below `cacheDir` named by a hash of everything that makes a cache invalid.
function cachePath(cacheDir, env) {
  const hash = crypto.createHash("sha256");
  hash.update(JSON.stringify({
    pyodide: pyodideVersion(),
    node: process.version,
    arch: process.arch,
    preloaded: PRELOADED,
    startup: startupEnvironment(env),
    loader: fs.readFileSync(__filename, "utf8"),
  }));
  return path.join(cacheDir, hash.digest("hex").slice(0, 16));
}

// Writes `data` to `file` so that a reader never sees half of it (drivers start in parallel).
function writeAtomically(file, data) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(temporary, data);
  fs.renameSync(temporary, file);
}

function readOrNull(file) {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    return null;
  }
}

// Defines globalThis._createPyodideModule from pyodide.asm.js, compiled with the V8 code cache
// in `dir` (made when missing or rejected). pyodide.loadPyodide skips loading the script when
// that global exists. The script imports a few Node modules with import(), which a vm.Script
// with cached data cannot do: those calls are served by require() instead.
function defineModuleFactory(dir) {
  if (typeof globalThis._createPyodideModule === "function") return;
  const file = path.join(PACKAGE_DIR, "pyodide.asm.js");
  let source = fs.readFileSync(file, "utf8");
  source = source.replace(/await import\("(node:[a-z_/]+|ws)"\)/g,
                          (whole, name) => `await __sigconformImport("${name}")`);
  const wrapped = `(function (require, __filename, __dirname, __sigconformImport) {${source}\n})`;
  // V8 rejects a code cache made under other flags: the fork-server's (--single-threaded,
  // serve.cjs) is kept apart, or it and `run` would keep replacing each other's.
  const flavour = process.execArgv.includes("--single-threaded") ? ".single-threaded" : "";
  const cacheFile = path.join(dir, `pyodide.asm.js${flavour}.v8cache`);
  const cached = readOrNull(cacheFile);
  const script = new vm.Script(wrapped, { filename: file, cachedData: cached || undefined });
  const importShim = async (name) => {
    const m = require(name);
    return Object.assign({ default: m }, m);
  };
  script.runInThisContext()(require, file, PACKAGE_DIR, importShim);
  if (!cached || script.cachedDataRejected) writeAtomically(cacheFile, script.createCachedData());
}

// Standard output and error for the interpreter: raw writes to the real descriptor, never a
// terminal, so that CPython buffers them the way it buffers a pipe.
function rawWriter(fd) {
  return { write: (buffer) => fs.writeSync(fd, buffer), isatty: false };
}

// A cold start with the start-up environment of `env`.
async function coldStart(env, extra) {
  const { loadPyodide } = require(path.join(PACKAGE_DIR, "pyodide.js"));
  return loadPyodide(Object.assign({
    indexURL: PACKAGE_DIR + path.sep,
    env: startupEnvironment(env),
    stdout: () => {},
    stderr: () => {},
  }, extra));
}

// Makes the memory snapshot for `env` in `dir` from a fresh interpreter.
async function makeSnapshot(dir, env) {
  const pyodide = await coldStart(env, { _makeSnapshot: true });
  pyodide.runPython(PRELOADED.map((m) => `import ${m}`).join("\n"));
  writeAtomically(path.join(dir, "snapshot.bin"), pyodide.makeMemorySnapshot());
}

// Makes sure the caches for `env` exist in `cacheDir`; returns their directory.
async function prepare(cacheDir, env) {
  const dir = cachePath(cacheDir, env);
  defineModuleFactory(dir);
  if (!fs.existsSync(path.join(dir, "snapshot.bin"))) await makeSnapshot(dir, env);
  return dir;
}

// A fresh interpreter for one case, and how it was made fresh:
// {pyodide, isolation: "snapshot-restore" | "fresh-interpreter"}. Standard output and error go
// to descriptors 1 and 2. `env` is the process's environment.
async function startInterpreter(cacheDir, env) {
  const dir = await prepare(cacheDir, env);
  const snapshot = readOrNull(path.join(dir, "snapshot.bin"));
  let pyodide;
  let isolation;
  if (snapshot) {
    const { loadPyodide } = require(path.join(PACKAGE_DIR, "pyodide.js"));
    pyodide = await loadPyodide({ indexURL: PACKAGE_DIR + path.sep, _loadSnapshot: snapshot,
                                  stdout: () => {}, stderr: () => {} });
    isolation = "snapshot-restore";
  } else {
    pyodide = await coldStart(env, {});
    isolation = "fresh-interpreter";
  }
  pyodide.setStdout(rawWriter(1));
  pyodide.setStderr(rawWriter(2));
  return { pyodide, isolation };
}

module.exports = { PACKAGE_DIR, pyodideVersion, prepare, startInterpreter };

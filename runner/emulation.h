// The platform model for emulated signals (spec/case-format.md, "Platforms whose signals are
// emulated"): on WebAssembly (wasm32-emscripten, wasm32-wasi) the documentation says signals
// are emulated and behave differently, and that many functions are not available. There, the
// availability of the rules a case cites decides how the case is judged, not the platforms it
// was tagged with for its actions.
#ifndef SIGCONFORM_RUNNER_EMULATION_H_
#define SIGCONFORM_RUNNER_EMULATION_H_

#include <string>
#include <vector>

#include "case.h"
#include "result.h"

namespace sigconform {

// Whether the documentation calls this platform's signals emulated: "emscripten", "wasi".
bool IsEmulatedPlatform(const std::string& platform);

// How a case is judged on an emulated platform.
enum class Judgement {
  kAsAnywhere,  // every cited rule holds there too: pass and fail mean what they mean anywhere
  kEmulated,    // a cited rule rests on the operating system's signals: the case still runs,
                // and its result is reported as emulated (conforming or diverging)
};

// kAsAnywhere when every availability is "all" (holds everywhere, emulated platforms included)
// or "WebAssembly" (a rule about the emulation itself); kEmulated when any other word is there
// ("native", "Unix", "Linux", ...). An empty list (a case without known rules) is kEmulated.
Judgement JudgementOf(const std::vector<std::string>& availabilities);

// What in the case's own form only the operating system's signals can give, whatever rules it
// cites: "" when nothing; otherwise the first of: state the parent leaves before exec (ignored,
// blocked or pending signals, a stdout without reader, resource limits: an emulated process
// does not see its host process's), a signal the runner sends (`parent_kill`: real delivery
// from outside), an `exit` by a signal (a default action ending the process). A case that has
// one is judged kEmulated on an emulated platform even when its rules hold everywhere.
std::string NativeNeed(const Case& c);

// Whether the case's `platforms` (as written) let it run on the emulated platform `platform`:
// as written when they name it ("emscripten", "!wasi"); otherwise as they would on Linux, the
// platform whose C library WebAssembly runtimes imitate: a case for Unix runs, one for Windows
// or macOS alone does not.
bool EmulatedPlatformMatches(const std::vector<std::string>& platforms, const std::string& platform);

// The status a result judged under emulation gets: pass -> emulated-conforming; fail and
// timeout (the emulation never did what the documentation promises) -> emulated-diverging;
// every other status (error, crash, ...) is kept: a broken driver stays broken.
Status EmulatedStatus(Status status);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_EMULATION_H_

// What `sigconform run` shows on its standard output while it runs: a line per unexpected
// result, a live progress line when stdout is a terminal, the summary at the end.
#ifndef SIGCONFORM_RUNNER_RUN_CONSOLE_H_
#define SIGCONFORM_RUNNER_RUN_CONSOLE_H_

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "result.h"

namespace sigconform {

// How the console looks.
struct ConsoleStyle {
  bool live = false;    // redraw a progress line (only when stdout is a terminal)
  bool colour = false;  // colour the statuses (a terminal, and NO_COLOR unset or empty)
  bool quiet = false;   // no line per unexpected result
};

// The style for standard output: live and coloured only on a terminal, colour off when the
// NO_COLOR environment variable is set to anything non-empty (no-color.org), TERM=dumb
// neither.
ConsoleStyle StyleForStdout(bool quiet);

// Writes everything the run prints, from any thread. With `live`, a thread redraws one
// progress line at the bottom every 250 ms —
//   [ 123/280] 2 unexpected  12.4 s  running 4: masks/slow-case (3.1 s)
// — done / total, unexpected results so far, elapsed time and the case that has been running
// longest; it is erased before any other line is written and when the console is destroyed,
// so it never mixes with them. Without `live` nothing of it is written. Strings from drivers
// are shown with control characters escaped (TerminalText, text.h), so they cannot move the cursor or
// change colours.
class Console {
 public:
  // Everything is written through `write` (PrintOut for the run: a reader that leaves the
  // runner's standard output ends printing, not the run; console.h).
  using Sink = std::function<void(const std::string&)>;
  Console(Sink write, ConsoleStyle style, size_t total);
  ~Console();
  Console(const Console&) = delete;
  Console& operator=(const Console&) = delete;

  // Pair `index` started: its label ("masks/x on cpython") may become the longest running.
  void Started(size_t index, const std::string& label);
  // Pair `index` finished with `r` (printed when it counts against the run and not quiet).
  void Finished(size_t index, const Result& r);
  // A result known without running (missing, describe errors): counted and maybe printed.
  void Known(const Result& r);
  // A line of text, e.g. "wrote reports/latest/report.json".
  void Line(const std::string& text);
  // The per-implementation summary and the total time.
  void Summary(const std::vector<std::string>& implementations, const std::vector<Result>& results,
               double seconds);

 private:
  void PrintResult(const Result& r);  // with mutex_ held
  void Redraw();                      // with mutex_ held
  void Erase();                       // with mutex_ held
  void Tick();

  Sink write_;
  ConsoleStyle style_;
  size_t total_;
  size_t done_ = 0;
  size_t unexpected_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::map<size_t, std::pair<std::string, std::chrono::steady_clock::time_point>> running_;
  bool drawn_ = false;
  bool stop_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread ticker_;
};


}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_RUN_CONSOLE_H_

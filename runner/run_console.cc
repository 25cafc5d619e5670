#include "run_console.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "text.h"

namespace sigconform {
namespace {

const char* ColourOf(Status s) {
  switch (s) {
    case Status::kPass:
    case Status::kXfail:
    case Status::kEmulatedConforming: return "\033[32m";  // green
    case Status::kError:
    case Status::kTimeout:
    case Status::kCrash:
    case Status::kNotRun:
    case Status::kUnsupported: return "\033[33m";  // yellow: harness trouble or no verdict
    case Status::kNotApplicable: return "\033[90m";
    default: return "\033[31m";  // red: the implementation is wrong, or the file is stale
  }
}

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

}  // namespace


ConsoleStyle StyleForStdout(bool quiet) {
  ConsoleStyle style;
  style.quiet = quiet;
  const char* term = std::getenv("TERM");
  const bool terminal = isatty(STDOUT_FILENO) == 1 && !(term != nullptr && std::strcmp(term, "dumb") == 0);
  const char* no_colour = std::getenv("NO_COLOR");
  style.live = terminal;
  style.colour = terminal && (no_colour == nullptr || *no_colour == '\0');
  return style;
}

Console::Console(Sink write, ConsoleStyle style, size_t total)
    : write_(std::move(write)), style_(style), total_(total) {
  if (!style_.live) return;
  // The ticker must never take a signal meant for the supervisor's loop: it blocks them all
  // (the mask is inherited from this thread at creation, then restored here).
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  ticker_ = std::thread([this] { Tick(); });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

Console::~Console() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    Erase();
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

void Console::Tick() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    Redraw();
    wake_.wait_for(lock, std::chrono::milliseconds(250));
  }
}

void Console::Erase() {
  if (!drawn_) return;
  write_("\r\033[K");
  drawn_ = false;
}

void Console::Redraw() {
  if (!style_.live || stop_) return;
  const auto now = std::chrono::steady_clock::now();
  char head[64];
  const int width = static_cast<int>(std::to_string(total_).size());
  std::snprintf(head, sizeof head, "[%*zu/%zu] ", width, done_, total_);
  std::string line = head;
  if (unexpected_ > 0 && style_.colour) line += "\033[31m";
  line += std::to_string(unexpected_) + " unexpected";
  if (unexpected_ > 0 && style_.colour) line += "\033[0m";
  line += "  " + Seconds(std::chrono::duration<double>(now - start_).count());
  if (!running_.empty()) {
    auto oldest = running_.begin();
    for (auto it = running_.begin(); it != running_.end(); ++it) {
      if (it->second.second < oldest->second.second) oldest = it;
    }
    std::string label = TerminalText(oldest->second.first);
    if (label.size() > 60) label = label.substr(0, 57) + "...";
    line += "  running " + std::to_string(running_.size()) + ": " + label + " (" +
            Seconds(std::chrono::duration<double>(now - oldest->second.second).count()) + ")";
  }
  write_("\r\033[K" + line);
  drawn_ = true;
}

void Console::PrintResult(const Result& r) {
  Erase();
  std::string status = StatusName(r.status);
  for (char& c : status) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (style_.colour) status = ColourOf(r.status) + status + "\033[0m";
  // The message already names the step where it went wrong.
  std::string text = status + "  " + TerminalText(r.implementation) + "  " + TerminalText(r.case_id);
  if (!r.message.empty()) text += ": " + TerminalText(r.message);
  text += "\n";
  if (!r.step_text.empty()) text += "    step " + TerminalText(r.step) + ": " + TerminalText(r.step_text) + "\n";
  if (!r.reproduce.empty()) text += "    reproduce: " + TerminalText(r.reproduce) + "\n";
  write_(text);
}

void Console::Started(size_t index, const std::string& label) {
  std::lock_guard<std::mutex> lock(mutex_);
  running_[index] = {label, std::chrono::steady_clock::now()};
}

void Console::Finished(size_t index, const Result& r) {
  std::lock_guard<std::mutex> lock(mutex_);
  running_.erase(index);
  ++done_;
  if (IsUnexpected(r.status)) {
    ++unexpected_;
    if (!style_.quiet) PrintResult(r);
  }
  Redraw();
}

void Console::Known(const Result& r) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++done_;
  if (IsUnexpected(r.status)) {
    ++unexpected_;
    if (!style_.quiet) PrintResult(r);
  }
}

void Console::Line(const std::string& text) {
  std::lock_guard<std::mutex> lock(mutex_);
  Erase();
  write_(text + "\n");
  Redraw();
}

void Console::Summary(const std::vector<std::string>& implementations,
                      const std::vector<Result>& results, double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  stop_ = true;  // the progress line is done for good
  Erase();
  std::string text = "\n";
  for (const std::string& impl : implementations) {
    std::map<Status, int> counts;
    int total = 0;
    for (const Result& r : results) {
      if (r.implementation != impl) continue;
      counts[r.status]++;
      total++;
    }
    text += TerminalText(impl) + ": " + std::to_string(total) + " cases";
    for (Status s : kAllStatuses) {
      if (counts[s] == 0) continue;
      text += ", ";
      if (style_.colour) text += ColourOf(s);
      text += std::to_string(counts[s]) + " " + StatusName(s);
      if (style_.colour) text += "\033[0m";
    }
    text += "\n";
  }
  write_(text + "finished in " + Seconds(seconds) + "\n");
}

}  // namespace sigconform

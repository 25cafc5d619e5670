// How long each case took when it last ran, per implementation, kept in a small file between
// runs (`run --timings FILE`), so that a run starts its cases longest first by what they
// really took instead of by what the case text suggests (issue 14; LLVM lit keeps such a file
// for the same reason). The file is a cache: never needed, never committed; without it the
// order is the estimate's (schedule.h), the same on every run.
#ifndef SIGCONFORM_RUNNER_CASE_TIMINGS_H_
#define SIGCONFORM_RUNNER_CASE_TIMINGS_H_

#include <cstddef>
#include <map>
#include <optional>
#include <string>

namespace sigconform {

// The durations one file holds: {"sigconform_timings": 1, "implementations": {NAME: {CASE ID:
// seconds}}}.
class CaseTimings {
 public:
  // A file larger than this is refused (10,000 cases on a few implementations take under 2 MiB).
  static constexpr size_t kMaxFileBytes = 16u << 20;

  // Reads `path` (at most kMaxFileBytes) and adds its durations, replacing those already held
  // for the same pair. A file that does not exist adds nothing and is no error. Returns false
  // with *error set when the file cannot be read or is not such a file (its entries that are
  // not non-negative finite numbers are skipped, not errors); nothing is added then.
  bool Load(const std::string& path, std::string* error);

  // The seconds `case_id` took on `implementation` when it last ran, if known.
  std::optional<double> Seconds(const std::string& implementation, const std::string& case_id) const;

  // Records what `case_id` took on `implementation` now (negative or non-finite: ignored).
  void Set(const std::string& implementation, const std::string& case_id, double seconds);

  // Writes every duration held (those loaded and those set) to `path`, atomically. False with
  // *error set on failure.
  bool Save(const std::string& path, std::string* error) const;

  size_t size() const;

 private:
  std::map<std::string, std::map<std::string, double>> seconds_;
};

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_CASE_TIMINGS_H_

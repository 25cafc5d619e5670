#include "supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <limits>
#include <memory>
#include <string>

#include "containment.h"
#include "fork_server.h"
#include "observation_stream.h"
#include "signal_names.h"
#include "thread_block.h"

namespace sigconform {
namespace {

constexpr double kNever = std::numeric_limits<double>::infinity();
// Bytes read from one pipe per wake-up, so that one flooding driver cannot starve the others.
constexpr size_t kReadBudget = 1 << 20;
// What all running drivers together may cost the runner: the records their streams keep, and
// their captured standard output and error. Each running driver gets its share (never more
// than its LaunchSpec allows), so the runner's memory stays bounded whatever -j is.
constexpr size_t kRunRecordBudget = 48u << 20;
constexpr size_t kRunCaptureBudget = 32u << 20;
constexpr size_t kMinRecordShare = 1u << 20;   // what a driver keeps of its records at least
constexpr size_t kMinCaptureShare = 64u << 10;  // ... of each captured stream
// A `once_blocked` kill request (spec/case-format.md): how often the state of the driver's main
// thread is looked at (for at most LaunchSpec::once_blocked_wait_seconds).
constexpr double kBlockPollSeconds = 0.001;
// Kill requests a driver may have waiting at once; a driver that asks for more is broken.
constexpr size_t kMaxPendingKills = 64;
// Telling a driver that waits from one that works (Supervisor::set_wait_slots): how often its
// CPU time is read, the shortest time over which its share of a core is judged (the kernel
// reports CPU time in hundredths of a second), and the share under which a sleeping driver
// waits.
constexpr double kCpuSampleSeconds = 0.05;
constexpr double kShortestShareWindow = 0.04;
constexpr double kWaitingShare = 0.25;

// The signal that interrupted the runner, 0 while none has, and how many interrupting signals
// arrived (a second one makes the supervisor kill at once). Written by OnInterrupt; a lost
// increment when two different signals nest can only delay that escalation.
volatile sig_atomic_t g_interrupt_signal = 0;
volatile sig_atomic_t g_interrupt_count = 0;
// Write end of the self-pipe that wakes the loop, -1 outside an InterruptScope. Set before the
// handler is installed and cleared after it is removed.
volatile sig_atomic_t g_wake_fd = -1;
std::atomic<bool> g_scope_active{false};

// Runs in a signal handler: async-signal-safe calls only (write). It records the signal and
// wakes the loop through the self-pipe, which works whichever thread the kernel picked to run
// the handler (a process-directed signal may land on any thread that does not block it).
// errno is saved and restored because the interrupted code may be about to read it.
void OnInterrupt(int sig) {
  int saved_errno = errno;
  g_interrupt_signal = sig;
  g_interrupt_count = g_interrupt_count + 1;
  int fd = g_wake_fd;
  if (fd >= 0) {
    char byte = 0;
    ssize_t ignored = write(fd, &byte, 1);  // non-blocking; a full pipe already wakes the loop
    (void)ignored;
  }
  errno = saved_errno;
}

// Owns the process-wide signal state while the supervisor runs (see supervisor.h): catches
// SIGINT/SIGTERM/SIGHUP (unless ignored on entry) and unblocks them in this thread, makes
// SIGCHLD reapable, and restores the previous actions and mask on destruction.
class InterruptScope {
 public:
  InterruptScope() {
    if (g_scope_active.exchange(true)) return;  // nested or concurrent: the outer one owns it
    owner_ = true;
    g_interrupt_signal = 0;
    g_interrupt_count = 0;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
      wake_read_.reset(fds[0]);
      wake_write_.reset(fds[1]);
      g_wake_fd = fds[1];
    }
    // Without the pipe the loop still sees the flag after poll() returns EINTR in this thread
    // or at its next timer; catching is still better than dying without reports.
    sigset_t unblock;
    sigemptyset(&unblock);
    for (size_t i = 0; i < kCaught; ++i) {
      struct sigaction old_action;
      if (sigaction(kSignals[i], nullptr, &old_action) != 0) continue;
      if (old_action.sa_handler == SIG_IGN) continue;  // nohup and friends keep working
      struct sigaction action;
      std::memset(&action, 0, sizeof action);
      action.sa_handler = OnInterrupt;
      sigemptyset(&action.sa_mask);
      // SA_RESTART: blocking calls elsewhere (the exec-error read, waitpid) simply resume;
      // poll() is never restarted, so the loop still wakes up.
      action.sa_flags = SA_RESTART;
      if (sigaction(kSignals[i], &action, &old_actions_[i]) == 0) {
        installed_[i] = true;
        sigaddset(&unblock, kSignals[i]);
      }
    }
    struct sigaction chld;
    if (sigaction(SIGCHLD, nullptr, &chld) == 0 &&
        (chld.sa_handler == SIG_IGN || (chld.sa_flags & SA_NOCLDWAIT) != 0)) {
      struct sigaction dfl;
      std::memset(&dfl, 0, sizeof dfl);
      dfl.sa_handler = SIG_DFL;
      sigemptyset(&dfl.sa_mask);
      if (sigaction(SIGCHLD, &dfl, &old_chld_) == 0) chld_changed_ = true;
    }
    mask_changed_ = pthread_sigmask(SIG_UNBLOCK, &unblock, &old_mask_) == 0;
  }

  // Failures to restore are not checked: sigaction and pthread_sigmask only fail on invalid
  // arguments, and these are the values the same calls returned.
  ~InterruptScope() {
    if (!owner_) return;
    for (size_t i = 0; i < kCaught; ++i) {
      if (installed_[i]) sigaction(kSignals[i], &old_actions_[i], nullptr);
    }
    if (chld_changed_) sigaction(SIGCHLD, &old_chld_, nullptr);
    if (mask_changed_) pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
    g_wake_fd = -1;
    g_scope_active = false;
  }

  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;

  // The self-pipe's read end, -1 when there is none.
  int wake_fd() const { return wake_read_.get(); }

  // Empties the self-pipe.
  void Drain() {
    char buffer[64];
    while (wake_read_.valid()) {
      ssize_t n = read(wake_read_.get(), buffer, sizeof buffer);
      if (n > 0) continue;
      if (n < 0 && errno == EINTR) continue;
      break;  // EAGAIN: empty
    }
  }

 private:
  static constexpr size_t kCaught = 3;
  static constexpr int kSignals[kCaught] = {SIGINT, SIGTERM, SIGHUP};

  bool owner_ = false;
  UniqueFd wake_read_, wake_write_;
  bool installed_[kCaught] = {false, false, false};
  struct sigaction old_actions_[kCaught];
  bool chld_changed_ = false;
  struct sigaction old_chld_;
  bool mask_changed_ = false;
  sigset_t old_mask_;
};

constexpr int InterruptScope::kSignals[];

double Now() {
  struct timespec ts;
  // CLOCK_MONOTONIC cannot fail with a valid pointer; 0 keeps the arithmetic defined anyway.
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0.0;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// A `parent_kill` request read from the driver but not carried out yet.
struct PendingKill {
  std::string name;         // the signal's name, as requested
  int number = 0;
  bool queue = false;       // sigqueue instead of kill
  bool once_blocked = false;  // only once the main thread sleeps in a blocking call
  double give_up_at = 0;    // when it is sent even though the thread was not seen asleep
};

// One running driver.
struct Slot {
  size_t index = 0;
  const LaunchSpec* spec = nullptr;
  RunRecord* record = nullptr;
  LaunchedChild child;
  std::unique_ptr<CaseContainment> containment;  // its cgroup and user; kills what is left
  std::unique_ptr<ObservationStream> observations;
  std::vector<std::string> notes;  // the supervisor's own protocol errors, after the stream's
  size_t capture_limit = 0;        // bytes kept of stdout and of stderr: its share of the run's
  double start = 0;
  // Until the driver's first complete record (its `start`), the deadline counts from the
  // launch; from that record on, the case gets its whole timeout again. An interpreter that
  // starts slowly on a loaded machine (Pyodide takes seconds) must not eat into the time the
  // case's own steps are given.
  bool protocol_started = false;
  double deadline = kNever;   // when SIGTERM goes to the group; kNever when sent or none
  double kill_at = kNever;    // when SIGKILL follows; kNever when not scheduled or sent
  double reaped_at = -1;      // when the driver was reaped; -1 before
  bool term_sent = false;
  bool kill_sent = false;
  // Kill requests waiting, oldest first: a `once_blocked` one until the driver's main thread
  // sleeps, and every request read after it (they keep their order).
  std::deque<PendingKill> pending_kills;
  double next_block_check = kNever;  // when to look at the main thread again; kNever: no need
  // The driver waits (asleep in the kernel, under kWaitingShare of a core since the previous
  // sample) and so does not count against `parallel`. Sampled every kCpuSampleSeconds.
  bool waiting = false;
  // When cpu_seconds was read. A new process has used no CPU time (the kernel starts every
  // process at zero, forked or not), so its launch is the first sample: a driver that waits
  // from its start is seen waiting at the first sample after that, not at the second.
  double sampled_at = 0;
  double cpu_seconds = 0;         // the driver's user + system time then

  bool running() const { return child.pid != -1; }
  bool pipes_open() const {
    return child.stdout_fd.valid() || child.stderr_fd.valid() || child.obs_fd.valid();
  }
  bool finished() const { return !running() && !pipes_open(); }
};

// Sends `sig` to every process of the case: the driver's process group, the driver itself
// (which may have left that group, even joined the runner's own), and everything in the
// case's cgroup (processes that changed group or session). The group and the driver only
// while the driver is not reaped: its pid (a zombie's too) keeps the numbers from being
// reused by unrelated processes.
void SignalGroup(Slot* slot, int sig) {
  if (slot->running()) {
    // ESRCH: the group is already gone (or empty: its members all moved away).
    if (kill(-slot->child.pid, sig) != 0 && errno != ESRCH && errno != EPERM) {
      slot->notes.push_back(std::string("could not signal the process group: ") +
                            std::strerror(errno));
    }
    kill(slot->child.pid, sig);  // unchecked: already covered when it stayed in its group
  }
  if (slot->containment) slot->containment->Signal(sig);
}

void Terminate(Slot* slot, double now) {
  if (slot->term_sent) return;
  SignalGroup(slot, SIGTERM);
  slot->term_sent = true;
  slot->deadline = kNever;
  slot->kill_at = now + slot->spec->kill_grace_seconds;
}

// Appends what fits under `limit` to `sink`, and notes whether anything was dropped.
void Capture(std::string* sink, bool* truncated, size_t limit, const char* data, size_t size) {
  size_t room = sink->size() < limit ? limit - sink->size() : 0;
  if (size > room) *truncated = true;
  sink->append(data, std::min(size, room));
}

enum class Stream { kStdout, kStderr, kObservations };

const char* StreamName(Stream stream) {
  switch (stream) {
    case Stream::kStdout: return "stdout";
    case Stream::kStderr: return "stderr";
    case Stream::kObservations: return "the observation stream";
  }
  return "?";
}

UniqueFd* StreamFd(Slot* slot, Stream stream) {
  switch (stream) {
    case Stream::kStdout: return &slot->child.stdout_fd;
    case Stream::kStderr: return &slot->child.stderr_fd;
    case Stream::kObservations: return &slot->child.obs_fd;
  }
  return nullptr;
}

// Reads what `stream` has now (up to kReadBudget), closing it at end-of-file.
void ReadStream(Slot* slot, Stream stream) {
  UniqueFd* fd = StreamFd(slot, stream);
  char buffer[64 * 1024];
  size_t budget = kReadBudget;
  while (fd->valid() && budget > 0) {
    ssize_t n = read(fd->get(), buffer, sizeof buffer);
    if (n > 0) {
      size_t size = static_cast<size_t>(n);
      budget -= std::min(budget, size);
      RunRecord* r = slot->record;
      switch (stream) {
        case Stream::kStdout:
          Capture(&r->stdout_data, &r->stdout_truncated, slot->capture_limit, buffer, size);
          break;
        case Stream::kStderr:
          Capture(&r->stderr_data, &r->stderr_truncated, slot->capture_limit, buffer, size);
          break;
        case Stream::kObservations:
          slot->observations->Feed(buffer, size);
          if (!slot->protocol_started && slot->observations->lines() > 0) {
            slot->protocol_started = true;
            if (slot->deadline != kNever) slot->deadline = Now() + slot->spec->timeout_seconds;
          }
          break;
      }
      continue;
    }
    if (n == 0) {
      fd->reset();
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    slot->notes.push_back(std::string("reading ") + StreamName(stream) +
                          " failed: " + std::strerror(errno));
    fd->reset();
  }
}

// The driver has ended (its pidfd is readable): kill what is left of its group, then reap it.
void Reap(Slot* slot, double now) {
  // The group is killed before reaping, while the zombie still holds the group id, so the
  // signal cannot reach an unrelated group that reused the number. Grandchildren die and
  // their copies of the pipes close, which brings end-of-file. What the case's cgroup still
  // holds besides the driver outlived it; it is counted, then killed with the rest.
  if (slot->containment) {
    slot->record->leftover_processes = slot->containment->Others(slot->child.pid);
  }
  SignalGroup(slot, SIGKILL);
  int status = 0;
  pid_t rc;
  do {
    rc = waitpid(slot->child.pid, &status, WNOHANG);
  } while (rc < 0 && errno == EINTR);
  if (rc == 0) return;  // not reapable yet after all; the pidfd will say so again
  if (rc < 0) {
    slot->notes.push_back(std::string("the driver's exit status was lost: ") +
                          std::strerror(errno));
  } else {
    slot->record->status = ParseWaitStatus(status);
  }
  slot->child.pid = -1;
  slot->child.pidfd.reset();
  slot->reaped_at = now;
  slot->kill_at = kNever;
  slot->deadline = kNever;
}

// The driver was reaped kill_grace_seconds ago and a pipe is still open: some process that
// left the group holds it. Stop waiting for it.
void AbandonPipes(Slot* slot) {
  for (Stream stream : {Stream::kStdout, Stream::kStderr, Stream::kObservations}) {
    UniqueFd* fd = StreamFd(slot, stream);
    if (!fd->valid()) continue;
    ReadStream(slot, stream);
    if (!fd->valid()) continue;
    slot->notes.push_back(std::string(StreamName(stream)) +
                          " was still held open after the driver ended, by a process outside "
                          "its process group; stopped reading it");
    fd->reset();
  }
}

// "15", "0.5": seconds for a message.
std::string FormatSeconds(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", seconds);
  return buffer;
}

// Sends a requested signal to the driver's process. Returns empty, or why it failed.
std::string SendKill(Slot* slot, const PendingKill& k) {
  if (k.queue) {
    // sigqueue: the receiver sees si_code SI_QUEUE.
    union sigval value;
    value.sival_int = 0;
    if (sigqueue(slot->child.pid, k.number, value) != 0) {
      return std::string("sigqueue request failed: ") + std::strerror(errno);
    }
    return std::string();
  }
  if (kill(slot->child.pid, k.number) != 0) {
    return std::string("kill request failed: ") + std::strerror(errno);
  }
  return std::string();
}

// The user + system CPU seconds of process `pid` (all its threads) and its main thread's
// state letter, from /proc/PID/stat (at most 1 KiB read). False when it cannot be read.
bool ReadCpu(pid_t pid, double* seconds, char* state) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  char buffer[1024];
  ssize_t n;
  do {
    n = read(fd.get(), buffer, sizeof buffer - 1);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return false;
  buffer[n] = '\0';
  // "PID (COMM) STATE ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
  // stime ...": COMM may hold spaces and parentheses; the fields follow the last ')'.
  const char* after = std::strrchr(buffer, ')');
  if (after == nullptr) return false;
  char letter = 0;
  unsigned long long utime = 0, stime = 0;
  if (std::sscanf(after + 1, " %c %*d %*d %*d %*d %*d %*u %*lu %*lu %*lu %*lu %llu %llu", &letter,
                  &utime, &stime) != 3) {
    return false;
  }
  static const long ticks = sysconf(_SC_CLK_TCK);
  *seconds = static_cast<double>(utime + stime) / static_cast<double>(ticks > 0 ? ticks : 100);
  *state = letter;
  return true;
}

// Samples a running driver's CPU time and decides whether it waits: asleep ('S') and under
// kWaitingShare of a core since the previous sample (its launch for the first one). A driver that is runnable but gets no
// CPU on a loaded machine is 'R' and still counts as working, so a busy machine does not
// start more drivers. A spec marked cpu_bound is sampled the same way: while it waits (a
// timer's delay after its burn) it holds no core, and as soon as it burns again it is
// working and holds one; a driver that burns is never seen asleep, so it never loses its core.
void SampleCpu(Slot* slot, double now) {
  double seconds = 0;
  char state = 0;
  if (!ReadCpu(slot->child.pid, &seconds, &state)) {
    slot->waiting = false;
    return;
  }
  if (now - slot->sampled_at < kShortestShareWindow) return;  // too short to judge: next time
  const double share = (seconds - slot->cpu_seconds) / (now - slot->sampled_at);
  slot->waiting = state == 'S' && share < kWaitingShare;
  slot->sampled_at = now;
  slot->cpu_seconds = seconds;
}

// Carries out the slot's pending kill requests that may go now, in order: a `once_blocked` one
// once the main thread sleeps, or once_blocked_wait_seconds after it was read (a note then
// says so).
// Sets next_block_check for the one still waiting.
void SendPendingKills(Slot* slot, double now) {
  slot->next_block_check = kNever;
  if (!slot->running()) {
    slot->pending_kills.clear();  // nobody left to receive them
    return;
  }
  while (!slot->pending_kills.empty()) {
    const PendingKill& k = slot->pending_kills.front();
    if (k.once_blocked) {
      // The driver's main thread is the thread whose id is the process's (common/thread_block.h
      // says what counts as blocked). Unreadable /proc reads as not blocked: the bounded wait
      // then decides.
      const ThreadBlockState state = ReadThreadBlockState(slot->child.pid, slot->child.pid);
      if (!SleepsInBlockingCall(state)) {
        if (now < k.give_up_at) {
          slot->next_block_check = now + kBlockPollSeconds;
          return;
        }
        slot->record->runner_notes.push_back(
            "the runner sent " + k.name + " (parent_kill, once_blocked) without seeing the "
            "process's main thread asleep in a blocking system call: it watched for " +
            FormatSeconds(slot->spec->once_blocked_wait_seconds) + " s; last seen: " +
            DescribeThreadBlockState(state));
      }
    }
    std::string error = SendKill(slot, k);
    if (!error.empty()) slot->notes.push_back(error);
    slot->pending_kills.pop_front();
  }
}

// Acts on a `request` record (spec/driver-protocol.md). Returns empty, or why it was not done.
std::string HandleRequest(Slot* slot, const nlohmann::json& record) {
  auto op = record.find("op");
  if (op == record.end() || !op->is_string() || *op != "kill") {
    return "request with an unknown \"op\"";
  }
  auto sig = record.find("sig");
  if (sig == record.end() || !sig->is_string()) return "kill request without a \"sig\" name";
  std::optional<int> number = SignalNumber(sig->get<std::string>());
  if (!number) return "kill request for an unknown signal";
  if (!slot->running()) return "kill request read after the driver had ended";
  PendingKill k;
  k.name = sig->get<std::string>();
  k.number = *number;
  for (const char* key : {"queue", "once_blocked"}) {
    auto it = record.find(key);
    if (it == record.end()) continue;
    if (!it->is_boolean()) return std::string("kill request with a non-boolean \"") + key + "\"";
    (std::string(key) == "queue" ? k.queue : k.once_blocked) = it->get<bool>();
  }
  if (!k.once_blocked && slot->pending_kills.empty()) return SendKill(slot, k);
  // Sent from the loop (SendPendingKills), after those read before it.
  if (slot->pending_kills.size() >= kMaxPendingKills) {
    return "more than " + std::to_string(kMaxPendingKills) + " kill requests waiting at once";
  }
  k.give_up_at = Now() + slot->spec->once_blocked_wait_seconds;
  slot->pending_kills.push_back(std::move(k));
  slot->next_block_check = std::min(slot->next_block_check, Now());
  return std::string();
}

void Finalize(Slot* slot, double now) {
  RunRecord* r = slot->record;
  if (slot->containment) r->limit_reached = slot->containment->LimitReached();
  slot->observations->Finish();
  r->records = std::move(slot->observations->records());
  r->protocol_errors = std::move(slot->observations->protocol_errors());
  r->observations_truncated = slot->observations->truncated();
  for (std::string& note : slot->notes) r->protocol_errors.push_back(std::move(note));
  r->seconds = (slot->reaped_at >= 0 ? slot->reaped_at : now) - slot->start;
}

// Frees what a record holds beyond its outcome once the progress callback has judged it.
void Release(RunRecord* r) {
  std::vector<std::string>().swap(r->argv);
  std::vector<std::string>().swap(r->env);
  std::vector<nlohmann::json>().swap(r->records);
  std::vector<std::string>().swap(r->protocol_errors);
  std::string().swap(r->stdout_data);
  std::string().swap(r->stderr_data);
}

// What a poll entry stands for.
struct PollTarget {
  Slot* slot;  // nullptr: the self-pipe
  bool is_pidfd;
  Stream stream;
};

int PollTimeoutMs(const std::vector<std::unique_ptr<Slot>>& slots, double now,
                  double next_sample) {
  double next = next_sample;
  for (const auto& slot : slots) {
    next = std::min(next, slot->deadline);
    next = std::min(next, slot->kill_at);
    next = std::min(next, slot->next_block_check);
    if (!slot->running() && slot->pipes_open()) {
      next = std::min(next, slot->reaped_at + slot->spec->kill_grace_seconds);
    }
  }
  if (next == kNever) return -1;
  double ms = std::ceil((next - now) * 1000.0);
  if (ms < 0) return 0;
  if (ms > 1e9) return 1000000000;
  return static_cast<int>(ms) + 1;  // +1: never wake a hair early and spin
}

}  // namespace

std::vector<RunRecord> Supervisor::Run(const std::vector<LaunchSpec>& specs) {
  std::vector<RunRecord> records(specs.size());
  std::vector<std::unique_ptr<Slot>> slots;
  size_t next = 0;  // the first spec not yet looked at, in submission order
  // cpu_bound specs passed over while cpu_slots_ of them ran, oldest first: they start before
  // `next` as soon as a cpu-bound slot frees up.
  std::deque<size_t> deferred;
  // A cpu-bound driver holds one of the cpu_slots_ while it works; one that waits (sampled,
  // set_wait_slots) lends it to the next cpu-bound spec, and takes it back when it works
  // again: then no other cpu-bound spec starts until fewer than cpu_slots_ of them work.
  auto cpu_room = [&]() {
    if (cpu_slots_ == 0) return true;
    size_t burning = 0;
    for (const auto& slot : slots) burning += slot->spec->cpu_bound && !slot->waiting ? 1 : 0;
    return burning < cpu_slots_;
  };
  // The next spec that may start now, or specs.size() when none may.
  auto take_next = [&]() -> size_t {
    if (!deferred.empty() && cpu_room()) {
      size_t index = deferred.front();
      deferred.pop_front();
      return index;
    }
    while (next < specs.size()) {
      size_t index = next++;
      if (!specs[index].cpu_bound || cpu_room()) return index;
      deferred.push_back(index);
    }
    return specs.size();
  };
  auto pending = [&]() { return next < specs.size() || !deferred.empty(); };
  // Drivers that wait do not count against parallel_ (set_wait_slots): they are sampled, and
  // more start while fewer than parallel_ work, up to max_slots in all.
  const size_t max_slots = parallel_ + wait_slots_;
  double next_sample = 0;  // the first sample at once: it is the baseline of the next
  auto working = [&slots]() {
    size_t n = 0;
    for (const auto& slot : slots) n += slot->waiting ? 0 : 1;
    return n;
  };
  bool stopping = false;
  sig_atomic_t interrupts_seen = 0;  // g_interrupt_count when the last one was acted on
  interrupt_signal_ = 0;
  const double run_start = Now();
  InterruptScope scope;
  RunContainment containment(policy_);
  containment_ = containment.Describe();

  // Fork-servers are the runner's children too, and no orphans: never killed as such.
  std::vector<ForkServer*> servers;
  for (const LaunchSpec& spec : specs) {
    if (spec.fork_server != nullptr &&
        std::find(servers.begin(), servers.end(), spec.fork_server) == servers.end()) {
      servers.push_back(spec.fork_server);
    }
  }
  auto server_pids = [&servers]() {
    std::vector<pid_t> pids;
    for (ForkServer* server : servers) {
      if (server->pid() > 0) pids.push_back(server->pid());
    }
    return pids;
  };
  auto driver_pids = [&slots, &server_pids]() {
    std::vector<pid_t> pids = server_pids();
    for (const auto& slot : slots) {
      if (slot->running()) pids.push_back(slot->child.pid);
    }
    return pids;
  };
  auto kill_all = [&]() {
    for (auto& slot : slots) {
      if (!slot->running()) continue;
      SignalGroup(slot.get(), SIGKILL);
      int status;
      while (waitpid(slot->child.pid, &status, 0) < 0 && errno == EINTR) {
      }
      slot->child.pid = -1;
      slot->containment.reset();
    }
    containment.KillOrphans(server_pids());
  };

  try {
    for (;;) {
      double now = Now();

      if (stopping && g_interrupt_count > interrupts_seen) {
        // A second interruption: the user will not wait for the grace time.
        interrupts_seen = g_interrupt_count;
        for (auto& slot : slots) {
          if (slot->running() && !slot->kill_sent) {
            SignalGroup(slot.get(), SIGKILL);
            slot->kill_sent = true;
            slot->kill_at = kNever;
          }
        }
      }
      if (!stopping && g_interrupt_signal != 0) {
        // The runner was asked to stop: end everything, start nothing, keep the records.
        stopping = true;
        interrupts_seen = 1;  // this one; any further one escalates (above, next time round)
        interrupt_signal_ = g_interrupt_signal;
        for (auto& slot : slots) {
          slot->record->interrupted = true;
          Terminate(slot.get(), now);
        }
        for (; next < specs.size(); ++next) deferred.push_back(next);
        for (size_t index : deferred) {
          records[index].argv = specs[index].argv;
          records[index].env = specs[index].env;
          records[index].interrupted = true;
        }
        deferred.clear();
      }

      if (wait_slots_ > 0 && now >= next_sample) {
        for (auto& slot : slots) {
          if (slot->running()) SampleCpu(slot.get(), now);
        }
        next_sample = now + kCpuSampleSeconds;
      }
      while (!stopping && !stop_starting_ && slots.size() < max_slots && working() < parallel_) {
        size_t index = take_next();
        if (index == specs.size()) break;
        const LaunchSpec& spec = specs[index];
        RunRecord& record = records[index];
        record.argv = spec.argv;
        record.env = spec.env;
        auto slot = std::make_unique<Slot>();
        slot->index = index;
        slot->spec = &spec;
        slot->record = &record;
        slot->capture_limit =
            std::min(spec.capture_limit, std::max(kMinCaptureShare, kRunCaptureBudget / (2 * max_slots)));
        slot->observations = std::make_unique<ObservationStream>(
            spec.observation_limit,
            std::min(ObservationStream::kDefaultKeptLimit,
                     std::max(kMinRecordShare, kRunRecordBudget / max_slots)));
        Slot* raw = slot.get();
        slot->observations->set_request_handler(
            [raw](const nlohmann::json& request) { return HandleRequest(raw, request); });
        std::string note;
        slot->containment = containment.ForCase(spec.limits, spec.unprivileged, &note);
        if (!note.empty()) slot->notes.push_back(note);
        if (slot->containment->child().change_user) {
          record.user = "uid " + std::to_string(slot->containment->child().uid);
        }
        slot->start = Now();
        slot->sampled_at = slot->start;
        record.started = slot->start - run_start;
        std::string error;
        bool launched;
        if (spec.fork_server != nullptr && spec.fork_server->alive() && containment.subreaper()) {
          launched = spec.fork_server->Spawn(spec, &slot->child, &error,
                                             &slot->containment->child());
          if (!launched && !spec.fork_server->alive()) {
            // The server itself failed (it is killed): this case and the rest get their own
            // fork+exec, which they would have had without a server.
            error.clear();
            record.isolation_note = "the fork-server stopped: " + spec.fork_server->stop_reason();
            launched = Launch(spec, &slot->child, &error, &slot->containment->child());
          }
        } else {
          if (spec.fork_server != nullptr) {
            record.isolation_note =
                !containment.subreaper()
                    ? "no fork-server: the runner could not become a child subreaper"
                    : "the fork-server stopped: " + spec.fork_server->stop_reason();
          }
          launched = Launch(spec, &slot->child, &error, &slot->containment->child());
        }
        if (started_) started_(index);
        if (!launched) {
          record.launch_error = error;
          record.seconds = Now() - slot->start;
          slot->containment.reset();
          if (progress_) progress_(index, record);
          continue;
        }
        if (spec.timeout_seconds > 0) slot->deadline = slot->start + spec.timeout_seconds;
        slots.push_back(std::move(slot));
      }

      // Timers: kill requests waiting for the driver to block, timeouts, the KILL after the
      // TERM, pipes held past the grace time.
      now = Now();
      for (auto& slot : slots) {
        if (!slot->pending_kills.empty() && now >= slot->next_block_check) {
          SendPendingKills(slot.get(), now);
        }
        if (slot->running() && now >= slot->deadline) {
          slot->record->timed_out = true;
          Terminate(slot.get(), now);
        }
        if (slot->running() && !slot->kill_sent && now >= slot->kill_at) {
          SignalGroup(slot.get(), SIGKILL);
          slot->kill_sent = true;
          slot->kill_at = kNever;
        }
        if (!slot->running() && slot->pipes_open() &&
            now >= slot->reaped_at + slot->spec->kill_grace_seconds) {
          AbandonPipes(slot.get());
        }
      }

      // Finished drivers (reaped, every pipe at end-of-file or abandoned) leave their slot.
      // This runs before poll(): a slot finished by the timers above has no descriptor left
      // that could wake the loop. A freed slot is refilled at once (back to the top): waiting
      // in poll() first would leave it idle until some other driver wrote or ended.
      bool freed = false;
      for (auto it = slots.begin(); it != slots.end();) {
        Slot* slot = it->get();
        if (!slot->finished()) {
          ++it;
          continue;
        }
        Finalize(slot, Now());
        slot->containment.reset();  // kills what may be left in its cgroup, frees its user
        if (progress_) progress_(slot->index, *slot->record);
        if (release_records_) Release(slot->record);
        it = slots.erase(it);
        freed = true;
      }
      if (slots.empty()) {
        if (stopping || stop_starting_ || !pending()) break;
        continue;  // free slots: start the next specs
      }
      if (freed && !stopping && !stop_starting_ && pending()) continue;

      std::vector<pollfd> fds;
      std::vector<PollTarget> targets;
      if (scope.wake_fd() >= 0) {
        fds.push_back({scope.wake_fd(), POLLIN, 0});
        targets.push_back({nullptr, false, Stream::kStdout});
      }
      for (auto& slot : slots) {
        for (Stream stream : {Stream::kStdout, Stream::kStderr, Stream::kObservations}) {
          UniqueFd* fd = StreamFd(slot.get(), stream);
          if (!fd->valid()) continue;
          fds.push_back({fd->get(), POLLIN, 0});
          targets.push_back({slot.get(), false, stream});
        }
        if (slot->running()) {
          fds.push_back({slot->child.pidfd.get(), POLLIN, 0});
          targets.push_back({slot.get(), true, Stream::kStdout});
        }
      }

      // The next CPU sample matters only while a spec waits for a working slot.
      const bool may_start = !stopping && !stop_starting_ && pending() && slots.size() < max_slots;
      int ready = poll(fds.data(), fds.size(),
                       PollTimeoutMs(slots, now, may_start ? next_sample : kNever));
      if (ready < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        // ENOMEM or EINVAL (too many descriptors): nothing sensible can go on. End everything
        // and say why in each record rather than crash without reports.
        std::string why = std::string("the supervisor's poll() failed: ") + std::strerror(errno);
        for (auto& slot : slots) slot->notes.push_back(why);
        kill_all();
        for (auto& slot : slots) {
          slot->child.stdout_fd.reset();
          slot->child.stderr_fd.reset();
          slot->child.obs_fd.reset();
          Finalize(slot.get(), Now());
          if (progress_) progress_(slot->index, *slot->record);
        }
        slots.clear();
        break;
      }

      now = Now();
      // Pipes first, then exits: data written before an exit is read before the reap, so a
      // `request` still finds its driver alive when it is handled.
      for (size_t i = 0; i < fds.size(); ++i) {
        if (fds[i].revents == 0 || targets[i].is_pidfd) continue;
        if (targets[i].slot == nullptr) {
          scope.Drain();
        } else {
          ReadStream(targets[i].slot, targets[i].stream);
        }
      }
      bool reaped = false;
      for (size_t i = 0; i < fds.size(); ++i) {
        if (fds[i].revents == 0 || !targets[i].is_pidfd) continue;
        Reap(targets[i].slot, now);
        reaped = true;
      }
      // Orphans of cases (handed to the runner as their subreaper) that have died are reaped
      // here. Without a cgroup per case, nothing else finds the live ones: they are killed as
      // soon as a case ends (a process whose parent died has escaped its case).
      if (reaped && !containment.has_cgroups()) containment.KillOrphans(driver_pids());
      containment.ReapOrphans(driver_pids());

    }
  } catch (...) {
    kill_all();
    throw;
  }
  // Whatever escaped its case's cgroup (or ran without one) and is still the runner's child.
  containment.KillOrphans(server_pids());
  return records;
}

}  // namespace sigconform

#include "program.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <vector>

#include "audit.h"
#include "blocking.h"
#include "encode.h"
#include "errors.h"
#include "main_thread.h"
#include "module.h"
#include "names.h"
#include "processes.h"
#include "safe_point.h"
#include "selector.h"
#include "sending.h"
#include "startup.h"
#include "stderr_note.h"
#include "thread_block.h"

namespace sigref_driver {

using json = nlohmann::json;
using sigref::Value;

namespace {

// The name records carry for the calling thread: "main", a `thread` step's name, or "other".
thread_local std::string t_thread_name = "other";

const std::string& ThreadName() {
  return t_thread_name;
}

// The most `fill` writes (spec/driver-protocol.md): far above any kernel buffer a case fills.
constexpr long long kFillLimit = 16LL << 20;

// The macro inherits the base's constructors, which needs the base named without a namespace.
using BaseForDriver = sigref::Exception;

// Thrown by `fill` when the descriptor took kFillLimit bytes and never reported itself full.
SIGREF_DECLARE_EXCEPTION(FillLimitExceeded, BaseForDriver)

// Thrown by `wait_blocked` when the thread was not seen blocked in a system call in time.
SIGREF_DECLARE_EXCEPTION(NotBlocked, BaseForDriver)

pid_t CurrentTid() { return static_cast<pid_t>(syscall(SYS_gettid)); }

// A step's number of seconds as a person writes it: "10", "0.5".
std::string FormatTimeout(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", seconds);
  return buffer;
}

double CpuSeconds() {
  struct timespec ts;
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) sigref::ThrowOSError(errno);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// /dev/zero opened for burn_cpu's kernel mode, with a 1 MiB block to read into; closed on
// destruction, also when a handler's exception leaves the burn. Holds nothing when `open_it`
// is false.
class ZeroSource {
 public:
  explicit ZeroSource(bool open_it) : block_(open_it ? 1 << 20 : 0) {
    if (open_it) {
      fd_ = open("/dev/zero", O_RDONLY | O_CLOEXEC);
      if (fd_ < 0) sigref::ThrowOSError(errno);
    }
  }
  ~ZeroSource() {
    if (fd_ >= 0) (void)close(fd_);
  }
  ZeroSource(const ZeroSource&) = delete;
  ZeroSource& operator=(const ZeroSource&) = delete;

  // One read of a whole block; a signal cutting it short (EINTR) is fine: the caller's loop
  // runs the safe point next.
  void ReadBlock() {
    if (read(fd_, block_.data(), block_.size()) < 0 && errno != EINTR) {
      sigref::ThrowOSError(errno);
    }
  }

 private:
  int fd_ = -1;
  std::vector<char> block_;
};

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  throw sigref::ValueError("non-hexadecimal number found in bytes literal");
}

std::string Unhex(const std::string& hex) {
  if (hex.size() % 2 != 0) throw sigref::ValueError("odd-length bytes literal");
  std::string out;
  for (size_t n = 0; n < hex.size(); n += 2) {
    out += static_cast<char>(HexDigit(hex[n]) * 16 + HexDigit(hex[n + 1]));
  }
  return out;
}

double FloatArg(const json& v) {
  if (v.is_number()) return v.get<double>();
  const std::string s = v.get<std::string>();
  if (s == "inf") return std::numeric_limits<double>::infinity();
  if (s == "-inf") return -std::numeric_limits<double>::infinity();
  if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
  throw sigref::ValueError("could not convert string to float: '" + s + "'");
}

// Python sets hold each value once; numbers compare by value (SIGUSR1 == 10).
bool SameSetItem(const Value& a, const Value& b) {
  if (a.IsIntLike() && b.IsIntLike()) return sigref::ToLongLong(a) == sigref::ToLongLong(b);
  if (a.kind != b.kind) return false;
  if (a.kind == Value::Kind::kStr || a.kind == Value::Kind::kBytes) return a.text == b.text;
  if (a.kind == Value::Kind::kNone) return true;
  if (a.kind == Value::Kind::kFloat) return a.f == b.f;
  if (a.kind == Value::Kind::kCallable) return a.callable == b.callable;
  return false;
}

void SetBlocking(int fd, bool blocking) {
  const int flags = fcntl(fd, F_GETFL);
  if (flags == -1) sigref::ThrowOSError(errno);
  const int wanted = blocking ? (flags & ~O_NONBLOCK) : (flags | O_NONBLOCK);
  if (fcntl(fd, F_SETFL, wanted) == -1) sigref::ThrowOSError(errno);
}

}  // namespace

const std::vector<std::string>& SupportedOperations() {
  static const std::vector<std::string> operations = {
      "call",  "kill",         "parent_kill",  "wait", "burn_cpu", "sleep",
      "pipe",  "socketpair",   "close",        "read", "write",    "set_blocking",
      "write_stdout", "stdout_to_devnull", "exit", "thread", "join", "ident", "check",
      "process_info", "audit_hook", "pidfd_open", "spawn", "waitpid",
      "select", "native_busy", "fill", "attribute", "members", "fork", "temp_file",
      "file_size", "text", "names_of", "wait_blocked",
      // Features of the case language that are not actions.
      "uncaught", "handler_method", "handler_object", "handler_arity",
      "parent_kill_once_blocked"};
  return operations;
}

Program::Program(ObsStream& obs, PyStdout& out, json program)
    : obs_(obs), out_(out), program_(std::move(program)) {}

void Program::Run() {
  t_thread_name = "main";
  obs_.Emit({{"ev", "start"},
             {"protocol", program_.value("protocol", 1)},
             {"case", program_.value("case", "")}});
  const json steps = program_.value("steps", json::array());
  if (!RunSteps(steps, "")) {
    // Unreachable: an `exit` step in the main thread ends the process itself.
    Finish(0);
  }
  // Handlers that tripped during the last step's record still run, outside any step. A handler
  // that raises leaves the others pending (one exception per safe point): check again until
  // none is left, each exception a stray (spec/driver-protocol.md, "Handlers that raise
  // between steps").
  for (;;) {
    try {
      sigref::CheckSignals();
      break;
    } catch (const sigref::BaseException& e) {
      obs_.Emit({{"ev", "stray"}, {"exception", EncodeException(e)}, {"thread", ThreadName()}});
    }
  }
  obs_.Emit({{"ev", "done"}});
  Finish(0);
}

void Program::Finish(int code) {
  if (forked_child_) _exit(code);  // os._exit: the child's copy of the buffers is dropped
  const bool flushed = out_.FlushAtExit();
  // _exit: threads of the case may still run, and static destructors must not race them.
  _exit(flushed ? code : 120);
}

bool Program::RunSteps(const json& steps, const std::string& prefix) {
  for (size_t n = 0; n < steps.size(); ++n) {
    const std::string path = prefix.empty() ? std::to_string(n) : prefix + "." + std::to_string(n);
    if (!RunStep(steps[n], path)) return false;
  }
  return true;
}

bool Program::RunStep(const json& step, const std::string& path) {
  json record = {{"ev", "step"}, {"path", path}, {"thread", ThreadName()}};
  const double t0 = obs_.Now();
  if (sigref::IsMainThread()) {
    // What a handler running in this step is given as its frame: the step, as a frame object
    // stands for the Python code that was running.
    sigref::SetCurrentFrame(Value::Object("frame", "<frame of step " + path + ">"));
  }
  try {
    // Both safe points are inside the step: a handler's exception belongs to this step.
    sigref::CheckSignals();
    const Value value = Act(step, path);
    sigref::CheckSignals();
    if (step.contains("bind")) Bind(step["bind"], value);
    record["ok"] = true;
    record["value"] = EncodeValue(value);
  } catch (const sigref::BaseException& e) {
    record["ok"] = false;
    record["exception"] = EncodeException(e);
  } catch (const std::exception& e) {
    // A malformed program or a driver bug: reported in the step, never a crash.
    record["ok"] = false;
    record["exception"] = EncodeException(sigref::SystemError(e.what()));
  }
  record["t0"] = t0;
  record["t1"] = obs_.Now();
  obs_.Emit(record);
  if (record["ok"] == false && step.value("uncaught", false)) EscapeUncaught(record["exception"]);
  if (step.value("do", "") == "exit" && record["ok"] == true) {
    if (sigref::IsMainThread()) Finish(step.value("code", 0));
    return false;  // sys.exit in a thread ends only that thread.
  }
  return true;
}

void Program::EscapeUncaught(const json& exception) {
  const std::string type = exception.value("type", "Exception");
  const std::string message = exception.value("message", "");
  sigref::WriteStderr("Traceback (most recent call last):\n  File \"<sigconform case>\", line 1, "
                      "in <module>\n" + type + (message.empty() ? "" : ": " + message) + "\n");
  const bool flushed = out_.FlushAtExit();
  if (type == "KeyboardInterrupt") {
    // The interpreter's last act for an uncaught KeyboardInterrupt (3.8+): die by SIGINT, with
    // its default action, so that a shell sees how the program ended.
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    (void)sigaction(SIGINT, &action, nullptr);
    (void)kill(getpid(), SIGINT);
    _exit(128 + SIGINT);  // SIGINT was blocked: the status the interpreter falls back to
  }
  _exit(flushed ? 1 : 120);
}

Value Program::DoFork(const json& step, const std::string& path) {
  const std::string name = step["name"].get<std::string>();
  const json steps = step["steps"];
  const pid_t pid = fork();
  if (pid < 0) sigref::ThrowOSError(errno);
  if (pid > 0) return Value::Int(pid);
  // The child: only this thread exists here.
  sigref::AfterForkInChild();
  obs_.ResetAfterFork();
  forked_child_ = true;
  t_thread_name = name;
  RunSteps(steps, path);  // an `exit` step ends the child inside
  _exit(0);
}

Value Program::DoTempFile() {
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") +
                     "/sigconform-XXXXXX";
  const int fd = mkostemp(path.data(), O_CLOEXEC);
  if (fd < 0) sigref::ThrowOSError(errno);
  (void)unlink(path.c_str());  // nothing is left behind, whatever happens to the case
  return Value::Int(fd);
}

Value Program::Act(const json& step, const std::string& path) {
  if (step.contains("call")) {
    std::vector<Value> args;
    for (const json& arg : step.value("args", json::array())) args.push_back(Resolve(arg));
    sigref::Kwargs kwargs;
    // A named copy: iterating items() of a temporary would outlive it.
    const json kwargs_json = step.value("kwargs", json::object());
    for (const auto& [key, arg] : kwargs_json.items()) {
      kwargs.emplace_back(key, Resolve(arg));
    }
    return sigref::Call(step["call"].get<std::string>(), args, kwargs);
  }
  const std::string action = step.value("do", "");
  if (action == "kill") {
    sigref::KillProcess(sigref::ToCInt(Resolve(step["sig"])));
    return Value::None();
  }
  if (action == "parent_kill") {
    json request = {{"ev", "request"}, {"op", "kill"}, {"sig", step["sig"]}};
    if (step.value("queue", false)) request["queue"] = true;
    if (step.value("once_blocked", false)) request["once_blocked"] = true;
    obs_.Emit(request);
    return Value::None();
  }
  if (action == "wait") return DoWait(step);
  if (action == "burn_cpu") return DoBurnCpu(step);
  if (action == "sleep") {
    sigref::Sleep(step["seconds"].get<double>());
    return Value::None();
  }
  if (action == "pipe") {
    int fds[2];
    // os.pipe() descriptors are not inheritable.
    if (pipe2(fds, O_CLOEXEC) != 0) sigref::ThrowOSError(errno);
    return Value::Tuple({Value::Int(fds[0]), Value::Int(fds[1])});
  }
  if (action == "socketpair") {
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
      sigref::ThrowOSError(errno);
    }
    return Value::Tuple({Value::Int(fds[0]), Value::Int(fds[1])});
  }
  if (action == "close") {
    // No retry: on Linux the descriptor is gone even when close reports EINTR.
    if (close(sigref::ToCInt(Resolve(step["fd"]))) != 0) sigref::ThrowOSError(errno);
    return Value::None();
  }
  if (action == "read") {
    const int fd = sigref::ToCInt(Resolve(step["fd"]));
    return Value::Bytes(sigref::Read(fd, step["size"].get<size_t>()));
  }
  if (action == "write") {
    const int fd = sigref::ToCInt(Resolve(step["fd"]));
    const Value data = Resolve(step["data"]);
    if (data.kind != Value::Kind::kBytes) {
      throw sigref::TypeError("a bytes-like object is required, not '" + data.TypeName() + "'");
    }
    return Value::Int(static_cast<long long>(sigref::Write(fd, data.text)));
  }
  if (action == "set_blocking") {
    SetBlocking(sigref::ToCInt(Resolve(step["fd"])), step["blocking"].get<bool>());
    return Value::None();
  }
  if (action == "write_stdout") {
    out_.Write(step["text"].get<std::string>());
    if (step.value("flush", true)) out_.Flush();
    return Value::None();
  }
  if (action == "stdout_to_devnull") {
    // What the documentation's SIGPIPE note does before exiting: later flushes of what is
    // still buffered go to /dev/null instead of failing again at exit.
    const int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (devnull == -1) sigref::ThrowOSError(errno);
    const int rc = dup2(devnull, STDOUT_FILENO);
    const int saved = errno;
    close(devnull);
    if (rc == -1) sigref::ThrowOSError(saved);
    return Value::None();
  }
  if (action == "exit") return Value::None();  // RunStep ends the process after the record.
  if (action == "thread") return DoThread(step, path);
  if (action == "fork") return DoFork(step, path);
  if (action == "temp_file") return DoTempFile();
  if (action == "file_size") {
    struct stat st;
    if (fstat(sigref::ToCInt(Resolve(step["fd"])), &st) != 0) sigref::ThrowOSError(errno);
    return Value::Int(static_cast<long long>(st.st_size));
  }
  if (action == "text") {
    const Value of = Resolve(step["of"]);
    return Value::Str(step["form"] == "repr" ? of.Repr() : of.ToStr());
  }
  if (action == "names_of") {
    const auto [module, name] = sigref::NamesOf(Resolve(step["of"]));
    return Value::Tuple({Value::Str(module), Value::Str(name)});
  }
  if (action == "join") return DoJoin(step);
  if (action == "ident") return DoIdent(step);
  if (action == "wait_blocked") return DoWaitBlocked(step);
  if (action == "check") return Value::None();
  if (action == "fill") return DoFill(sigref::ToCInt(Resolve(step["fd"])));
  if (action == "attribute") return sigref::GetAttribute(step["name"].get<std::string>());
  if (action == "members") {
    const std::string name = step["enum"].get<std::string>();
    auto members = sigref::EnumMembers(name);
    if (!members) throw sigref::TypeError("'" + name + "' is not an enum of the module");
    return Value::List(std::move(*members));
  }
  if (action == "process_info") return ProcessInfo();
  if (action == "select") {
    std::vector<int> fds;
    for (const Value& fd : Resolve(step["fds"]).items) fds.push_back(sigref::ToCInt(fd));
    std::vector<Value> ready;
    for (int fd : sigref::SelectReadable(fds, step["timeout"].get<double>())) {
      ready.push_back(Value::Int(fd));
    }
    return Value::List(std::move(ready));
  }
  if (action == "native_busy") {
    // The documentation's "long computation in C": CPU work with no safe point inside, so a
    // signal that arrives meanwhile only trips its flag; RunStep's safe point after the
    // action runs the handler once the work is done.
    const double seconds = step["seconds"].get<double>();
    const double start = CpuSeconds();
    volatile unsigned long sink = 0;
    while (CpuSeconds() - start < seconds) {
      for (int n = 0; n < 20000; ++n) sink = sink + static_cast<unsigned long>(n);
    }
    return Value::None();
  }
  if (action == "audit_hook") return DoAuditHook(step);
  if (action == "pidfd_open") return PidfdOpen(sigref::ToCInt(Resolve(step["pid"])));
  if (action == "spawn") {
    const Value argv = Resolve(step["argv"]);
    std::vector<std::string> words;
    for (const Value& item : argv.items) {
      if (item.kind != Value::Kind::kStr) throw sigref::TypeError("argv items must be str");
      words.push_back(item.text);
    }
    return Spawn(words);
  }
  if (action == "waitpid") {
    return WaitPid(sigref::ToCInt(Resolve(step["pid"])), step["timeout"].get<double>());
  }
  throw sigref::NotImplementedError("action '" + action + "' is not supported by sigref-driver");
}

Value Program::DoFill(int fd) {
  // Large writes first, then single bytes, until the descriptor would block; the write count
  // is the value. A blocking descriptor would block here forever: the case must not ask that.
  // One that takes kFillLimit bytes without filling never will: stop there and say so.
  long long total = 0;
  for (const size_t size : {size_t{65536}, size_t{4096}, size_t{1}}) {
    const std::string chunk(size, '\0');
    try {
      for (;;) {
        if (total >= kFillLimit) {
          throw FillLimitExceeded("fill: the descriptor still accepts writes after " +
                                  std::to_string(total) + " bytes");
        }
        const long long room = kFillLimit - total;
        if (room >= static_cast<long long>(size)) {
          total += static_cast<long long>(sigref::Write(fd, chunk));
        } else {
          total += static_cast<long long>(sigref::Write(fd, chunk.substr(0, room)));
        }
      }
    } catch (const sigref::BlockingIOError&) {
      // Full at this chunk size; try a smaller one.
    }
  }
  return Value::Int(total);
}

Value Program::DoWait(const json& step) {
  const int wanted = step["events"].get<int>();
  const double deadline = obs_.Now() + step["timeout"].get<double>();
  for (;;) {
    sigref::CheckSignals();
    if (events_.load() >= wanted || obs_.Now() >= deadline) break;
    // Short slices: the wait ends within a millisecond of the event. A signal cuts a slice
    // short (EINTR), which is exactly when there is something to look at.
    const struct timespec slice = {0, 1000000};
    (void)nanosleep(&slice, nullptr);
  }
  return Value::Int(events_.load());
}

Value Program::DoBurnCpu(const json& step) {
  const double seconds = step["seconds"].get<double>();
  const int wanted = step.value("events", 0);
  // `kernel`: the time goes to read(2)s of /dev/zero, which the kernel spends filling the
  // buffer (system time); otherwise to a plain loop (user time). ITIMER_VIRTUAL counts only
  // the latter, ITIMER_PROF both.
  const bool kernel = step.value("kernel", false);
  ZeroSource zero(kernel);
  const double start = CpuSeconds();
  double burnt = 0.0;
  volatile unsigned long sink = 0;
  for (;;) {
    sigref::CheckSignals();
    burnt = CpuSeconds() - start;
    if (burnt >= seconds || (wanted > 0 && events_.load() >= wanted)) break;
    if (kernel) {
      zero.ReadBlock();
    } else {
      for (int n = 0; n < 20000; ++n) sink = sink + static_cast<unsigned long>(n);
    }
  }
  return Value::Float(burnt);
}

Value Program::DoAuditHook(const json& step) {
  const std::set<std::string> wanted = step["events"].get<std::set<std::string>>();
  sigref::AddAuditHook([this, wanted](const std::string& event, const Value& args) {
    if (wanted.count(event) == 0) return;
    obs_.Emit({{"ev", "audit"}, {"event", event}, {"args", EncodeValue(args)},
               {"thread", ThreadName()}});
  });
  return Value::None();
}

Value Program::DoThread(const json& step, const std::string& path) {
  const std::string name = step["name"].get<std::string>();
  auto state = std::make_shared<ThreadState>();
  {
    std::lock_guard<std::mutex> lock(threads_mutex_);
    if (threads_.count(name) != 0) {
      throw sigref::RuntimeError("a thread named '" + name + "' was already started");
    }
    threads_[name] = state;
  }
  const json steps = step["steps"];
  // The state is locked while the thread is created, so that it cannot report `done` (and be
  // joined) before `thread`/`ident` are stored.
  std::lock_guard<std::mutex> lock(state->mutex);
  state->thread = std::thread([this, state, steps, name, path] {
    state->tid = CurrentTid();
    t_thread_name = name;
    RunSteps(steps, path);
    std::lock_guard<std::mutex> done_lock(state->mutex);
    state->done = true;
    state->cv.notify_all();
  });
  state->ident = static_cast<unsigned long>(state->thread.native_handle());
  return Value::None();
}

Value Program::DoJoin(const json& step) {
  const std::string name = step["name"].get<std::string>();
  std::shared_ptr<ThreadState> state;
  {
    std::lock_guard<std::mutex> lock(threads_mutex_);
    auto it = threads_.find(name);
    if (it == threads_.end()) throw sigref::NameError("no thread named '" + name + "'");
    state = it->second;
  }
  const double timeout = step["timeout"].get<double>();
  const double deadline = obs_.Now() + timeout;
  std::unique_lock<std::mutex> lock(state->mutex);
  // Wake every millisecond to run safe points: a join in the main thread is a blocking call.
  while (!state->done && obs_.Now() < deadline) {
    state->cv.wait_for(lock, std::chrono::milliseconds(1));
    if (!state->done) {
      lock.unlock();
      sigref::CheckSignals();
      lock.lock();
    }
  }
  if (!state->done) return Value::Bool(false);
  if (state->thread.joinable()) state->thread.join();
  return Value::Bool(true);
}

Value Program::DoIdent(const json& step) {
  const std::string name = step["thread"].get<std::string>();
  if (name == "main") return Value::Int(static_cast<long long>(sigref::MainThreadIdent()));
  std::lock_guard<std::mutex> lock(threads_mutex_);
  auto it = threads_.find(name);
  if (it == threads_.end()) throw sigref::NameError("no thread named '" + name + "'");
  std::lock_guard<std::mutex> state_lock(it->second->mutex);
  return Value::Int(static_cast<long long>(it->second->ident));
}

Value Program::DoWaitBlocked(const json& step) {
  const std::string name = step["thread"].get<std::string>();
  std::shared_ptr<ThreadState> state;  // null for "main"
  if (name != "main") {
    std::lock_guard<std::mutex> lock(threads_mutex_);
    auto it = threads_.find(name);
    if (it == threads_.end()) throw sigref::NameError("no thread named '" + name + "'");
    state = it->second;
  }
  const double timeout = step["timeout"].get<double>();
  const double deadline = obs_.Now() + timeout;
  // The main thread's id is the process's (in a forked child too: getpid() is the child's).
  const pid_t pid = getpid();
  sigconform::ThreadBlockState last;
  for (;;) {
    const pid_t tid = state ? state->tid.load() : pid;
    if (tid != 0) {
      last = sigconform::ReadThreadBlockState(pid, tid);
      if (sigconform::SleepsInBlockingCall(last)) return Value::None();
      if (last.state == '?') {
        throw NotBlocked("wait_blocked: thread '" + name + "' ended without blocking");
      }
    }
    if (obs_.Now() >= deadline) break;
    // A wait in the main thread is a blocking call: its handlers run meanwhile.
    sigref::CheckSignals();
    const struct timespec slice = {0, 1000000};
    (void)nanosleep(&slice, nullptr);
  }
  throw NotBlocked("wait_blocked: thread '" + name + "' was not seen asleep in a blocking " +
                   "system call within " + FormatTimeout(timeout) + " s; last seen: " +
                   (state && state->tid.load() == 0 ? std::string("not started")
                                                    : sigconform::DescribeThreadBlockState(last)));
}

void Program::Bind(const json& bind, const Value& value) {
  std::vector<std::pair<std::string, Value>> bound;
  if (bind.is_string()) {
    bound.emplace_back(bind.get<std::string>(), value);
  } else {
    if (value.kind != Value::Kind::kTuple && value.kind != Value::Kind::kList) {
      throw sigref::TypeError("cannot unpack non-iterable " + value.TypeName() + " object");
    }
    if (value.items.size() != bind.size()) {
      throw sigref::ValueError(
          std::string(value.items.size() < bind.size() ? "not enough" : "too many") +
          " values to unpack (expected " + std::to_string(bind.size()) + ", got " +
          std::to_string(value.items.size()) + ")");
    }
    for (size_t n = 0; n < bind.size(); ++n) {
      bound.emplace_back(bind[n].get<std::string>(), value.items[n]);
    }
  }
  std::lock_guard<std::mutex> lock(bindings_mutex_);
  for (auto& [name, v] : bound) bindings_[name] = v;
}

Value Program::Resolve(const json& arg) {
  if (arg.is_null()) return Value::None();
  if (arg.is_boolean()) return Value::Bool(arg.get<bool>());
  if (arg.is_number_integer()) return Value::Int(arg.get<long long>());
  if (arg.is_number_float()) return Value::Float(arg.get<double>());
  if (arg.is_string()) {
    const std::string s = arg.get<std::string>();
    if (s.rfind("@@", 0) == 0 || s.rfind("$$", 0) == 0) return Value::Str(s.substr(1));
    if (s.rfind("@", 0) == 0) return sigref::GetAttribute(s.substr(1));
    if (s.rfind("$", 0) == 0) {
      std::lock_guard<std::mutex> lock(bindings_mutex_);
      auto it = bindings_.find(s.substr(1));
      if (it == bindings_.end()) {
        throw sigref::NameError("name '" + s.substr(1) + "' is not defined");
      }
      return it->second;
    }
    return Value::Str(s);
  }
  if (arg.is_array()) {
    std::vector<Value> items;
    for (const json& item : arg) items.push_back(Resolve(item));
    return Value::List(std::move(items));
  }
  if (arg.contains("float")) return Value::Float(FloatArg(arg["float"]));
  if (arg.contains("bytes")) return Value::Bytes(Unhex(arg["bytes"].get<std::string>()));
  if (arg.contains("tuple")) {
    std::vector<Value> items;
    for (const json& item : arg["tuple"]) items.push_back(Resolve(item));
    return Value::Tuple(std::move(items));
  }
  if (arg.contains("set")) {
    std::vector<Value> items;
    for (const json& item : arg["set"]) {
      Value v = Resolve(item);
      bool seen = false;
      for (const Value& have : items) seen = seen || SameSetItem(have, v);
      if (!seen) items.push_back(std::move(v));
    }
    return Value::Set(std::move(items));
  }
  if (arg.contains("handler")) return DeclaredHandler(arg["handler"].get<std::string>());
  throw sigref::SystemError("unknown argument form: " + arg.dump());
}

Value Program::DeclaredHandler(const std::string& name) {
  std::lock_guard<std::mutex> lock(bindings_mutex_);
  auto it = handlers_.find(name);
  if (it != handlers_.end()) return it->second;
  const json declarations = program_.value("handlers", json::object());
  if (!declarations.contains(name)) {
    throw sigref::NameError("no handler named '" + name + "' was declared");
  }
  auto callable = std::make_shared<sigref::Callable>();
  callable->kind = sigref::Callable::Kind::kDeclared;
  callable->name = name;
  const json declaration = declarations[name];
  const int arity = declaration.value("arity", 2);
  callable->call = [this, name, declaration, arity](int signum, const Value& frame) {
    // Python checks the arguments against the parameters before the body runs.
    if (arity != 2) {
      throw sigref::TypeError("sigconform_handler_" + name + "() takes " +
                              std::to_string(arity) + " positional argument" +
                              (arity == 1 ? "" : "s") + " but 2 were given");
    }
    RunDeclaredHandler(name, declaration, signum, frame);
  };
  Value value = Value::Function(callable);
  handlers_[name] = value;
  return value;
}

void Program::RunDeclaredHandler(const std::string& name, const json& declaration, int signum,
                                 const Value& frame) {
  // Runs in the main thread at a safe point (sigref::CheckSignals), never in a signal handler.
  if (declaration.value("record", true)) {
    std::optional<std::string> signame = sigref::SignalName(signum);
    obs_.Emit({{"ev", "handler"},
               {"handler", name},
               {"signum", signum},
               {"signame", signame ? json(*signame) : json(nullptr)},
               {"thread", ThreadName()},
               {"frame", frame.IsNone() ? "none" : "frame"}});
    // Counted after the record is out, so a `wait` that sees the count sees the record too.
    events_.fetch_add(1);
  }
  if (declaration.contains("write")) {
    const json& write = declaration["write"];
    const int fd = sigref::ToCInt(Resolve(write["fd"]));
    const Value data = Resolve(write["data"]);
    if (data.kind != Value::Kind::kBytes) {
      throw sigref::TypeError("a bytes-like object is required, not '" + data.TypeName() + "'");
    }
    sigref::Write(fd, data.text);
  }
  if (declaration.contains("restore")) {
    const int disposition = declaration["restore"].get<std::string>() == "SIG_IGN" ? 1 : 0;
    sigref::Call("signal", {Value::Int(signum), sigref::HandlersValue(disposition)}, {});
  }
  if (declaration.contains("raise")) sigref::ThrowByName(declaration["raise"].get<std::string>());
}

}  // namespace sigref_driver

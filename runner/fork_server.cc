#include "fork_server.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "bounded_json.h"
#include "signal_names.h"
#include "text.h"

namespace sigconform {
namespace {

constexpr size_t kAnswerBytes = 4096;
constexpr JsonBounds kAnswerBounds{kAnswerBytes, 4, 16};

double Now() {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0.0;
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Sends `text` with `fds` attached, as one SOCK_SEQPACKET message. On failure *gone is true
// when the other end has closed (EPIPE, ECONNRESET).
bool SendWithFds(int socket_fd, const std::string& text, const std::vector<int>& fds,
                 std::string* error, bool* gone) {
  struct iovec iov;
  iov.iov_base = const_cast<char*>(text.data());
  iov.iov_len = text.size();
  std::vector<char> control(CMSG_SPACE(sizeof(int) * fds.size()));
  struct msghdr msg;
  std::memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  struct cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
  std::memcpy(CMSG_DATA(cmsg), fds.data(), sizeof(int) * fds.size());
  ssize_t sent;
  do {
    sent = sendmsg(socket_fd, &msg, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent != static_cast<ssize_t>(text.size())) {
    *gone = sent < 0 && (errno == EPIPE || errno == ECONNRESET);
    *error = std::string("cannot send the case to the fork-server: ") +
             (sent < 0 ? std::strerror(errno) : "short write");
    return false;
  }
  return true;
}

// "10", "0.5": seconds for a message.
std::string FormatSeconds(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", seconds);
  return buffer;
}

// ", exit code 1" or ", killed by SIGKILL" for the server `pid` when it has ended (left
// unreaped for Kill), "" while it runs or when that cannot be known.
std::string ExitOf(pid_t pid) {
  if (pid <= 0) return "";
  siginfo_t info;
  std::memset(&info, 0, sizeof info);
  // A server that closed its socket may still be on its way out: give it a moment.
  for (int i = 0; i < 100; ++i) {
    if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) return "";
    if (info.si_pid == pid) break;
    usleep(1000);
  }
  if (info.si_pid != pid) return "";
  if (info.si_code == CLD_EXITED) return ", exit code " + std::to_string(info.si_status);
  return ", killed by " + SignalName(info.si_status);
}

}  // namespace

std::string ParentStateBeforeExec(const ParentState& parent) {
  std::string keys;
  auto add = [&keys](bool present, const char* key) {
    if (!present) return;
    if (!keys.empty()) keys += ", ";
    keys += key;
  };
  add(!parent.ignore.empty(), "parent.ignore");
  add(!parent.block.empty(), "parent.block");
  add(!parent.pending.empty(), "parent.pending");
  add(parent.stdout_mode != ParentState::Stdout::kCapture, "parent.stdout");
  add(!parent.env.empty(), "parent.env");
  add(!parent.rlimits.empty(), "parent.rlimits");
  return keys;
}

bool FitsForkServer(const ParentState& parent) { return ParentStateBeforeExec(parent).empty(); }

std::unique_ptr<ForkServer> ForkServer::Start(const std::vector<std::string>& argv,
                                              const std::vector<std::string>& env,
                                              std::string* error, double start_seconds,
                                              double answer_seconds) {
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    *error = std::string("cannot create the fork-server's socket: ") + std::strerror(errno);
    return nullptr;
  }
  UniqueFd ours(pair[0]), theirs(pair[1]);
  LaunchSpec spec;
  spec.argv = argv;
  spec.argv.push_back("serve");
  spec.env = env;
  spec.channel_fd = theirs.get();
  std::unique_ptr<ForkServer> server(new ForkServer());
  server->start_seconds_ = start_seconds;
  server->answer_seconds_ = answer_seconds;
  server->started_at_ = Now();
  if (!Launch(spec, &server->server_, error)) return nullptr;
  server->socket_ = std::move(ours);
  return server;
}

ForkServer::~ForkServer() { Kill(""); }

void ForkServer::Kill(const std::string& reason) {
  if (alive_ && stop_reason_.empty()) stop_reason_ = reason;
  alive_ = false;
  socket_.reset();
  if (server_.pid > 0) {
    kill(-server_.pid, SIGKILL);  // its group: the server and an intermediate, if one is left
    kill(server_.pid, SIGKILL);
    ReapBlocking(server_.pid);
    server_.pid = -1;
  }
}

std::string ForkServer::Ended() const {
  return std::string("the fork-server has ended") + (started_ ? "" : " before it started") +
         ExitOf(server_.pid);
}

bool ForkServer::Answer(nlohmann::json* answer, std::string* error) {
  double deadline = Now() + answer_seconds_;
  for (;;) {
    const bool starting = !started_;
    if (starting) deadline = std::max(deadline, started_at_ + start_seconds_);
    double left = deadline - Now();
    if (left <= 0) {
      *error = starting
                   ? "the fork-server did not start within " + FormatSeconds(start_seconds_) + " s"
                   : "the fork-server did not answer within " + FormatSeconds(answer_seconds_) +
                         " s";
      Kill(*error);
      return false;
    }
    struct pollfd p = {socket_.get(), POLLIN, 0};
    int ready = poll(&p, 1, static_cast<int>(std::ceil(left * 1000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    char buffer[kAnswerBytes];
    ssize_t n = recv(socket_.get(), buffer, sizeof buffer, MSG_DONTWAIT | MSG_TRUNC);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      // ECONNRESET: it ended with our request unread.
      *error = n == 0 || errno == ECONNRESET ? Ended()
                      : std::string("cannot read the fork-server's answer: ") +
                            std::strerror(errno);
      Kill(*error);
      return false;
    }
    JsonError json_error;
    if (static_cast<size_t>(n) > sizeof buffer ||
        !ParseBoundedJson(std::string_view(buffer, static_cast<size_t>(n)), kAnswerBounds, answer,
                          &json_error) ||
        !answer->is_object()) {
      *error = "the fork-server's answer is not a small JSON object";
      Kill(*error);
      return false;
    }
    started_ = true;
    if (starting) {
      // Its optional word that it has started: the answer comes next, in answer_seconds.
      auto serving = answer->find("serving");
      if (serving != answer->end() && *serving == true && answer->size() == 1) {
        deadline = Now() + answer_seconds_;
        continue;
      }
    }
    return true;
  }
}

bool ForkServer::Spawn(const LaunchSpec& spec, LaunchedChild* child, std::string* error,
                       const ChildContainment* containment) {
  if (!alive_) {
    *error = "the fork-server has stopped";
    return false;
  }
  if (!FitsForkServer(spec.parent) || spec.program.empty()) {
    *error = "this case cannot run in the fork-server";
    return false;
  }
  LaunchSpec plain = spec;
  plain.channel_fd = -1;
  DriverDescriptors fds;
  if (!MakeDriverDescriptors(plain, &fds, error)) return false;
  nlohmann::json request = {{"runner", getpid()}};
  std::vector<int> passed;
  for (UniqueFd& fd : fds.child) passed.push_back(fd.get());
  if (containment != nullptr) {
    for (int fd : containment->join_fds) passed.push_back(fd);
    if (containment->nproc > 0) request["nproc"] = containment->nproc;
    if (containment->change_user) {
      request["change_user"] = true;
      request["uid"] = containment->uid;
      request["gid"] = containment->gid;
    }
  }
  bool gone = false;
  if (!SendWithFds(socket_.get(), request.dump(), passed, error, &gone)) {
    if (gone) *error = Ended();
    Kill(*error);
    return false;
  }
  // The runner's copies of the case's ends go now, so that end-of-file comes when the case's
  // process closes them.
  for (UniqueFd& fd : fds.child) fd.reset();

  // Two answers, in either order: the server's {"pid": P} (or {"error": ...}: it could not
  // fork) and the case's process's {"ready": ...}, which may come first when the process is
  // forked straight as the runner's child.
  nlohmann::json answer, server_answer;
  if (!Answer(&answer, error)) return false;
  bool ready_first = answer.contains("ready");
  if (ready_first) {
    if (!Answer(&server_answer, error)) return false;
  } else {
    server_answer = std::move(answer);
  }
  auto pid_field = server_answer.find("pid");
  if (pid_field == server_answer.end() || !pid_field->is_number_integer() ||
      pid_field->get<long long>() <= 1 || pid_field->get<long long>() > (1LL << 22)) {
    auto why = server_answer.find("error");
    *error = "the fork-server could not fork: " +
             (why != server_answer.end() && why->is_string() ? why->get<std::string>()
                                                             : server_answer.dump());
    Kill(*error);
    return false;
  }
  pid_t pid = static_cast<pid_t>(pid_field->get<long long>());
  if (!ready_first && !Answer(&answer, error)) return false;
  // The process named must now be the runner's own child (adopted as the runner is a
  // subreaper): otherwise the server lied or the adoption failed, and nothing may be done to
  // that pid.
  siginfo_t info;
  std::memset(&info, 0, sizeof info);
  if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    *error = "the fork-server named process " + std::to_string(pid) +
             ", which is not the runner's child";
    Kill(*error);
    return false;
  }
  auto ready = answer.find("ready");
  if (ready == answer.end() || *ready != true) {
    auto why = answer.find("error");
    *error = "cannot set up the driver's process in the fork-server (" +
             (why != answer.end() && why->is_string() ? why->get<std::string>() : answer.dump()) +
             ")";
    kill(pid, SIGKILL);
    ReapBlocking(pid);
    return false;
  }
  if (getpgid(pid) != pid) {
    // It said ready before leading a group of its own (a zombie keeps its group): a lie.
    *error = "the fork-server's process for the case is not in a process group of its own";
    kill(pid, SIGKILL);
    ReapBlocking(pid);
    Kill(*error);
    return false;
  }
  if (!AdoptDriver(pid, &fds, child, error)) return false;
  ++served_;
  return true;
}

}  // namespace sigconform

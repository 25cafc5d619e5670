// The native half of the Pyodide driver's fork-server (`driver.cjs serve`,
// spec/driver-protocol.md, "`serve`: the fork-server"): what Node.js cannot do from JavaScript.
// A Node.js addon (N-API, C): it forks the host, takes descriptors over a Unix socket, sets up
// the case's process as the runner's launch would, and hands the real signals the case's
// process receives to Pyodide's interrupt buffer from a thread of its own.
//
// Why forking a Node.js process works here, when it does not in general: only the calling
// thread survives fork(), so the host must not need any other thread afterwards.
//   - V8 runs with --single-threaded (driver.cjs re-executes itself with it: Exec): no garbage
//     collection or compilation is ever left half done on a background thread at the fork.
//   - After `serve` has started, neither the server nor a case's process ever returns to the
//     event loop: everything runs synchronously from the fork to the process's _exit, so no
//     libuv thread or handle is ever needed. glibc's fork runs libuv's own after-fork handlers.
//   - V8 marks its heap MADV_DONTFORK (a child would fault on its first object): Fork marks
//     every such mapping MADV_DOFORK again first.
// Every function here that runs between fork and the case says so; they use only system calls.
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

// Descriptors a request carries, in this order, before the case's cgroup.procs files.
#define SERVE_FDS 5
// Bounds on a request: its JSON text and the descriptors it carries.
#define MAX_REQUEST 65536
#define MAX_FDS 64

static napi_value Undefined(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

static napi_value Int(napi_env env, int64_t n) {
  napi_value v;
  napi_create_int64(env, n, &v);
  return v;
}

// Throws an Error saying what failed and errno's text; returns undefined for the caller to return.
static napi_value ThrowErrno(napi_env env, const char* what) {
  char text[256];
  snprintf(text, sizeof text, "%s: %s", what, strerror(errno));
  napi_throw_error(env, NULL, text);
  return NULL;
}

// Reads up to `max` int32 arguments; missing ones read 0.
static void Args(napi_env env, napi_callback_info info, size_t max, napi_value* argv) {
  size_t argc = max;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  for (size_t i = argc; i < max; i++) argv[i] = Undefined(env);
}

static int32_t IntArg(napi_env env, napi_value v) {
  int32_t n = 0;
  napi_get_value_int32(env, v, &n);
  return n;
}

// Writes all of `text` to `fd` in one message (a SOCK_SEQPACKET socket keeps it whole).
// Async-signal-safe: used in forked processes too.
static int SendText(int fd, const char* text) {
  ssize_t n;
  do {
    n = send(fd, text, strlen(text), MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n < 0 ? -1 : 0;
}

// exec(path, argv): replaces the process image, keeping its pid and descriptors. Throws on
// failure. driver.cjs uses it to restart itself with the V8 flags `serve` needs.
static napi_value Exec(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Args(env, info, 2, argv);
  char path[4096];
  size_t len = 0;
  if (napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "exec: path must be a string");
    return NULL;
  }
  uint32_t count = 0;
  if (napi_get_array_length(env, argv[1], &count) != napi_ok || count > 256) {
    napi_throw_type_error(env, NULL, "exec: argv must be an array of at most 256 strings");
    return NULL;
  }
  char** args = calloc(count + 1, sizeof(char*));
  for (uint32_t i = 0; i < count; i++) {
    napi_value item;
    napi_get_element(env, argv[1], i, &item);
    size_t n = 0;
    napi_get_value_string_utf8(env, item, NULL, 0, &n);
    args[i] = malloc(n + 1);
    napi_get_value_string_utf8(env, item, args[i], n + 1, &n);
  }
  // Descriptors 0-4 are the case's (spec/driver-protocol.md, `serve`): taken now, so that the
  // new Node.js opens its own above them (the runner starts the server with 4 closed, and the
  // first descriptor Node.js opens would be 4). Node.js's own descriptors close at exec.
  int null_fd = open("/dev/null", O_RDONLY);
  if (null_fd >= 0 && null_fd != 4) {
    dup2(null_fd, 4);
    close(null_fd);
  }
  // Node.js marks the descriptors it inherited close-on-exec at start-up: the socket to the
  // runner (3) and the standard ones must survive this exec.
  for (int fd = 0; fd <= 4; fd++) fcntl(fd, F_SETFD, 0);
  extern char** environ;
  execve(path, args, environ);
  return ThrowErrno(env, "execve");
}

// receive(fd): the next request on the socket `fd`, as {text, fds}; null at end of file.
static napi_value Receive(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Args(env, info, 1, argv);
  int fd = IntArg(env, argv[0]);
  static char data[MAX_REQUEST + 1];
  union {
    struct cmsghdr align;
    char buf[CMSG_SPACE(MAX_FDS * sizeof(int))];
  } control;
  struct iovec iov = {data, MAX_REQUEST};
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  ssize_t n;
  do {
    n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return ThrowErrno(env, "recvmsg");
  napi_value fds;
  napi_create_array(env, &fds);
  uint32_t count = 0;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    const int* given = (const int*)CMSG_DATA(c);
    for (size_t i = 0; i < k; i++) napi_set_element(env, fds, count++, Int(env, given[i]));
  }
  if (n == 0 && count == 0) {
    napi_value null;
    napi_get_null(env, &null);
    return null;
  }
  napi_value result, text;
  napi_create_object(env, &result);
  napi_create_string_utf8(env, data, (size_t)n, &text);
  napi_set_named_property(env, result, "text", text);
  napi_set_named_property(env, result, "fds", fds);
  napi_value truncated;
  napi_get_boolean(env, (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0, &truncated);
  napi_set_named_property(env, result, "truncated", truncated);
  return result;
}

// send(fd, text): one message on the socket `fd`.
static napi_value Send(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Args(env, info, 2, argv);
  char text[4096];
  size_t len = 0;
  napi_get_value_string_utf8(env, argv[1], text, sizeof text, &len);
  if (SendText(IntArg(env, argv[0]), text) != 0) return ThrowErrno(env, "send");
  return Undefined(env);
}

// close(fd).
static napi_value Close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Args(env, info, 1, argv);
  close(IntArg(env, argv[0]));
  return Undefined(env);
}

// _exit(code): ends the process at once. A case's process ends this way once the language's
// own shutdown has run (runtime.cjs): nothing of the host is left to tear down.
static napi_value Exit(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Args(env, info, 1, argv);
  _exit(IntArg(env, argv[0]));
}

// Marks every mapping V8 made MADV_DONTFORK ("dc" in /proc/self/smaps) inheritable again, so
// that a forked process has the server's heap. Returns -1 when smaps cannot be read.
static int InheritAllMappings(void) {
  FILE* f = fopen("/proc/self/smaps", "re");
  if (f == NULL) return -1;
  char line[1024];
  unsigned long lo = 0, hi = 0;
  while (fgets(line, sizeof line, f) != NULL) {
    unsigned long a, b;
    char dash;
    if (sscanf(line, "%lx%c%lx ", &a, &dash, &b) == 3 && dash == '-') {
      lo = a;
      hi = b;
    } else if (strncmp(line, "VmFlags:", 8) == 0 && strstr(line, " dc") != NULL) {
      madvise((void*)lo, hi - lo, MADV_DOFORK);
    }
  }
  fclose(f);
  return 0;
}

struct Request {
  pid_t runner;
  int nproc;
  int change_user;
  uid_t uid;
  gid_t gid;
};

// Closes every descriptor from `from` up except `keep` and those in keep_set (count n).
// Runs in the case's process between fork and the case.
static void CloseOthers(int from, const int* keep_set, int n) {
  long max = sysconf(_SC_OPEN_MAX);
  if (max < 0 || max > (1 << 20)) max = 1 << 20;
  for (int fd = from; fd < max; fd++) {
    int kept = 0;
    for (int i = 0; i < n; i++) kept |= keep_set[i] == fd;
    if (!kept) close(fd);
  }
}

// In the case's process (the server's grandchild): what the runner's launch does between fork
// and exec (spec/driver-protocol.md, `serve`, step 2). `own` lists the descriptors the host
// itself had open when it began to serve (Node.js's event loop and the like, all above 4):
// they stay, as they would in a host started by exec. Answers {"ready": true} on `sock` and
// returns, or answers why not and exits 127. Only system calls: it runs right after fork.
static void SetUpCase(int sock, const int* fds, int nfds, const struct Request* rq,
                      const int* own, int nown) {
  const char* stage = "waiting for the runner to adopt the process";
  // The answer goes through a copy above the descriptors the case gets.
  int channel = fcntl(sock, F_DUPFD_CLOEXEC, SERVE_FDS);
  if (channel < 0) _exit(127);
  struct timespec start, now, pause = {0, 100000};
  clock_gettime(CLOCK_MONOTONIC, &start);
  // Orphaned by the intermediate process and adopted by the runner, its subreaper: nothing of
  // the case may run before that, getppid() is part of what it observes.
  while (getppid() != rq->runner) {
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec - start.tv_sec > 5) {
      errno = ECHILD;
      goto fail;
    }
    nanosleep(&pause, NULL);
  }
  stage = "setpgid";
  if (setpgid(0, 0) != 0) goto fail;
  stage = "joining the case's cgroup";
  for (int i = SERVE_FDS; i < nfds; i++) {
    if (write(fds[i], "0", 1) != 1) goto fail;
  }
  stage = "descriptors";
  // Every source above 4 first, so that installing descriptor N never overwrites a source
  // still needed for another one.
  int moved[SERVE_FDS];
  for (int i = 0; i < SERVE_FDS; i++) {
    moved[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, SERVE_FDS);
    if (moved[i] < 0) goto fail;
  }
  for (int i = 0; i < SERVE_FDS; i++) {
    if (dup2(moved[i], i) != i) goto fail;  // inheritable, as after exec
  }
  {
    int keep[MAX_FDS + 1];
    int n = 0;
    keep[n++] = channel;
    for (int i = 0; i < nown && n < MAX_FDS + 1; i++) keep[n++] = own[i];
    CloseOthers(SERVE_FDS, keep, n);
  }
  stage = "setrlimit";
  struct rlimit zero = {0, 0};
  if (setrlimit(RLIMIT_CORE, &zero) != 0) goto fail;
  if (rq->nproc > 0) {
    struct rlimit nproc = {(rlim_t)rq->nproc, (rlim_t)rq->nproc};
    if (setrlimit(RLIMIT_NPROC, &nproc) != 0) goto fail;
  }
  stage = "changing to the driver's user";
  if (rq->change_user) {
    if (setgroups(0, NULL) != 0 || setresgid(rq->gid, rq->gid, rq->gid) != 0 ||
        setresuid(rq->uid, rq->uid, rq->uid) != 0) {
      goto fail;
    }
    // A change of user makes the process undumpable, which exec would undo.
    if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0) goto fail;
  }
  SendText(channel, "{\"ready\": true}");
  close(channel);
  return;
fail: {
  char answer[512];
  // The stage and strerror's text hold no character JSON must escape.
  snprintf(answer, sizeof answer, "{\"ready\": false, \"error\": \"%s: %s\"}", stage,
           strerror(errno));
  SendText(channel, answer);
  _exit(127);
}
}

// forkCase(sock, fds, request, own): forks the case's process as the runner's child, by way
// of an intermediate process that exits at once (the runner is a child subreaper and adopts
// the orphan), and answers {"pid": P} on `sock` from there. Returns true in the case's process,
// once it is set up (SetUpCase) and has said it is ready; false in the server, once the
// intermediate process has ended. `request` is {runner, nproc, change_user, uid, gid}.
// Throws in the server when it cannot fork (and answers {"error": ...}).
static napi_value ForkCase(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  Args(env, info, 4, argv);
  int sock = IntArg(env, argv[0]);
  int fds[MAX_FDS], own[MAX_FDS];
  uint32_t nfds = 0, nown = 0;
  napi_get_array_length(env, argv[1], &nfds);
  napi_get_array_length(env, argv[3], &nown);
  if (nfds < SERVE_FDS || nfds > MAX_FDS || nown > MAX_FDS) {
    napi_throw_range_error(env, NULL, "forkCase: 5 to 64 descriptors, at most 64 own");
    return NULL;
  }
  for (uint32_t i = 0; i < nfds; i++) {
    napi_value v;
    napi_get_element(env, argv[1], i, &v);
    fds[i] = IntArg(env, v);
  }
  for (uint32_t i = 0; i < nown; i++) {
    napi_value v;
    napi_get_element(env, argv[3], i, &v);
    own[i] = IntArg(env, v);
  }
  struct Request rq = {0, 0, 0, 0, 0};
  napi_value v;
  bool flag = false;
  if (napi_get_named_property(env, argv[2], "runner", &v) == napi_ok) rq.runner = IntArg(env, v);
  if (napi_get_named_property(env, argv[2], "nproc", &v) == napi_ok) rq.nproc = IntArg(env, v);
  if (napi_get_named_property(env, argv[2], "change_user", &v) == napi_ok &&
      napi_get_value_bool(env, v, &flag) == napi_ok) {
    rq.change_user = flag;
  }
  if (napi_get_named_property(env, argv[2], "uid", &v) == napi_ok) rq.uid = IntArg(env, v);
  if (napi_get_named_property(env, argv[2], "gid", &v) == napi_ok) rq.gid = IntArg(env, v);
  if (InheritAllMappings() != 0) return ThrowErrno(env, "reading /proc/self/smaps");
  pid_t middle = fork();
  if (middle < 0) {
    int saved = errno;
    char answer[256];
    snprintf(answer, sizeof answer, "{\"error\": \"fork: %s\"}", strerror(saved));
    SendText(sock, answer);
    errno = saved;
    return ThrowErrno(env, "fork");
  }
  if (middle == 0) {
    pid_t pid = fork();
    if (pid == 0) {
      SetUpCase(sock, fds, (int)nfds, &rq, own, (int)nown);
      napi_value yes;
      napi_get_boolean(env, true, &yes);
      return yes;
    }
    char answer[128];
    if (pid < 0) {
      snprintf(answer, sizeof answer, "{\"error\": \"fork: %s\"}", strerror(errno));
    } else {
      snprintf(answer, sizeof answer, "{\"pid\": %d}", (int)pid);
    }
    SendText(sock, answer);
    _exit(pid < 0 ? 1 : 0);
  }
  for (uint32_t i = 0; i < nfds; i++) close(fds[i]);
  int status;
  while (waitpid(middle, &status, 0) < 0 && errno == EINTR) {
  }
  napi_value no;
  napi_get_boolean(env, false, &no);
  return no;
}

// ---------------------------------------------------------------------------------------------
// Real signals into the interrupt buffer (the case's process only)
// ---------------------------------------------------------------------------------------------

// The signals the thread takes, and each one's number in the emulation (0: none there).
static sigset_t forwarded;
static int emulated_number[NSIG];
static int32_t* interrupt_cell;

// Takes the forwarded signals with sigwaitinfo and hands them to the interpreter through its
// interrupt buffer one at a time, the lowest number first: the interpreter clears the buffer
// when it takes a signal. Standard signals do not queue, so one already waiting here is not
// added twice.
static void* SignalThread(void* unused) {
  (void)unused;
  int waiting[NSIG] = {0};
  int count = 0;
  struct timespec tick = {0, 1000000};
  for (;;) {
    siginfo_t si;
    int sig = count > 0 ? sigtimedwait(&forwarded, &si, &tick) : sigwaitinfo(&forwarded, &si);
    if (sig > 0 && sig < NSIG && !waiting[sig]) {
      waiting[sig] = 1;
      count++;
    }
    if (count > 0 && __atomic_load_n(interrupt_cell, __ATOMIC_SEQ_CST) == 0) {
      for (int s = 1; s < NSIG; s++) {
        if (!waiting[s]) continue;
        waiting[s] = 0;
        count--;
        if (emulated_number[s] != 0) {
          __atomic_store_n(interrupt_cell, emulated_number[s], __ATOMIC_SEQ_CST);
        }
        break;
      }
    }
  }
  return NULL;
}

// forwardSignals(int32array, [[real, emulated], ...]): blocks those real signals in this thread
// and starts the thread that takes them (SignalThread). Called once in the case's process.
static napi_value ForwardSignals(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  Args(env, info, 2, argv);
  napi_typedarray_type type;
  size_t length = 0;
  void* data = NULL;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL) != napi_ok ||
      type != napi_int32_array || length < 1) {
    napi_throw_type_error(env, NULL, "forwardSignals: an Int32Array of a SharedArrayBuffer");
    return NULL;
  }
  interrupt_cell = data;
  sigemptyset(&forwarded);
  uint32_t count = 0;
  napi_get_array_length(env, argv[1], &count);
  for (uint32_t i = 0; i < count; i++) {
    napi_value pair, a, b;
    napi_get_element(env, argv[1], i, &pair);
    napi_get_element(env, pair, 0, &a);
    napi_get_element(env, pair, 1, &b);
    int real = IntArg(env, a);
    if (real <= 0 || real >= NSIG) continue;
    sigaddset(&forwarded, real);
    emulated_number[real] = IntArg(env, b);
  }
  if (pthread_sigmask(SIG_BLOCK, &forwarded, NULL) != 0) return ThrowErrno(env, "pthread_sigmask");
  pthread_t thread;
  int error = pthread_create(&thread, NULL, SignalThread, NULL);
  if (error != 0) {
    errno = error;
    return ThrowErrno(env, "pthread_create");
  }
  pthread_detach(thread);
  return Undefined(env);
}

// endBySignal(sig): ends the process by `sig` at its default action, as a process whose
// language ends it so does (a KeyboardInterrupt nobody caught ends by SIGINT).
static napi_value EndBySignal(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  Args(env, info, 1, argv);
  int sig = IntArg(env, argv[0]);
  signal(sig, SIG_DFL);
  sigset_t one;
  sigemptyset(&one);
  sigaddset(&one, sig);
  pthread_sigmask(SIG_UNBLOCK, &one, NULL);
  raise(sig);
  _exit(70);  // a default action that does not end the process: the host failed
}

NAPI_MODULE_INIT() {
  static const struct {
    const char* name;
    napi_callback fn;
  } functions[] = {
      {"exec", Exec},       {"receive", Receive},           {"send", Send},
      {"close", Close},     {"exit", Exit},                 {"forkCase", ForkCase},
      {"forwardSignals", ForwardSignals}, {"endBySignal", EndBySignal},
  };
  for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
    napi_value fn;
    napi_create_function(env, functions[i].name, NAPI_AUTO_LENGTH, functions[i].fn, NULL, &fn);
    napi_set_named_property(env, exports, functions[i].name, fn);
  }
  return exports;
}

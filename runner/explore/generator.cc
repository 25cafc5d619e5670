#include "explore/generator.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "explore/rng.h"
#include "plan.h"
#include "signal_names.h"

namespace sigconform {

const char* const kWaitsNote = "explore: waits for the step before";
const char* const kPlaceholderRule = "todo.fill-in-rules";

namespace {

// How long a step waits for an asynchronous source's signal. It ends as soon as the signal is
// there; the window is for a runner that answers a parent_kill late on a loaded machine (its
// processes may run at the lowest priority while others build), as the catalog's cases allow.
constexpr double kAsyncWaitSeconds = 8;

using json = nlohmann::json;

// The signals the generator sends and models. Each can be caught; none stops the process or
// dumps core by default. SIGCHLD and SIGWINCH are ignored by default; the others end the process
// (SIGINT raises KeyboardInterrupt through default_int_handler).
const std::vector<std::string> kPool = {"SIGUSR1", "SIGUSR2", "SIGALRM", "SIGCHLD",
                                        "SIGINT",  "SIGHUP",  "SIGWINCH", "SIGTERM"};
const std::vector<unsigned> kPoolWeights = {30, 22, 10, 8, 6, 3, 4, 3};

bool DefaultIgnores(const std::string& sig) { return sig == "SIGCHLD" || sig == "SIGWINCH"; }

// A declared handler as the model sees it.
struct HandlerKind {
  bool records = true;
  bool raises = false;
  std::string restore;  // "", "SIG_DFL" or "SIG_IGN"
};

// The model's view of one signal of kPool.
struct SignalModel {
  enum class Disposition { kDefault, kIgnore, kHandler, kDefaultInt, kUnknown };
  Disposition disposition = Disposition::kDefault;
  std::string handler;  // the declared handler, for kHandler
  bool blocked = false;
  bool pending = false;
};

// A value the model can read from an argument: a pool signal, an invalid signal number, or
// something it does not follow.
struct SignalArg {
  json arg;
  std::string name;     // a kPool name, or ""
  bool valid = false;   // 1 <= number < NSIG
};

class Builder {
 public:
  Builder(const GeneratorInputs& in, uint64_t seed, uint64_t index)
      : in_(in), rng_(Rng::ProgramSeed(seed, index)) {
    doc_["id"] = "explore/s" + std::to_string(seed) + "-p" + std::to_string(index);
    doc_["title"] = "Program " + std::to_string(index) + " of exploration seed " +
                    std::to_string(seed);
    doc_["rules"] = json::array({kPlaceholderRule});
    doc_["tags"] = json::array({"explore"});
    for (const std::string& s : kPool) sigs_[s] = SignalModel{};
    sigs_["SIGINT"].disposition = SignalModel::Disposition::kDefaultInt;
  }

  json Build() {
    Parent();
    Handlers();
    size_t moves = 2 + rng_.Below(7);
    for (size_t i = 0; i < moves && !ended_ && !closed_; i++) Move();
    // Every program has a step; getsignal() is in every version of the module.
    if (steps_.empty()) steps_.push_back(Call("getsignal", json::array({"@SIGUSR1"})));
    doc_["steps"] = steps_;
    return doc_;
  }

 private:
  // ---- availability -------------------------------------------------------------------------

  bool Has(const std::string& fn) const {
    if (!in_.names.count(fn) || !in_.surface) return false;
    const SurfaceName* n = in_.surface->Find(fn);
    return n && CompareVersions(n->since, in_.language_version) <= 0;
  }
  bool Op(const std::string& action) const { return in_.operations.count(action) > 0; }
  bool CanCall(const std::string& fn) const { return Op("call") && Has(fn); }

  // ---- arguments ------------------------------------------------------------------------------

  std::string PoolSignal() { return kPool[rng_.Weighted(kPoolWeights)]; }

  // A literal integer argument that a C int holds (others never name a signal: the module
  // refuses them with OverflowError).
  static std::optional<int> LiteralNumber(const json& arg) {
    if (!arg.is_number_integer()) return std::nullopt;
    double d = arg.get<double>();
    if (d < -2147483648.0 || d > 2147483647.0) return std::nullopt;
    return static_cast<int>(arg.get<int64_t>());
  }

  // Reads a literal signal argument the way the model needs it.
  static SignalArg ReadSignal(const json& arg) {
    SignalArg s;
    s.arg = arg;
    if (arg.is_string()) {
      std::string v = arg;
      if (v.rfind("@SIG", 0) == 0 && v.rfind("@SIG_", 0) != 0) {
        std::string name = v.substr(1);
        if (std::find(kPool.begin(), kPool.end(), name) != kPool.end()) s.name = name;
        s.valid = SignalNumber(name).has_value();
      }
      return s;
    }
    if (auto n = LiteralNumber(arg)) {
      s.valid = *n >= 1 && *n < 65;
      std::string name = SignalName(*n);
      if (s.valid && std::find(kPool.begin(), kPool.end(), name) != kPool.end()) s.name = name;
    }
    return s;
  }

  // A catalog edge value of that parameter, filtered by `keep`; nullopt when there is none.
  template <typename Keep>
  std::optional<json> Edge(const std::string& fn, size_t pos, Keep keep) {
    std::vector<json> fit;
    for (const json& v : in_.edges.At(fn, pos)) {
      if (keep(v)) fit.push_back(v);
    }
    if (fit.empty()) return std::nullopt;
    return rng_.Pick(fit);
  }

  // A signal argument for a parameter that does not send it: mostly the pool, sometimes an
  // edge value of the catalog (SIGKILL, 0, NSIG...).
  SignalArg AnySignal(const std::string& fn, size_t pos) {
    if (rng_.Chance(15)) {
      if (auto e = Edge(fn, pos, [](const json& v) { return v.is_string() || v.is_number(); })) {
        return ReadSignal(*e);
      }
    }
    return ReadSignal("@" + PoolSignal());
  }

  // Whether sending `sig` now keeps the program deterministic and alive (most of the time).
  bool SafeToSend(const std::string& sig) {
    const SignalModel& m = sigs_[sig];
    if (m.disposition == SignalModel::Disposition::kUnknown) return false;
    if (m.disposition == SignalModel::Disposition::kDefault && !DefaultIgnores(sig)) {
      // Ending the process by a signal is a behaviour too, but rarely worth a program.
      return rng_.Chance(m.blocked ? 20 : 4);
    }
    return true;
  }
  // A signal to send: a pool signal that is safe to send, or an invalid number from the
  // catalog's edges for that parameter. `c_int`: only numbers a C int holds. The `kill`
  // action is os.kill(), whose conversion is not the signal module's business (CPython's
  // truncates a number beyond a C int: 2**32 + 10 sends SIGUSR1).
  std::optional<SignalArg> SendSignal(const std::string& fn, size_t pos, bool c_int) {
    if (rng_.Chance(10)) {
      auto e = Edge(fn, pos, [c_int](const json& v) {
        SignalArg s = ReadSignal(v);
        if (c_int && v.is_number_integer() &&
            (v.get<double>() < -2147483648.0 || v.get<double>() > 2147483647.0)) {
          return false;
        }
        return !s.valid && (v.is_number_integer() || v == "@NSIG");
      });
      if (e) return ReadSignal(*e);
    }
    for (int tries = 0; tries < 6; tries++) {
      std::string sig = PoolSignal();
      if (SafeToSend(sig)) return ReadSignal("@" + sig);
    }
    return std::nullopt;
  }

  json SignalSet(const std::string& fn, size_t pos, const std::vector<std::string>& prefer) {
    if (rng_.Chance(12)) {
      if (auto e = Edge(fn, pos, [](const json& v) { return v.is_object() || v.is_array(); })) {
        return *e;
      }
    }
    json items = json::array();
    for (const std::string& s : prefer) items.push_back("@" + s);
    size_t extra = rng_.Below(prefer.empty() ? 4 : 2);
    for (size_t i = 0; i < extra; i++) {
      json s = "@" + PoolSignal();
      if (std::find(items.begin(), items.end(), s) == items.end()) items.push_back(s);
    }
    if (rng_.Chance(8)) {
      if (auto e = Edge("pthread_sigmask", 1, [](const json&) { return true; })) {
        // One member taken from a catalog set: SIGKILL, 0, NSIG...
        if (e->is_object() && e->contains("set") && !(*e)["set"].empty()) {
          items.push_back(rng_.Pick((*e)["set"].get<std::vector<json>>()));
        }
      }
    }
    if (rng_.Chance(25)) return items;  // a list is an iterable of signals too
    return json{{"set", items}};
  }

  // The members of a signal-set argument as the model reads them; nullopt when one of them is
  // not a literal the model follows (then it stops trusting what it knows).
  static std::optional<std::vector<SignalArg>> ReadSet(const json& arg) {
    const json* items = &arg;
    if (arg.is_object()) {
      if (!arg.contains("set") && !arg.contains("tuple")) return std::nullopt;
      items = arg.contains("set") ? &arg["set"] : &arg["tuple"];
    }
    if (!items->is_array()) return std::nullopt;
    std::vector<SignalArg> out;
    for (const json& v : *items) {
      SignalArg s = ReadSignal(v);
      if (!s.valid && !v.is_number_integer() && v != "@NSIG") return std::nullopt;
      out.push_back(s);
    }
    return out;
  }

  // ---- steps ----------------------------------------------------------------------------------

  static json Call(const std::string& fn, json args) {
    return json{{"call", fn}, {"args", std::move(args)}};
  }

  void Emit(json step) {
    if (!closed_) steps_.push_back(std::move(step));
  }

  // ---- the model ------------------------------------------------------------------------------

  // An unblocked signal arrives (synchronously): what the model expects its handler to do.
  // Returns true when a Python-level function ran and raised.
  bool Deliver(const std::string& sig) {
    SignalModel& m = sigs_[sig];
    switch (m.disposition) {
      case SignalModel::Disposition::kHandler: {
        const HandlerKind& h = handlers_[m.handler];
        if (h.records && events_ >= 0) events_++;
        if (h.restore == "SIG_DFL") m.disposition = SignalModel::Disposition::kDefault;
        if (h.restore == "SIG_IGN") m.disposition = SignalModel::Disposition::kIgnore;
        return h.raises;
      }
      case SignalModel::Disposition::kDefaultInt:
        return true;
      case SignalModel::Disposition::kDefault:
        if (!DefaultIgnores(sig)) ended_ = true;
        return false;
      default:
        return false;
    }
  }

  // The mask changed: every pool signal now unblocked and pending arrives, lowest number first.
  void DeliverUnblockedPending() {
    std::vector<std::pair<int, std::string>> due;
    for (auto& [name, m] : sigs_) {
      if (!m.blocked && m.pending) due.push_back({*SignalNumber(name), name});
    }
    std::sort(due.begin(), due.end());
    size_t raised = 0;
    for (auto& [num, name] : due) {
      sigs_[name].pending = false;
      if (Deliver(name)) raised++;
    }
    // A handler that raises leaves the others to later safe points: when they run is the
    // implementation's business, so the model stops counting events.
    if (raised > 0 && due.size() > 1) events_ = -1;
    // When a second one raises too, where its exception comes out (inside the step that raised
    // first, as on CPython, or in a later step) is the driver's business as well: the program
    // ends here.
    if (raised > 1) closed_ = true;
  }

  void Send(const SignalArg& s) {
    if (s.name.empty()) return;
    SignalModel& m = sigs_[s.name];
    if (m.blocked) {
      // A blocked signal is left pending whatever its action (Linux does not drop a blocked
      // ignored signal, since the action may change before it is unblocked).
      m.pending = true;
      return;
    }
    Deliver(s.name);
  }

  // ---- parent and handlers ---------------------------------------------------------------------

  void Parent() {
    if (!rng_.Chance(30)) return;
    json parent = json::object();
    std::vector<std::string> block, pending, ignore;
    for (const std::string& s : kPool) {
      if (rng_.Chance(15)) {
        block.push_back(s);
        sigs_[s].blocked = true;
        if (rng_.Chance(50)) {
          pending.push_back(s);
        }
      } else if (rng_.Chance(6)) {
        ignore.push_back(s);
        sigs_[s].disposition = SignalModel::Disposition::kIgnore;
      }
    }
    for (const std::string& s : pending) sigs_[s].pending = true;
    if (!block.empty()) parent["block"] = block;
    if (!pending.empty()) parent["pending"] = pending;
    if (!ignore.empty()) parent["ignore"] = ignore;
    if (!parent.empty()) doc_["parent"] = parent;
  }

  void Handlers() {
    json handlers = json::object();
    handlers["rec"] = json{{"record", true}};
    handlers_["rec"] = HandlerKind{};
    if (rng_.Chance(50)) {
      static const std::vector<std::string> kRaises = {"RuntimeError", "ValueError", "OSError",
                                                       "KeyboardInterrupt"};
      std::string type = rng_.Pick(kRaises);
      handlers["boom"] = json{{"record", true}, {"raise", type}};
      handlers_["boom"] = HandlerKind{true, true, ""};
    }
    if (rng_.Chance(30)) {
      handlers["once"] = json{{"record", true}, {"restore", "SIG_DFL"}};
      handlers_["once"] = HandlerKind{true, false, "SIG_DFL"};
    }
    if (rng_.Chance(20)) {
      handlers["mute"] = json{{"record", true}, {"restore", "SIG_IGN"}};
      handlers_["mute"] = HandlerKind{true, false, "SIG_IGN"};
    }
    if (rng_.Chance(15)) {
      handlers["quiet"] = json{{"record", false}};
      handlers_["quiet"] = HandlerKind{false, false, ""};
    }
    doc_["handlers"] = handlers;
    for (auto& [name, kind] : handlers_) handler_names_.push_back(name);
  }

  // ---- moves ----------------------------------------------------------------------------------

  void Move() {
    // Weights: single calls first, then the interactions the issue names.
    enum { kSignal, kGetsignal, kMask, kSend, kPending, kTimedwait, kSigwait, kAsync, kTimers,
           kMisc, kWakeup, kPendingAcrossMask, kSwapWhilePending, kRaisingWithOthers,
           kWakeupAgainstSigwait, kCount };
    std::vector<unsigned> w(kCount, 0);
    w[kSignal] = 14; w[kGetsignal] = 4; w[kMask] = 12; w[kSend] = 14; w[kPending] = 6;
    w[kTimedwait] = 5; w[kSigwait] = 5; w[kAsync] = 5; w[kTimers] = 5; w[kMisc] = 4;
    w[kWakeup] = 5; w[kPendingAcrossMask] = 9; w[kSwapWhilePending] = 7;
    w[kRaisingWithOthers] = handlers_.count("boom") ? 6 : 0; w[kWakeupAgainstSigwait] = 4;
    switch (rng_.Weighted(w)) {
      case kSignal: SetHandler(std::nullopt, std::nullopt); break;
      case kGetsignal: Getsignal(); break;
      case kMask: Mask(std::nullopt, {}); break;
      case kSend: SendStep(std::nullopt); break;
      case kPending: if (CanCall("sigpending")) Emit(Call("sigpending", json::array())); break;
      case kTimedwait: Timedwait(); break;
      case kSigwait: Sigwait(); break;
      case kAsync: Async(); break;
      case kTimers: Timers(); break;
      case kMisc: Misc(); break;
      case kWakeup: Wakeup(); break;
      case kPendingAcrossMask: PendingAcrossMask(); break;
      case kSwapWhilePending: SwapWhilePending(); break;
      case kRaisingWithOthers: RaisingWithOthers(); break;
      case kWakeupAgainstSigwait: WakeupAgainstSigwait(); break;
    }
  }

  // signal(sig, handler). `sig` nullopt: chosen here; `handler` nullopt: chosen here.
  void SetHandler(std::optional<SignalArg> sig, std::optional<json> handler) {
    if (!CanCall("signal")) return;
    SignalArg s = sig ? *sig : AnySignal("signal", 0);
    json h;
    if (handler) {
      h = *handler;
    } else {
      size_t r = rng_.Below(100);
      if (r < 62) {
        h = json{{"handler", rng_.Pick(handler_names_)}};
      } else if (r < 76) {
        h = "@SIG_IGN";
      } else if (r < 90) {
        h = "@SIG_DFL";
      } else if (auto e = Edge("signal", 1, [](const json& v) { return !v.is_object(); })) {
        h = *e;
      } else {
        h = "@SIG_DFL";
      }
    }
    json step;
    if (rng_.Chance(10)) {
      step = json{{"call", "signal"}, {"kwargs", {{"signalnum", s.arg}, {"handler", h}}}};
    } else {
      step = Call("signal", json::array({s.arg, h}));
    }
    Emit(step);
    if (s.name.empty()) return;
    SignalModel& m = sigs_[s.name];
    if (h.is_object() && h.contains("handler")) {
      m.disposition = SignalModel::Disposition::kHandler;
      m.handler = h["handler"];
    } else if (h == "@SIG_IGN") {
      m.disposition = SignalModel::Disposition::kIgnore;
    } else if (h == "@SIG_DFL") {
      m.disposition = SignalModel::Disposition::kDefault;
    } else {
      m.disposition = SignalModel::Disposition::kUnknown;  // an edge value: 0 and 1 may work
      return;
    }
    // A pending signal whose action becomes "ignore" is discarded (POSIX).
    if (m.pending && (m.disposition == SignalModel::Disposition::kIgnore ||
                      (m.disposition == SignalModel::Disposition::kDefault &&
                       DefaultIgnores(s.name)))) {
      m.pending = false;
    }
  }

  void Getsignal() {
    if (!CanCall("getsignal")) return;
    SignalArg s = AnySignal("getsignal", 0);
    Emit(Call("getsignal", json::array({s.arg})));
  }

  // pthread_sigmask(how, set). `how`: "SIG_BLOCK"... or nullopt to choose; `prefer`: members.
  void Mask(std::optional<std::string> how_name, const std::vector<std::string>& prefer) {
    if (!CanCall("pthread_sigmask")) return;
    json how;
    if (how_name) {
      how = "@" + *how_name;
    } else if (rng_.Chance(8)) {
      how = Edge("pthread_sigmask", 0, [](const json&) { return true; }).value_or(json(3));
    } else {
      static const std::vector<std::string> kHow = {"SIG_BLOCK", "SIG_UNBLOCK", "SIG_SETMASK"};
      how = "@" + rng_.Pick(kHow);
    }
    json set;
    if (how_name) {
      set = json{{"set", json::array()}};
      for (const auto& p : prefer) set["set"].push_back("@" + p);
    } else {
      set = SignalSet("pthread_sigmask", 1, prefer);
    }
    if (rng_.Chance(8)) {
      Emit(json{{"call", "pthread_sigmask"}, {"kwargs", {{"how", how}, {"mask", set}}}});
    } else {
      Emit(Call("pthread_sigmask", json::array({how, set})));
    }
    // The model.
    std::optional<int> how_value;
    if (how == "@SIG_BLOCK") how_value = 0;
    if (how == "@SIG_UNBLOCK") how_value = 1;
    if (how == "@SIG_SETMASK") how_value = 2;
    if (auto n = LiteralNumber(how)) how_value = *n;
    auto members = ReadSet(set);
    if (!members) {
      Forget();
      return;
    }
    for (const SignalArg& m : *members) {
      if (!m.valid) return;  // ValueError: nothing changes
    }
    if (!how_value || *how_value < 0 || *how_value > 2) return;  // OSError: nothing changes
    for (auto& [name, m] : sigs_) {
      bool in = std::any_of(members->begin(), members->end(),
                            [&](const SignalArg& a) { return a.name == name; });
      if (*how_value == 0 && in) m.blocked = true;
      if (*how_value == 1 && in) m.blocked = false;
      if (*how_value == 2) m.blocked = in;
    }
    DeliverUnblockedPending();
  }

  // The model no longer knows the mask: no more asynchronous sources nor sigwait.
  void Forget() {
    for (auto& [name, m] : sigs_) m.disposition = SignalModel::Disposition::kUnknown;
    events_ = -1;
    lost_ = true;
  }

  void EnsureMainIdent() {
    if (main_bound_) return;
    Emit(json{{"do", "ident"}, {"thread", "main"}, {"bind", "main"}});
    main_bound_ = true;
  }

  bool EnsurePidfd() {
    if (pidfd_bound_) return true;
    if (!Op("process_info") || !Op("pidfd_open") || !CanCall("pidfd_send_signal")) return false;
    Emit(json{{"do", "process_info"}, {"bind", json::array({"pid", "uid", "ppid"})}});
    Emit(json{{"do", "pidfd_open"}, {"pid", "$pid"}, {"bind", "pidfd"}});
    pidfd_bound_ = true;
    return true;
  }

  // One synchronous send. `sig` nullopt: chosen here.
  void SendStep(std::optional<std::string> sig_name) {
    std::vector<std::string> ways;
    std::vector<unsigned> weights;
    if (Op("kill")) { ways.push_back("kill"); weights.push_back(40); }
    if (CanCall("raise_signal")) { ways.push_back("raise_signal"); weights.push_back(30); }
    if (CanCall("pthread_kill") && Op("ident")) { ways.push_back("pthread_kill"); weights.push_back(20); }
    if (EnsurePidfdPossible()) { ways.push_back("pidfd_send_signal"); weights.push_back(8); }
    if (ways.empty()) return;
    std::string way = ways[rng_.Weighted(weights)];
    std::string fn = way == "kill" ? "raise_signal" : way;  // kill's edges: raise_signal's
    size_t pos = way == "pthread_kill" || way == "pidfd_send_signal" ? 1 : 0;
    std::optional<SignalArg> s;
    if (sig_name) {
      s = ReadSignal("@" + *sig_name);
    } else {
      s = SendSignal(fn, pos, /*c_int=*/way == "kill");
    }
    if (!s) return;
    if (way == "kill") {
      Emit(json{{"do", "kill"}, {"sig", s->arg}});
    } else if (way == "raise_signal") {
      Emit(Call("raise_signal", json::array({s->arg})));
    } else if (way == "pthread_kill") {
      EnsureMainIdent();
      Emit(Call("pthread_kill", json::array({"$main", s->arg})));
    } else {
      if (!EnsurePidfd()) return;
      Emit(Call("pidfd_send_signal", json::array({"$pidfd", s->arg})));
    }
    if (s->valid) Send(*s);
  }

  bool EnsurePidfdPossible() const {
    return Op("process_info") && Op("pidfd_open") && CanCall("pidfd_send_signal");
  }

  std::vector<std::string> PendingNow() const {
    std::vector<std::string> out;
    if (lost_) return out;
    for (const auto& [name, m] : sigs_) {
      if (m.pending && m.blocked) out.push_back(name);
    }
    return out;
  }

  // The model after a sigwait-family call took the lowest pending member of `members`.
  void Consume(const std::vector<SignalArg>& members) {
    std::vector<std::pair<int, std::string>> due;
    for (const SignalArg& a : members) {
      if (!a.name.empty() && sigs_[a.name].pending) due.push_back({*SignalNumber(a.name), a.name});
    }
    if (due.empty()) return;
    std::sort(due.begin(), due.end());
    sigs_[due.front().second].pending = false;
  }

  void Timedwait() {
    if (!CanCall("sigtimedwait")) return;
    std::vector<std::string> prefer;
    auto pending = PendingNow();
    if (!pending.empty() && rng_.Chance(60)) prefer.push_back(rng_.Pick(pending));
    json set = SignalSet("sigtimedwait", 0, prefer);
    json timeout = json{{"float", 0.0}};
    if (rng_.Chance(20)) timeout = 0;
    if (rng_.Chance(10)) {
      if (auto e = Edge("sigtimedwait", 1, [](const json& v) {
            if (v.is_number()) return v.get<double>() <= 0;
            if (v.is_object() && v.contains("float") && v["float"].is_number()) {
              return v["float"].get<double>() <= 0;
            }
            return false;
          })) {
        timeout = *e;
      }
    }
    Emit(Call("sigtimedwait", json::array({set, timeout})));
    auto members = ReadSet(set);
    if (!members) return Forget();
    for (const SignalArg& m : *members) {
      if (!m.valid) return;
    }
    bool negative = (timeout.is_object() && timeout["float"].is_number() &&
                     timeout["float"].get<double>() < 0) ||
                    (timeout.is_number() && timeout.get<double>() < 0);
    if (!negative) Consume(*members);
  }

  void Sigwait() {
    auto pending = PendingNow();
    if (pending.empty()) return;
    std::vector<std::string> fns;
    for (const char* fn : {"sigwait", "sigwaitinfo"}) {
      if (CanCall(fn)) fns.push_back(fn);
    }
    if (fns.empty()) return;
    std::string fn = rng_.Pick(fns);
    std::string sig = rng_.Pick(pending);
    json set = json{{"set", json::array({"@" + sig})}};
    // Other members that are blocked are fine: the pending one is taken at once.
    for (const std::string& other : kPool) {
      if (other != sig && sigs_[other].blocked && rng_.Chance(20)) set["set"].push_back("@" + other);
    }
    if (rng_.Chance(20)) set = set["set"];
    Emit(Call(fn, json::array({set})));
    Consume(*ReadSet(set));
  }

  // An asynchronous source with the step that waits for it.
  void Async() {
    if (lost_) return;
    bool timer = CanCall("setitimer") && Has("ITIMER_REAL") && rng_.Chance(40);
    std::string sig = timer ? "SIGALRM" : PoolSignal();
    if (!timer && !Op("parent_kill")) return;
    if (sig == "SIGINT" && !timer) return;
    SignalModel& m = sigs_[sig];
    bool blocked_wait = m.blocked && !m.pending;
    bool handled_wait = !m.blocked && events_ >= 0 &&
                        m.disposition == SignalModel::Disposition::kHandler &&
                        handlers_[m.handler].records;
    if (!blocked_wait && !handled_wait) return;
    if (timer) {
      double seconds = 0.01 * static_cast<double>(1 + rng_.Below(5));
      Emit(Call("setitimer", json::array({"@ITIMER_REAL", json{{"float", seconds}}})));
    } else {
      // Sent only once the program sleeps in the step that waits for it, where both drivers
      // take it: sent at once, it may land in the parent_kill step itself or between the two,
      // one run here and the other there (a flaky difference of no meaning).
      json kill = json{{"do", "parent_kill"}, {"sig", sig}};
      if (Op("parent_kill_once_blocked")) kill["once_blocked"] = true;
      Emit(kill);
    }
    if (blocked_wait) {
      std::vector<std::string> fns;
      for (const char* fn : {"sigwait", "sigwaitinfo"}) {
        if (CanCall(fn)) fns.push_back(fn);
      }
      if (CanCall("sigtimedwait")) fns.push_back("sigtimedwait");
      if (fns.empty()) {
        steps_.erase(steps_.end() - 1);
        return;
      }
      std::string fn = rng_.Pick(fns);
      json args = json::array({json{{"set", json::array({"@" + sig})}}});
      if (fn == "sigtimedwait") args.push_back(json{{"float", kAsyncWaitSeconds}});
      json step = Call(fn, args);
      step["note"] = kWaitsNote;
      Emit(step);
      return;
    }
    if (!Op("wait")) {
      steps_.erase(steps_.end() - 1);
      return;
    }
    Deliver(sig);
    if (events_ < 0) return Forget();
    Emit(json{{"do", "wait"}, {"events", events_}, {"timeout", kAsyncWaitSeconds},
              {"note", kWaitsNote}});
  }

  // Timer calls that never fire during the program.
  void Timers() {
    std::vector<std::string> fns;
    for (const char* fn : {"getitimer", "setitimer", "alarm"}) {
      if (CanCall(fn)) fns.push_back(fn);
    }
    if (fns.empty()) return;
    std::string fn = rng_.Pick(fns);
    static const std::vector<std::string> kWhich = {"ITIMER_REAL", "ITIMER_VIRTUAL", "ITIMER_PROF"};
    auto which = [&]() -> json {
      if (rng_.Chance(12)) {
        if (auto e = Edge(fn, 0, [](const json& v) { return v.is_number_integer(); })) return *e;
      }
      return "@" + rng_.Pick(kWhich);
    };
    // A duration that cannot elapse during the program: 0 (disarm), at least 50 s, or an
    // invalid value from the catalog (negative, nan, inf).
    auto never_fires = [](const json& v) {
      double d;
      if (v.is_number()) {
        d = v.get<double>();
      } else if (v.is_object() && v.contains("float")) {
        if (v["float"].is_string()) return true;  // "nan", "inf", "-inf"
        d = v["float"].get<double>();
      } else {
        return false;
      }
      return d <= 0 || d >= 50 || std::isnan(d);
    };
    if (fn == "getitimer") {
      Emit(Call("getitimer", json::array({which()})));
      return;
    }
    if (fn == "alarm") {
      json t = rng_.Chance(50) ? json(0) : json(100);
      if (rng_.Chance(20)) t = Edge("alarm", 0, never_fires).value_or(t);
      Emit(Call("alarm", json::array({t})));
      return;
    }
    json secs = rng_.Chance(50) ? json{{"float", 0.0}} : json{{"float", 100.0}};
    if (rng_.Chance(20)) secs = Edge("setitimer", 1, never_fires).value_or(secs);
    json args = json::array({which(), secs});
    if (rng_.Chance(30)) {
      json interval = rng_.Chance(50) ? json{{"float", 0.0}} : json{{"float", 200.0}};
      if (rng_.Chance(20)) interval = Edge("setitimer", 2, never_fires).value_or(interval);
      args.push_back(interval);
    }
    Emit(Call("setitimer", args));
  }

  void Misc() {
    std::vector<std::string> fns;
    for (const char* fn : {"strsignal", "valid_signals", "siginterrupt", "default_int_handler"}) {
      if (CanCall(fn)) fns.push_back(fn);
    }
    if (fns.empty()) return;
    std::string fn = rng_.Pick(fns);
    if (fn == "valid_signals") {
      Emit(Call(fn, json::array()));
    } else if (fn == "strsignal") {
      Emit(Call(fn, json::array({AnySignal(fn, 0).arg})));
    } else if (fn == "siginterrupt") {
      Emit(Call(fn, json::array({AnySignal(fn, 0).arg, rng_.Chance(50)})));
    } else {
      Emit(Call(fn, json::array({AnySignal(fn, 0).arg, nullptr})));
    }
  }

  bool EnsureWakeupPipe() {
    if (pipe_bound_) return true;
    if (!Op("pipe") || !Op("set_blocking") || !CanCall("set_wakeup_fd")) return false;
    Emit(json{{"do", "pipe"}, {"bind", json::array({"r", "w"})}});
    Emit(json{{"do", "set_blocking"}, {"fd", "$r"}, {"blocking", false}});
    Emit(json{{"do", "set_blocking"}, {"fd", "$w"}, {"blocking", false}});
    pipe_bound_ = true;
    return true;
  }

  void Wakeup() {
    if (!EnsureWakeupPipe()) return;
    size_t r = rng_.Below(100);
    if (r < 55 || !wakeup_set_) {
      json fd = "$w";
      if (rng_.Chance(15)) {
        // Catalog edges that cannot be one of the program's own descriptors (the observation
        // stream is descriptor 3): negative numbers and numbers far above the open ones.
        fd = Edge("set_wakeup_fd", 0, [](const json& v) {
               return v.is_number_integer() && (v.get<double>() < 0 || v.get<double>() >= 1000);
             }).value_or(json(-1));
      }
      json step = Call("set_wakeup_fd", json::array({fd}));
      const SurfaceName* n = in_.surface->Find("set_wakeup_fd");
      const Parameter* warn = n ? n->FindParameter("warn_on_full_buffer") : nullptr;
      if (warn && CompareVersions(warn->since, in_.language_version) <= 0 && rng_.Chance(20)) {
        step["kwargs"] = json{{"warn_on_full_buffer", rng_.Chance(50)}};
      }
      Emit(step);
      wakeup_set_ = true;
    } else if (Op("read")) {
      Emit(json{{"do", "read"}, {"fd", "$r"}, {"size", 64}});
    }
  }

  // A signal pending across a mask change.
  void PendingAcrossMask() {
    std::string sig = PoolSignal();
    if (!SafeToSendBlocked(sig)) return;
    Mask(std::string("SIG_BLOCK"), {sig});
    SendStep(sig);
    if (rng_.Chance(50) && CanCall("sigpending")) Emit(Call("sigpending", json::array()));
    Mask(rng_.Chance(70) ? std::string("SIG_UNBLOCK") : std::string("SIG_SETMASK"), {sig});
  }

  bool SafeToSendBlocked(const std::string& sig) {
    const SignalModel& m = sigs_[sig];
    if (m.disposition == SignalModel::Disposition::kUnknown || lost_) return false;
    return m.disposition != SignalModel::Disposition::kDefault || DefaultIgnores(sig) ||
           rng_.Chance(4);
  }

  // A handler swapped while its signal is pending.
  void SwapWhilePending() {
    std::string sig = PoolSignal();
    if (!SafeToSendBlocked(sig) || !CanCall("signal")) return;
    if (rng_.Chance(60)) SetHandler(ReadSignal("@" + sig), json{{"handler", rng_.Pick(handler_names_)}});
    Mask(std::string("SIG_BLOCK"), {sig});
    SendStep(sig);
    size_t r = rng_.Below(100);
    json h = r < 60 ? json{{"handler", rng_.Pick(handler_names_)}} : r < 85 ? json("@SIG_IGN")
                                                                          : json("@SIG_DFL");
    if (h == "@SIG_DFL" && !DefaultIgnores(sig) && !rng_.Chance(10)) h = "@SIG_IGN";
    SetHandler(ReadSignal("@" + sig), h);
    Mask(std::string("SIG_UNBLOCK"), {sig});
  }

  // A raising handler with other signals pending.
  void RaisingWithOthers() {
    if (!CanCall("signal")) return;
    std::string a = "SIGUSR1", b = "SIGUSR2";
    if (rng_.Chance(40)) std::swap(a, b);
    SetHandler(ReadSignal("@" + a), json{{"handler", "boom"}});
    SetHandler(ReadSignal("@" + b), json{{"handler", rng_.Chance(70) ? "rec" : "boom"}});
    Mask(std::string("SIG_BLOCK"), {"SIGUSR1", "SIGUSR2"});
    SendStep(a);
    SendStep(b);
    if (rng_.Chance(50)) {
      Mask(std::string("SIG_UNBLOCK"), {"SIGUSR1", "SIGUSR2"});
    } else {
      Mask(std::string("SIG_SETMASK"), {});
    }
    if (rng_.Chance(60) && Op("check")) Emit(json{{"do", "check"}});
  }

  // A wakeup byte against a sigwait: the signal taken by sigwait never reaches a handler, so
  // no byte is written for it.
  void WakeupAgainstSigwait() {
    if (!EnsureWakeupPipe()) return;
    if (!wakeup_set_) {
      Emit(Call("set_wakeup_fd", json::array({"$w"})));
      wakeup_set_ = true;
    }
    std::string sig = rng_.Chance(60) ? "SIGUSR1" : "SIGUSR2";
    if (sigs_[sig].disposition == SignalModel::Disposition::kUnknown || lost_) return;
    if (rng_.Chance(70)) SetHandler(ReadSignal("@" + sig), json{{"handler", rng_.Pick(handler_names_)}});
    Mask(std::string("SIG_BLOCK"), {sig});
    SendStep(sig);
    Sigwait();
    if (Op("read")) Emit(json{{"do", "read"}, {"fd", "$r"}, {"size", 64}});
  }

  const GeneratorInputs& in_;
  Rng rng_;
  json doc_ = json::object();
  json steps_ = json::array();
  std::map<std::string, SignalModel> sigs_;
  std::map<std::string, HandlerKind> handlers_;
  std::vector<std::string> handler_names_;
  int events_ = 0;      // handler events recorded so far; -1 once the model cannot tell
  bool ended_ = false;  // the model expects the process to have ended
  bool closed_ = false; // nothing more may be added (see DeliverUnblockedPending)
  bool lost_ = false;   // the model no longer follows the mask
  bool main_bound_ = false;
  bool pidfd_bound_ = false;
  bool pipe_bound_ = false;
  bool wakeup_set_ = false;
};

}  // namespace

json GenerateProgram(const GeneratorInputs& inputs, uint64_t seed, uint64_t index) {
  return Builder(inputs, seed, index).Build();
}

}  // namespace sigconform

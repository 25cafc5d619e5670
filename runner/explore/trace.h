// What two runs of one program are compared on (`sigconform explore`): the observations of a
// driver run, reduced to what must be the same on two conforming implementations and on two
// runs of one implementation.
//
// Kept: every step's outcome in stream order (its value as a matcher of the case language, or
// its exception's type and errno), every handler event (handler, signal, thread, frame) where
// it fell between the steps, stray exceptions, whether `done` came, and how the process ended.
// Left out, because they legitimately differ between two runs: times (`t`, `t0`, `t1`), the
// values of steps that return process or thread ids, descriptors or timer readings (their type
// is kept: see VolatileStep), the `si_pid`, `si_uid` and `si_band` of a
// siginfo structure (the sender; on Linux si_band overlays its pid; as root each side's driver
// runs as a user of its own), exception messages (their
// wording is not specified), parent requests, standard output and error; and where the
// handlers left waiting by a raising handler run relative to the record of the step that
// raised (the driver's next safe point: CPython's before the record, the reference's after),
// so such a step's record is placed after them (and a late handler's exception of the same
// type, which CPython reports as the step's and the reference as a stray, counts once); and
// when an asynchronous source's signal (parent_kill, a short timer: the step before one noted
// kWaitsNote) arrives between the start of the source step and the end of the step waiting for
// it, as the case language's cumulative `events` allow: the source's record is placed before
// the handler events that came between it and the step before, and left out when the run
// ended by a signal with no step recorded after it (the signal may end the process before or
// after the driver writes it).
#ifndef SIGCONFORM_RUNNER_EXPLORE_TRACE_H_
#define SIGCONFORM_RUNNER_EXPLORE_TRACE_H_

#include <string>

#include <nlohmann/json.hpp>

#include "case.h"
#include "run_record.h"

namespace sigconform {

// Whether a step's value differs from run to run by nature (ids, descriptors, clock readings):
// calls of getitimer, setitimer, alarm and set_wakeup_fd; the actions pipe, socketpair, ident,
// process_info, pidfd_open, spawn, burn_cpu, sleep, fill, native_busy.
bool VolatileStep(const nlohmann::json& step);

// An observed value (driver-protocol encoding) as a matcher of the case language that matches
// it; with `shape_only`, ints and floats become {"$type": ...}. Bounded by the observation
// stream's own size cap; nesting deeper than 64 levels becomes {"$any": true}.
nlohmann::json ValueToMatcher(const nlohmann::json& value, bool shape_only);

// The trace of one run of `program` (a validated case): an array of items, in stream order:
//   {"step": PATH, "returns": MATCHER}   {"step": PATH, "raises": {"type": T, "errno": E}}
//   {"event": {"handler": H, "sig": NAME, "thread": T, "frame": F}}   {"stray": T}
//   {"end": {"code": N} | {"signal": NAME} | "timeout" | "error: ..."}, {"done": BOOL}
// The last two items are always there, in that order. Never throws.
nlohmann::json TraceOf(const Case& program, const RunRecord& run);

// The first difference between two traces, for people: "step 3: A returns {...}, B raises
// ValueError". Empty when the traces are equal. `a_name`/`b_name` name the two sides.
std::string FirstDifference(const nlohmann::json& a, const nlohmann::json& b,
                            const std::string& a_name, const std::string& b_name);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_EXPLORE_TRACE_H_

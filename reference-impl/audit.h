// Audit hooks, the library's counterpart of sys.addaudithook() and sys.audit(): functions of
// the module that the documentation says raise an audit event (pthread_kill raises
// "signal.pthread_kill" with (thread_id, signalnum)) call Audit() before they act.
#ifndef SIGREF_AUDIT_H_
#define SIGREF_AUDIT_H_

#include <functional>
#include <string>

#include "value.h"

namespace sigref {

// Called with the event's name and its arguments (a tuple). May throw a BaseException: the
// audited operation is then not carried out, and the exception propagates from it.
using AuditHook = std::function<void(const std::string& event, const Value& args)>;

// Adds a hook; hooks cannot be removed (as in Python). Safe to call from any thread.
void AddAuditHook(AuditHook hook);

// Calls every hook, in the order they were added, with (event, args). Not for signal handlers.
void Audit(const std::string& event, const Value& args);

}  // namespace sigref

#endif  // SIGREF_AUDIT_H_

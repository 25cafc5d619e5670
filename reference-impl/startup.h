// Module start-up: what the interpreter does to signal dispositions before any user code.
#ifndef SIGREF_STARTUP_H_
#define SIGREF_STARTUP_H_

namespace sigref {

// Call once, from the thread that will be the main thread, before anything else of sigref.
// Later calls do nothing.
// 1. Records the main thread.
// 2. Ignores SIGPIPE and SIGXFSZ, so a write to a broken pipe fails with EPIPE
//    (BrokenPipeError) and a write past RLIMIT_FSIZE fails with EFBIG, instead of killing.
// 3. Fills the handler table from the dispositions inherited through exec: SIG_DFL or SIG_IGN
//    where they are those, None for anything else.
// 4. SIGINT gets default_int_handler, but only if it was inherited as SIG_DFL: a parent that
//    ignored SIGINT (nohup, a background job) keeps it ignored.
void Initialize();

// Call in a child right after fork(), before anything else runs there, as the interpreter does
// after os.fork() (CPython's PyOS_AfterFork_Child): the calling thread becomes the main thread,
// and the signals that tripped in the parent but whose handlers had not run yet are dropped,
// so that a handler never runs in both processes for one signal.
void AfterForkInChild();

}  // namespace sigref

#endif  // SIGREF_STARTUP_H_

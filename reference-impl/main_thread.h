// Which thread is the "main thread": the only one that runs handlers and may set them.
#ifndef SIGREF_MAIN_THREAD_H_
#define SIGREF_MAIN_THREAD_H_

namespace sigref {

// Records the calling thread as the main thread. Called once by Initialize().
void RecordMainThread();
// True in the thread RecordMainThread() ran in (and, before it ran, in no thread).
bool IsMainThread();
// The main thread's identifier as threading.get_ident() gives it (pthread_t as an integer).
unsigned long MainThreadIdent();
// The calling thread's identifier, the same way.
unsigned long CurrentThreadIdent();

}  // namespace sigref

#endif  // SIGREF_MAIN_THREAD_H_

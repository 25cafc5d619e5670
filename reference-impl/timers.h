// alarm(), setitimer(), getitimer().
#ifndef SIGREF_TIMERS_H_
#define SIGREF_TIMERS_H_

#include "value.h"

namespace sigref {

// signal.alarm(seconds): schedules SIGALRM (0 cancels) and returns the seconds that were left
// on the previous alarm, as alarm(2) reports them (0 when none). Like CPython, the C int is
// handed to alarm(2) as an unsigned int, so -1 asks for 4294967295 seconds.
long Alarm(int seconds);

// signal.setitimer(which, seconds, interval=0.0): arms the interval timer and returns the old
// (delay, interval) as a tuple of floats. Times are rounded up to the next microsecond.
// ItimerError (an OSError) with setitimer's errno, EINVAL for an invalid `which` or a negative
// time. The times come through ToSeconds, which refuses NaN and times too large.
Value Setitimer(int which, double seconds, double interval);

// signal.getitimer(which): the current (delay, interval) as a tuple of floats. ItimerError
// (EINVAL) for an invalid `which`.
Value Getitimer(int which);

}  // namespace sigref

#endif  // SIGREF_TIMERS_H_

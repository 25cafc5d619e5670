// The observation stream of spec/driver-protocol.md: JSON lines on a dedicated descriptor.
#ifndef SIGREF_DRIVER_OBS_STREAM_H_
#define SIGREF_DRIVER_OBS_STREAM_H_

#include <mutex>

#include <nlohmann/json.hpp>

namespace sigref_driver {

// Writes records, one line each, with one write(2) per line under a mutex, so that records of
// several threads never interleave. Adds "t": seconds since construction, monotonic.
class ObsStream {
 public:
  // `fd` is the stream's descriptor (made close-on-exec here, so programs the case starts do
  // not keep it open).
  explicit ObsStream(int fd);

  // Adds "t" and writes the record. Never throws: a runner that stopped reading cannot be told.
  void Emit(nlohmann::json record);

  // Seconds since construction on the monotonic clock (for t0/t1 of steps).
  double Now() const;

  // In a child right after fork(): only the forking thread exists there, so the mutex is made
  // anew in case another thread of the parent held it at the fork (it would never be freed).
  void ResetAfterFork();

 private:
  int fd_;            // Where records go.
  double start_;      // CLOCK_MONOTONIC at construction, in seconds.
  std::mutex mutex_;  // One writer at a time: a line longer than PIPE_BUF may take two writes.
};

}  // namespace sigref_driver

#endif  // SIGREF_DRIVER_OBS_STREAM_H_

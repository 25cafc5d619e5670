// Splitting a driver's observation stream (descriptor 3) into records, as bytes arrive.
#ifndef SIGCONFORM_RUNNER_OBSERVATION_STREAM_H_
#define SIGCONFORM_RUNNER_OBSERVATION_STREAM_H_

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sigconform {

// Incremental parser of the observation stream (spec/driver-protocol.md, "Records"): feed it
// bytes in pieces of any size; each complete line that is a JSON object with an "ev" string
// becomes a record, anything else a protocol error naming the line. It never throws on what
// a driver writes, and it never holds more than `limit` bytes of input in total.
class ObservationStream {
 public:
  // Called for each `request` record (`{"ev":"request","op":"kill","sig":"SIGUSR1"}`) as soon
  // as its line is complete, so the supervisor can act while the driver runs. Returns empty
  // when the request was carried out, or why not (it becomes a protocol error of that line).
  // The record is also kept in records().
  using RequestHandler = std::function<std::string(const nlohmann::json& record)>;

  static constexpr size_t kDefaultLimit = 8u << 20;  // 8 MiB

  // `limit`: the number of bytes accepted in total; later bytes are dropped.
  explicit ObservationStream(size_t limit = kDefaultLimit) : limit_(limit) {}

  void set_request_handler(RequestHandler handler) { request_handler_ = std::move(handler); }

  // Takes the next `size` bytes of the stream.
  void Feed(const char* data, size_t size);

  // The stream ended (end-of-file). A last line without its newline is a protocol error,
  // unless the stream was truncated (then the cut is ours, not the driver's). Call once.
  void Finish();

  // Records in the order they were read: JSON objects with an "ev" string.
  std::vector<nlohmann::json>& records() { return records_; }
  // "line 7: not a JSON object: <first 200 bytes>" and the like, in stream order.
  std::vector<std::string>& protocol_errors() { return protocol_errors_; }
  // True once the stream passed `limit` bytes; the rest was dropped, and so was the
  // incomplete line at the cut.
  bool truncated() const { return truncated_; }
  // Lines completed so far (the number of the last line handled).
  size_t lines() const { return line_number_; }

 private:
  void HandleLine(const std::string& line);
  void AddError(const std::string& what, const std::string& line);

  size_t limit_;
  size_t accepted_ = 0;   // bytes taken so far (never more than limit_)
  bool truncated_ = false;
  bool finished_ = false;
  size_t line_number_ = 0;
  std::string partial_;  // bytes of the line not yet ended by '\n'
  RequestHandler request_handler_;
  std::vector<nlohmann::json> records_;
  std::vector<std::string> protocol_errors_;
};

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_OBSERVATION_STREAM_H_

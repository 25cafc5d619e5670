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
// a driver writes, and whatever the driver writes its memory stays bounded:
//  - at most `limit` bytes of input are taken in total; later bytes are dropped (truncated());
//  - one line is at most kRecordBounds.max_bytes long and is parsed within kRecordBounds
//    (bounded_json.h: depth, number of values, no duplicate key); a longer line is skipped
//    as it arrives, never held whole, and is a protocol error;
//  - the records kept cost at most `kept_limit` bytes of the runner's memory, counted as their
//    text plus kValueCost bytes per JSON value (a json node, a map node, a key); past that the
//    stream counts as truncated and the rest is dropped;
//  - at most kMaxProtocolErrors messages are kept; Finish() adds one that counts the others.
class ObservationStream {
 public:
  // Called for each `request` record (`{"ev":"request","op":"kill","sig":"SIGUSR1"}`) as soon
  // as its line is complete, so the supervisor can act while the driver runs. Returns empty
  // when the request was carried out, or why not (it becomes a protocol error of that line).
  // The record is also kept in records().
  using RequestHandler = std::function<std::string(const nlohmann::json& record)>;

  static constexpr size_t kDefaultLimit = 8u << 20;  // 8 MiB
  // What a kept record costs beyond its text, per JSON value in it (measured: a record of
  // small values costs 60 to 110 bytes a value once parsed).
  static constexpr size_t kValueCost = 96;
  // A real case's records cost a few tens of kilobytes at most.
  static constexpr size_t kDefaultKeptLimit = 12u << 20;
  static constexpr size_t kMaxProtocolErrors = 20;

  // `limit`: the number of bytes accepted in total; later bytes are dropped. `kept_limit`: what
  // the records kept may cost (see above).
  explicit ObservationStream(size_t limit = kDefaultLimit, size_t kept_limit = kDefaultKeptLimit)
      : limit_(limit), kept_limit_(kept_limit) {}

  void set_request_handler(RequestHandler handler) { request_handler_ = std::move(handler); }

  // Takes the next `size` bytes of the stream.
  void Feed(const char* data, size_t size);

  // The stream ended (end-of-file). A last line without its newline is a protocol error,
  // unless the stream was truncated (then the cut is ours, not the driver's). Call once.
  void Finish();

  // Records in the order they were read: JSON objects with an "ev" string.
  std::vector<nlohmann::json>& records() { return records_; }
  // "line 7: not a JSON object: <first 200 bytes>" and the like, in stream order; at most
  // kMaxProtocolErrors of them, plus one "(N more protocol errors)" after Finish().
  std::vector<std::string>& protocol_errors() { return protocol_errors_; }
  // True once the stream passed `limit` bytes or its records `kept_limit`; the rest was
  // dropped, and so was the incomplete line at the cut.
  bool truncated() const { return truncated_; }
  // Lines completed so far (the number of the last line handled).
  size_t lines() const { return line_number_; }

 private:
  void EndLine();
  void HandleLine(const std::string& line);
  void AddError(const std::string& what, const std::string& line);

  size_t limit_;
  size_t kept_limit_;
  size_t accepted_ = 0;   // bytes taken so far (never more than limit_)
  size_t kept_cost_ = 0;  // what records_ costs, as counted against kept_limit_
  bool truncated_ = false;
  bool finished_ = false;
  size_t line_number_ = 0;
  std::string partial_;      // bytes of the line not yet ended by '\n'
  size_t overlong_ = 0;      // bytes of the current line dropped for being too long; 0 if none
  size_t errors_dropped_ = 0;  // protocol errors past kMaxProtocolErrors, counted only
  RequestHandler request_handler_;
  std::vector<nlohmann::json> records_;
  std::vector<std::string> protocol_errors_;
};

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_OBSERVATION_STREAM_H_

#include "observation_stream.h"

#include <algorithm>
#include <cstring>

#include "bounded_json.h"

namespace sigconform {
namespace {

constexpr size_t kQuoteBytes = 200;  // how much of a bad line an error message quotes

}  // namespace

void ObservationStream::Feed(const char* data, size_t size) {
  if (finished_ || truncated_) return;
  const bool cut = accepted_ + size > limit_;
  if (cut) size = limit_ - accepted_;
  accepted_ += size;
  const char* end = data + size;
  while (data < end && !truncated_) {
    const char* newline = static_cast<const char*>(std::memchr(data, '\n', end - data));
    const char* stop = newline == nullptr ? end : newline;
    // Keep at most one byte past the bound of a line, so that an endless line is known to be
    // too long without ever being held whole.
    const size_t room = kRecordBounds.max_bytes + 1 - std::min(partial_.size(),
                                                                kRecordBounds.max_bytes + 1);
    const size_t take = std::min(static_cast<size_t>(stop - data), room);
    partial_.append(data, take);
    overlong_ += static_cast<size_t>(stop - data) - take;
    if (newline == nullptr) break;
    EndLine();
    data = newline + 1;
  }
  if (cut) truncated_ = true;
  if (truncated_) partial_.clear();  // the line at the cut can never be completed
}

void ObservationStream::EndLine() {
  ++line_number_;
  if (partial_.size() > kRecordBounds.max_bytes) {
    AddError("a record longer than " + std::to_string(kRecordBounds.max_bytes) +
                 " bytes (" + std::to_string(partial_.size() + overlong_) + "); skipped",
             partial_);
  } else {
    HandleLine(partial_);
  }
  partial_.clear();
  overlong_ = 0;
}

void ObservationStream::Finish() {
  if (finished_) return;
  finished_ = true;
  if (!partial_.empty() && !truncated_) {
    AddError("last line has no newline", partial_);
  }
  partial_.clear();
  if (errors_dropped_ > 0) {
    protocol_errors_.push_back("(" + std::to_string(errors_dropped_) +
                               " more protocol errors)");
  }
}

void ObservationStream::AddError(const std::string& what, const std::string& line) {
  if (protocol_errors_.size() >= kMaxProtocolErrors) {
    ++errors_dropped_;
    return;
  }
  std::string message = "line " + std::to_string(line_number_ + (finished_ ? 1 : 0)) + ": " + what;
  message += ": ";
  message.append(line, 0, kQuoteBytes);
  if (line.size() > kQuoteBytes) message += "...";
  protocol_errors_.push_back(std::move(message));
}

void ObservationStream::HandleLine(const std::string& line) {
  // Whatever a driver writes is data, never a runner crash: a bounded parse without
  // exceptions.
  nlohmann::json value;
  JsonError error;
  size_t values = 0;
  if (!ParseBoundedJson(line, kRecordBounds, &value, &error, &values)) {
    if (error.message.rfind("invalid JSON", 0) == 0) {
      AddError("not a JSON object", line);
    } else {
      AddError(error.message + (error.json_path.empty() ? "" : " at " + error.json_path), line);
    }
    return;
  }
  if (!value.is_object()) {
    AddError("not a JSON object", line);
    return;
  }
  auto ev = value.find("ev");
  if (ev == value.end() || !ev->is_string()) {
    AddError("record without an \"ev\" string", line);
    return;
  }
  const size_t cost = line.size() + kValueCost * values;
  if (kept_cost_ + cost > kept_limit_) {
    // Past this the records would cost the runner more than a driver is allowed; the stream
    // is cut here, as at the byte limit.
    truncated_ = true;
    return;
  }
  kept_cost_ += cost;
  if (*ev == "request" && request_handler_) {
    std::string problem = request_handler_(value);
    if (!problem.empty()) AddError(problem, line);
  }
  records_.push_back(std::move(value));
}

}  // namespace sigconform

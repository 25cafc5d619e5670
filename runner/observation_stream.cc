#include "observation_stream.h"

#include <cstring>

namespace sigconform {
namespace {

constexpr size_t kQuoteBytes = 200;  // how much of a bad line an error message quotes

}  // namespace

void ObservationStream::Feed(const char* data, size_t size) {
  if (finished_) return;
  if (accepted_ + size > limit_) {
    size = limit_ - accepted_;
    truncated_ = true;
  }
  accepted_ += size;
  const char* end = data + size;
  while (data < end) {
    const char* newline = static_cast<const char*>(std::memchr(data, '\n', end - data));
    if (newline == nullptr) {
      partial_.append(data, end);
      break;
    }
    partial_.append(data, newline);
    ++line_number_;
    HandleLine(partial_);
    partial_.clear();
    data = newline + 1;
  }
  if (truncated_) partial_.clear();  // the line at the cut can never be completed
}

void ObservationStream::Finish() {
  if (finished_) return;
  finished_ = true;
  if (!partial_.empty() && !truncated_) {
    AddError("last line has no newline", partial_);
  }
  partial_.clear();
}

void ObservationStream::AddError(const std::string& what, const std::string& line) {
  std::string message = "line " + std::to_string(line_number_ + (finished_ ? 1 : 0)) + ": " + what;
  message += ": ";
  message.append(line, 0, kQuoteBytes);
  if (line.size() > kQuoteBytes) message += "...";
  protocol_errors_.push_back(std::move(message));
}

void ObservationStream::HandleLine(const std::string& line) {
  // Parsing without exceptions: whatever a driver writes is data, never a runner crash.
  nlohmann::json value = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded() || !value.is_object()) {
    AddError("not a JSON object", line);
    return;
  }
  auto ev = value.find("ev");
  if (ev == value.end() || !ev->is_string()) {
    AddError("record without an \"ev\" string", line);
    return;
  }
  if (*ev == "request" && request_handler_) {
    std::string problem = request_handler_(value);
    if (!problem.empty()) AddError(problem, line);
  }
  records_.push_back(std::move(value));
}

}  // namespace sigconform

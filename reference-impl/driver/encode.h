// Value and exception encodings of spec/driver-protocol.md ("Value encoding", "Exceptions").
#ifndef SIGREF_DRIVER_ENCODE_H_
#define SIGREF_DRIVER_ENCODE_H_

#include <nlohmann/json.hpp>

#include "errors.h"
#include "value.h"

namespace sigref_driver {

// V: the protocol's encoding of a value. Sets are sorted by integer value where their items
// are numbers.
nlohmann::json EncodeValue(const sigref::Value& value);

// E: {"type", "mro", "errno", "message"}.
nlohmann::json EncodeException(const sigref::BaseException& e);

}  // namespace sigref_driver

#endif  // SIGREF_DRIVER_ENCODE_H_

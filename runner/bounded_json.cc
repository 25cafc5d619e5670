#include "bounded_json.h"

#include <utility>
#include <vector>

#include "text.h"

namespace sigconform {
namespace {

using nlohmann::json;

// nlohmann's messages start with a tag ("[json.exception.parse_error.101] ") that means
// nothing to the author of a file.
std::string WithoutTag(const std::string& what) {
  const size_t tag_end = what.find("] ");
  if (what.rfind("[json.", 0) == 0 && tag_end != std::string::npos) {
    return what.substr(tag_end + 2);
  }
  return what;
}

// A SAX consumer that builds the document like nlohmann's own DOM parser does, but refuses
// (returns false, which stops the parser at once) as soon as a bound or a duplicate key is
// met. It holds an explicit stack of open containers, so nothing here recurses.
class BoundedBuilder {
 public:
  BoundedBuilder(const JsonBounds& bounds, json* root, JsonError* error)
      : bounds_(bounds), root_(root), error_(error) {}

  bool null() { return Put(json(nullptr)); }
  bool boolean(bool v) { return Put(json(v)); }
  bool number_integer(json::number_integer_t v) { return Put(json(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return Put(json(v)); }
  bool number_float(json::number_float_t v, const json::string_t&) { return Put(json(v)); }
  bool string(json::string_t& v) { return Put(json(std::move(v))); }
  bool binary(json::binary_t& v) { return Put(json::binary(std::move(v))); }

  bool start_object(std::size_t) { return Open(json::object()); }
  bool start_array(std::size_t) { return Open(json::array()); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }

  bool key(json::string_t& k) {
    if (!Count()) return false;
    Frame& top = frames_.back();
    if (top.value->contains(k)) {
      return Fail(JsonPointerChild(Path(false), k),
                  "duplicate key '" + k + "': a key may appear only once in an object");
    }
    top.key = std::move(k);
    return true;
  }

  size_t values() const { return values_; }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    return Fail("", "invalid JSON: " + WithoutTag(e.what()));
  }

 private:
  // One open array or object, and where its next member goes.
  struct Frame {
    json* value;
    std::string key;  // objects: the key read last, whose value comes next
  };

  bool Fail(std::string path, std::string message) {
    error_->json_path = std::move(path);
    error_->message = std::move(message);
    return false;
  }

  bool Count() {
    if (++values_ <= bounds_.max_values) return true;
    return Fail(Path(true), "more than " + std::to_string(bounds_.max_values) +
                                " values: the document is too large");
  }

  // Where the next value goes: the root, the end of the open array, or the open object under
  // the key just read. Pointers to open containers stay valid: an array only grows once the
  // container opened in it has closed, and map nodes never move.
  json* Place(json&& value) {
    if (frames_.empty()) {
      *root_ = std::move(value);
      return root_;
    }
    Frame& top = frames_.back();
    if (top.value->is_array()) {
      top.value->push_back(std::move(value));
      return &top.value->back();
    }
    json& slot = (*top.value)[top.key];
    slot = std::move(value);
    return &slot;
  }

  bool Put(json&& value) {
    if (!Count()) return false;
    Place(std::move(value));
    return true;
  }

  bool Open(json&& container) {
    if (!Count()) return false;
    if (frames_.size() >= bounds_.max_depth) {
      return Fail(Path(true), "nested deeper than " + std::to_string(bounds_.max_depth) +
                                  " arrays and objects");
    }
    json* placed = Place(std::move(container));
    frames_.push_back({placed, std::string()});
    return true;
  }

  bool Close() {
    frames_.pop_back();
    return true;
  }

  // The JSON Pointer of the open containers; with `pending`, also of the place where the
  // next value of the innermost one goes.
  std::string Path(bool pending) const {
    std::string path;
    for (size_t i = 0; i < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      const bool innermost = i + 1 == frames_.size();
      if (innermost && !pending) break;
      if (f.value->is_array()) {
        const size_t size = f.value->size();
        path += "/" + std::to_string(innermost ? size : size - 1);
      } else {
        path = JsonPointerChild(path, f.key);
      }
    }
    return path;
  }

  const JsonBounds& bounds_;
  json* root_;
  JsonError* error_;
  std::vector<Frame> frames_;
  size_t values_ = 0;
};

}  // namespace

bool ParseBoundedJson(std::string_view text, const JsonBounds& bounds, json* out,
                      JsonError* error, size_t* value_count) {
  if (text.size() > bounds.max_bytes) {
    error->json_path.clear();
    error->message = "the document is " + std::to_string(text.size()) +
                     " bytes long, more than the " + std::to_string(bounds.max_bytes) +
                     " accepted";
    return false;
  }
  json root;
  BoundedBuilder builder(bounds, &root, error);
  bool ok;
  try {
    ok = json::sax_parse(text.begin(), text.end(), &builder);
  } catch (const json::exception& e) {
    // The SAX interface reports syntax errors through parse_error(); anything thrown is
    // nlohmann's own trouble, still reported as bad input rather than a crash.
    error->json_path.clear();
    error->message = "invalid JSON: " + WithoutTag(e.what());
    return false;
  }
  if (value_count != nullptr) *value_count = builder.values();
  if (!ok) return false;
  *out = std::move(root);
  return true;
}

bool WithinJsonDepth(const json& value, size_t max_depth, std::string* where) {
  if (!value.is_structured()) return true;
  // One level per open container: the container, the next child to visit, its index, and
  // the pointer component that leads to it from its parent.
  struct Level {
    const json* container;
    json::const_iterator next;
    size_t index;
    std::string component;
  };
  auto path_of = [](const std::vector<Level>& levels, const std::string& last) {
    std::string path;
    for (size_t i = 1; i < levels.size(); ++i) path += "/" + levels[i].component;
    return path + "/" + last;
  };
  if (max_depth == 0) {
    if (where != nullptr) where->clear();
    return false;
  }
  std::vector<Level> levels;
  levels.push_back({&value, value.cbegin(), 0, std::string()});
  while (!levels.empty()) {
    Level& top = levels.back();
    if (top.next == top.container->cend()) {
      levels.pop_back();
      continue;
    }
    const json& child = *top.next;
    std::string component = top.container->is_object()
                                ? JsonPointerChild("", top.next.key()).substr(1)
                                : std::to_string(top.index);
    ++top.next;
    ++top.index;
    if (!child.is_structured()) continue;
    if (levels.size() >= max_depth) {
      if (where != nullptr) *where = path_of(levels, component);
      return false;
    }
    levels.push_back({&child, child.cbegin(), 0, std::move(component)});
  }
  return true;
}

}  // namespace sigconform

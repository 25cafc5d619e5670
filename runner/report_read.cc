#include "report_read.h"

#include <set>

#include "bounded_file.h"
#include "status_table.h"
#include "text.h"

namespace sigconform {
namespace {

using nlohmann::json;

// Reads the fields of one JSON object, collecting every problem with its JSON path. Keys not
// read by the time Finish() is called are reported as unknown.
class Fields {
 public:
  Fields(const json& object, std::string path, const std::string& file,
         std::vector<CatalogError>* errors)
      : object_(object), path_(std::move(path)), file_(file), errors_(errors) {}

  bool ok() const { return errors_->size() == errors_at_start_; }

  std::string Path(const std::string& key) const { return JsonPointerChild(path_, key); }

  void Error(const std::string& key, const std::string& message) {
    errors_->push_back({file_, key.empty() ? path_ : Path(key), message});
  }

  const json* Get(const std::string& key, bool required) {
    seen_.insert(key);
    auto it = object_.find(key);
    if (it == object_.end()) {
      if (required) Error("", "missing required key '" + key + "'");
      return nullptr;
    }
    return &*it;
  }

  std::string String(const std::string& key, bool required = false) {
    const json* v = Get(key, required);
    if (v == nullptr) return "";
    if (!v->is_string()) {
      Error(key, std::string("expected a string, got ") + v->type_name());
      return "";
    }
    return v->get<std::string>();
  }

  double Number(const std::string& key, bool required = false) {
    const json* v = Get(key, required);
    if (v == nullptr) return 0;
    if (!v->is_number() || v->get<double>() < 0) {
      Error(key, std::string("expected a number >= 0, got ") + v->dump(-1, ' ', false, json::error_handler_t::replace));
      return 0;
    }
    return v->get<double>();
  }

  long long Integer(const std::string& key, long long lo, long long hi, bool required = false) {
    const json* v = Get(key, required);
    if (v == nullptr) return lo;
    if (!v->is_number_integer() || v->get<long long>() < lo || v->get<long long>() > hi) {
      Error(key, "expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
      return lo;
    }
    return v->get<long long>();
  }

  bool Bool(const std::string& key, bool required = false) {
    const json* v = Get(key, required);
    if (v == nullptr) return false;
    if (!v->is_boolean()) {
      Error(key, std::string("expected true or false, got ") + v->type_name());
      return false;
    }
    return v->get<bool>();
  }

  std::vector<std::string> Strings(const std::string& key, bool required = false) {
    std::vector<std::string> out;
    const json* v = Get(key, required);
    if (v == nullptr) return out;
    if (!v->is_array()) {
      Error(key, std::string("expected an array of strings, got ") + v->type_name());
      return out;
    }
    for (size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string()) {
        errors_->push_back({file_, Path(key) + "/" + std::to_string(i), "expected a string"});
        continue;
      }
      out.push_back((*v)[i].get<std::string>());
    }
    return out;
  }

  const json* Object(const std::string& key, bool required = false) {
    const json* v = Get(key, required);
    if (v != nullptr && !v->is_object()) {
      Error(key, std::string("expected an object, got ") + v->type_name());
      return nullptr;
    }
    return v;
  }

  const json* Array(const std::string& key, bool required = false) {
    const json* v = Get(key, required);
    if (v != nullptr && !v->is_array()) {
      Error(key, std::string("expected an array, got ") + v->type_name());
      return nullptr;
    }
    return v;
  }

  std::optional<Status> StatusValue(const std::string& key, bool required = false) {
    const std::string name = String(key, required);
    if (name.empty()) return std::nullopt;
    std::optional<Status> s = StatusFromName(name);
    if (!s) Error(key, "unknown status '" + name + "'");
    return s;
  }

  // Reports keys that were never asked for: a field this reader does not know would be lost.
  void Finish() {
    for (const auto& item : object_.items()) {
      if (!seen_.count(item.key())) {
        Error(item.key(), "unknown key '" + item.key() + "' (this runner reads report format " +
                              std::to_string(kReportVersion) + ")");
      }
    }
  }

 private:
  const json& object_;
  std::string path_;
  const std::string& file_;
  std::vector<CatalogError>* errors_;
  size_t errors_at_start_ = errors_->size();
  std::set<std::string> seen_;
};

void ReadRun(const json& doc, const std::string& file, RunInfo* run,
             std::vector<CatalogError>* errors) {
  Fields f(doc, "/run", file, errors);
  if (const json* runner = f.Object("runner", true)) {
    Fields r(*runner, f.Path("runner"), file, errors);
    run->runner_version = r.String("version", true);
    run->runner_commit = r.String("commit", true);
    r.Finish();
  }
  run->started_at = f.String("started_at", true);
  run->ended_at = f.String("ended_at", true);
  run->seconds = f.Number("seconds", true);
  run->interrupted = f.Bool("interrupted", true);
  run->interrupted_by = f.String("interrupted_by");
  run->command_line = f.String("command_line", true);
  run->jobs = static_cast<int>(f.Integer("jobs", 1, 1000000, true));
  run->repeat = static_cast<int>(f.Integer("repeat", 1, 1000000, true));
  if (const json* catalog = f.Object("catalog", true)) {
    Fields c(*catalog, f.Path("catalog"), file, errors);
    run->cases_dir = c.String("dir", true);
    run->catalog_digest = c.String("digest", true);
    run->catalog_cases = static_cast<size_t>(c.Integer("cases", 0, 100000000, true));
    run->rules_digest = c.String("rules_digest", true);
    c.Finish();
  }
  if (const json* selection = f.Object("selection", true)) {
    Fields s(*selection, f.Path("selection"), file, errors);
    run->filters = s.Strings("filters", true);
    run->tags = s.Strings("tags", true);
    run->keywords = s.Strings("keywords", true);
    if (const json* shard = s.Object("shard")) {
      Fields k(*shard, s.Path("shard"), file, errors);
      run->shard_count = static_cast<int>(k.Integer("count", 1, 10000, true));
      run->shard_index = static_cast<int>(k.Integer("index", 1, 10000, true));
      if (k.ok() && run->shard_index > run->shard_count) k.Error("index", "the index exceeds the count");
      k.Finish();
    }
    s.Finish();
  }
  if (const json* impls = f.Array("implementations", true)) {
    std::set<std::string> names;
    for (size_t i = 0; i < impls->size(); ++i) {
      const std::string path = f.Path("implementations") + "/" + std::to_string(i);
      if (!(*impls)[i].is_object()) {
        errors->push_back({file, path, "expected an object"});
        continue;
      }
      Fields im((*impls)[i], path, file, errors);
      ImplementationInfo info;
      info.name = im.String("name", true);
      info.spec = im.String("spec", true);
      if (const json* d = im.Object("describe", true)) info.describe = *d;
      info.env = im.Strings("env", true);
      if (const json* fs = im.Object("fork_server", false)) info.fork_server = *fs;
      if (!names.insert(info.name).second) im.Error("name", "implementation '" + info.name + "' is listed twice");
      im.Finish();
      run->implementations.push_back(std::move(info));
    }
  }
  run->base_env = f.Strings("base_env", true);
  if (const json* host = f.Object("host", true)) {
    Fields h(*host, f.Path("host"), file, errors);
    run->host_name = h.String("name", true);
    run->host_os = h.String("os", true);
    run->host_kernel = h.String("kernel", true);
    run->host_machine = h.String("machine", true);
    h.Finish();
  }
  if (const json* sources = f.Array("sources")) run->sources = *sources;
  if (const json* containment = f.Object("containment")) run->containment = *containment;
  run->runner_max_rss_kb = static_cast<long>(f.Integer("runner_max_rss_kb", 0, 1LL << 40));
  f.Finish();
}

Result ReadResult(const json& item, const std::string& path, const std::string& file,
                  const std::map<std::string, const ImplementationInfo*>& impls,
                  std::vector<CatalogError>* errors) {
  Result r;
  Fields f(item, path, file, errors);
  r.case_id = f.String("case", true);
  r.implementation = f.String("implementation", true);
  r.status = f.StatusValue("status", true).value_or(Status::kError);
  r.seconds = f.Number("seconds", true);
  r.title = f.String("title");
  r.message = f.String("message");
  r.step = f.String("step");
  r.step_text = f.String("step_text");
  if (const json* v = f.Get("expected", false)) r.expected = *v;
  if (const json* v = f.Get("observed", false)) r.observed = *v;
  r.reproduce = f.String("reproduce");
  r.exit_description = f.String("exit");
  r.stderr_excerpt = f.String("stderr_excerpt");
  r.rules = f.Strings("rules");
  r.tiers = f.Strings("tiers");
  r.isolation = f.String("isolation");
  r.isolation_reason = f.String("isolation_reason");
  if (f.Get("started", false) != nullptr) r.started = f.Number("started");
  if (const json* failures = f.Array("failures")) {
    for (size_t i = 0; i < failures->size(); ++i) {
      const std::string path = f.Path("failures") + "/" + std::to_string(i);
      if (!(*failures)[i].is_object()) {
        errors->push_back({file, path, "expected an object"});
        continue;
      }
      Fields x((*failures)[i], path, file, errors);
      Failure failure;
      failure.message = x.String("message", true);
      failure.step = x.String("step");
      failure.step_text = x.String("step_text");
      if (const json* v = x.Get("expected", false)) failure.expected = *v;
      if (const json* v = x.Get("observed", false)) failure.observed = *v;
      x.Finish();
      r.failures.push_back(std::move(failure));
    }
  }
  auto impl = impls.find(r.implementation);
  if (f.ok() && impl == impls.end()) {
    f.Error("implementation", "implementation '" + r.implementation + "' is not in /run/implementations");
  }
  if (impl != impls.end()) r.env = impl->second->env;
  if (const json* changes = f.Object("env_changes")) {
    std::map<std::string, std::string> env;
    std::vector<std::string> order;
    for (const std::string& entry : r.env) {
      const size_t eq = entry.find('=');
      if (eq == std::string::npos) continue;
      order.push_back(entry.substr(0, eq));
      env[order.back()] = entry.substr(eq + 1);
    }
    for (const auto& [name, value] : changes->items()) {
      if (value.is_null()) {
        env.erase(name);
      } else if (value.is_string()) {
        if (!env.count(name)) order.push_back(name);
        env[name] = value.get<std::string>();
      } else {
        errors->push_back({file, f.Path("env_changes") + "/" + name, "expected a string or null"});
      }
    }
    r.env.clear();
    for (const std::string& name : order) {
      if (env.count(name)) r.env.push_back(name + "=" + env[name]);
    }
  }
  if (const json* e = f.Object("expectation")) {
    Fields x(*e, f.Path("expectation"), file, errors);
    AppliedExpectation applied;
    applied.status = x.StatusValue("status", true).value_or(Status::kFail);
    applied.reason = x.String("reason", true);
    applied.file = x.String("file", true);
    applied.step = x.String("step");
    if (const json* v = x.Get("observed", false)) applied.observed = *v;
    applied.link = x.String("link");
    x.Finish();
    r.expectation = applied;
  }
  if (const json* rep = f.Object("repeat")) {
    Fields x(*rep, f.Path("repeat"), file, errors);
    Repetition repetition;
    repetition.runs = static_cast<int>(x.Integer("runs", 1, 1000000, true));
    for (const std::string& name : x.Strings("verdicts", true)) {
      std::optional<Status> s = StatusFromName(name);
      if (!s) {
        x.Error("verdicts", "unknown status '" + name + "'");
        continue;
      }
      repetition.verdicts.push_back(*s);
    }
    repetition.stability = x.String("stability", true);
    if (x.ok() && repetition.stability != "stable" && repetition.stability != "flaky" &&
        repetition.stability != "broken") {
      x.Error("stability", "expected \"stable\", \"flaky\" or \"broken\"");
    }
    x.Finish();
    r.repetition = repetition;
  }
  f.Finish();
  return r;
}

}  // namespace

std::vector<CatalogError> ReadReport(const json& doc, const std::string& file, LoadedReport* out) {
  std::vector<CatalogError> errors;
  if (!doc.is_object()) return {{file, "", "expected a JSON object (a sigconform report)"}};
  const json version = doc.value("sigconform_report", json());
  if (version != json(kReportVersion)) {
    return {{file, "/sigconform_report",
             "expected report format " + std::to_string(kReportVersion) + ", got " +
                 version.dump(-1, ' ', false, json::error_handler_t::replace) +
                 " (write it again with this version of sigconform)"}};
  }
  LoadedReport loaded;
  loaded.file = file;
  Fields top(doc, "", file, &errors);
  top.Get("sigconform_report", true);
  if (const json* run = top.Object("run", true)) ReadRun(*run, file, &loaded.run, &errors);
  top.Object("summary", true);  // recomputed from the results whenever a report is written
  if (const json* rules = top.Object("rules", true)) {
    for (const auto& [id, value] : rules->items()) {
      const std::string path = JsonPointerChild("/rules", id);
      if (!value.is_object()) {
        errors.push_back({file, path, "expected an object {\"text\", \"tier\", \"section\"}"});
        continue;
      }
      Fields r(value, path, file, &errors);
      RuleText rule;
      rule.text = r.String("text", true);
      rule.tier = r.String("tier", true);
      rule.section = r.String("section", true);
      r.Finish();
      loaded.run.rules[id] = rule;
    }
  }
  if (const json* results = top.Array("results", true)) {
    if (results->size() > kMaxReportResults) {
      errors.push_back({file, "/results", "more than " + std::to_string(kMaxReportResults) + " results"});
    } else {
      std::map<std::string, const ImplementationInfo*> impls;
      for (const ImplementationInfo& impl : loaded.run.implementations) impls[impl.name] = &impl;
      std::set<std::pair<std::string, std::string>> seen;
      for (size_t i = 0; i < results->size(); ++i) {
        const std::string path = "/results/" + std::to_string(i);
        if (!(*results)[i].is_object()) {
          errors.push_back({file, path, "expected an object"});
          continue;
        }
        Result r = ReadResult((*results)[i], path, file, impls, &errors);
        if (!seen.insert({r.implementation, r.case_id}).second) {
          errors.push_back({file, path, "a second result for case '" + r.case_id + "' on '" +
                                            r.implementation + "'"});
        }
        loaded.results.push_back(std::move(r));
      }
    }
  }
  top.Finish();
  if (errors.empty()) *out = std::move(loaded);
  return errors;
}

std::vector<CatalogError> ReadReportFile(const std::string& path, LoadedReport* out) {
  std::string text, error;
  if (!ReadFileBounded(path, kReportFileBounds.max_bytes, &text, &error)) return {{path, "", error}};
  json doc;
  JsonError json_error;
  if (!ParseBoundedJson(text, kReportFileBounds, &doc, &json_error)) {
    return {{path, json_error.json_path, json_error.message}};
  }
  return ReadReport(doc, path, out);
}

}  // namespace sigconform

#include "result_text.h"

#include "matcher.h"

namespace sigconform {
namespace {

using nlohmann::json;

std::string Dump(const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string ExceptionText(const json& e) {
  std::string out = e.is_object() && e.value("type", json()).is_string() ? e["type"].get<std::string>() : "?";
  if (e.is_object() && e.value("message", json()).is_string() && !e["message"].get<std::string>().empty()) {
    out += ": " + e["message"].get<std::string>();
  }
  return out;
}

}  // namespace

std::string ExpectedText(const json& e) {
  if (!e.is_object() || e.size() != 1) return Dump(e);
  const std::string key = e.begin().key();
  const json& v = e.begin().value();
  if (key == "returns") return "returns " + DescribeMatcher(v);
  if (key == "raises") return "raises " + (v.is_string() ? v.get<std::string>() : Dump(v));
  return key + " " + Dump(v);
}

std::string ObservedText(const json& o) {
  if (o.is_object() && o.value("ev", json()) == "step") {
    if (o.value("ok", json()) == true) return "returned " + Describe(o.value("value", json()));
    return "raised " + ExceptionText(o.value("exception", json::object()));
  }
  if (o.is_object() && o.value("ev", json()) == "stray") {
    return "stray exception " + ExceptionText(o.value("exception", json::object()));
  }
  if (o.is_array()) {
    std::string out = "[";
    for (const auto& h : o) {
      if (out.size() > 1) out += ", ";
      if (!h.is_object()) {
        out += Dump(h);
        continue;
      }
      const json signame = h.value("signame", json());
      out += Dump(h.value("handler", json())) + "(" +
             (signame.is_string() ? signame.get<std::string>() : Dump(h.value("signum", json()))) +
             ", thread " + Dump(h.value("thread", json())) + ")";
    }
    return out + "]";
  }
  if (o.is_object() && o.size() == 1 && o.begin().value().is_string()) {
    return o.begin().key() + " " + o.begin().value().get<std::string>();
  }
  return Dump(o);
}

std::string TierText(const std::string& tier) {
  return tier == "compat" ? "settled from CPython" : tier;
}

std::vector<std::pair<std::string, std::string>> ResultFacts(
    const Result& r, const std::map<std::string, RuleText>& rules) {
  std::vector<std::pair<std::string, std::string>> facts;
  try {
    if (!r.title.empty()) facts.emplace_back("case", r.title);
    if (!r.step.empty()) facts.emplace_back("step", r.step + (r.step_text.empty() ? "" : ": " + r.step_text));
    if (!r.expected.is_null()) facts.emplace_back("expected", ExpectedText(r.expected));
    if (!r.observed.is_null()) facts.emplace_back("observed", ObservedText(r.observed));
    // The first failure is the one above; each later one gets a line of its own, so that a
    // known failure does not hide another in the same case.
    for (size_t i = 1; i < r.failures.size(); ++i) {
      const Failure& f = r.failures[i];
      std::string text;
      if (!f.step.empty()) text += "step " + f.step + (f.step_text.empty() ? "" : ": " + f.step_text) + "; ";
      text += f.message;
      if (!f.expected.is_null()) text += "; expected " + ExpectedText(f.expected);
      if (!f.observed.is_null()) text += "; observed " + ObservedText(f.observed);
      facts.emplace_back("failure " + std::to_string(i + 1) + " of " + std::to_string(r.failures.size()), text);
    }
    if (!r.tiers.empty()) {
      std::string tiers;
      for (const std::string& t : r.tiers) tiers += (tiers.empty() ? "" : ", ") + TierText(t);
      facts.emplace_back("tier", tiers);
    }
    for (const std::string& id : r.rules) {
      auto it = rules.find(id);
      facts.emplace_back("rule", it == rules.end()
                                     ? id
                                     : id + ", " + TierText(it->second.tier) + ": " + it->second.text);
    }
    if (!r.exit_description.empty()) facts.emplace_back("exit", r.exit_description);
    if (r.expectation) {
      const AppliedExpectation& e = *r.expectation;
      std::string pinned = StatusName(e.status);
      if (!e.step.empty()) pinned += " at step " + e.step;
      pinned += " (" + e.reason + ")";
      if (!e.link.empty()) pinned += " " + e.link;
      pinned += ", in " + e.file;
      facts.emplace_back("pinned", pinned);
    }
    if (r.repetition) {
      std::string verdicts = r.repetition->stability + ":";
      for (Status s : r.repetition->verdicts) verdicts += std::string(" ") + StatusName(s);
      facts.emplace_back("repeat", verdicts);
    }
    if (!r.reproduce.empty()) facts.emplace_back("reproduce", r.reproduce);
  } catch (const std::exception&) {
    // Rendering a malformed value must not cost the report: what was gathered is kept.
  }
  return facts;
}

}  // namespace sigconform

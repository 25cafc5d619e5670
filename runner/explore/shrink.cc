#include "explore/shrink.h"

#include <set>
#include <string>

#include "catalog.h"
#include "explore/generator.h"

namespace sigconform {
namespace {

using json = nlohmann::json;

bool Valid(const json& doc) {
  return ValidateCase(doc, "explore", doc.value("id", ""), nullptr).empty();
}

bool Waits(const json& step) {
  return step.is_object() && step.contains("note") && step["note"] == kWaitsNote;
}

// The steps without [from, to), widened so that a waiting step never loses its source nor a
// source its wait.
json WithoutRange(const json& steps, size_t from, size_t to) {
  while (from > 0 && from < steps.size() && Waits(steps[from])) from--;
  while (to < steps.size() && Waits(steps[to])) to++;
  json out = json::array();
  for (size_t i = 0; i < steps.size(); i++) {
    if (i < from || i >= to) out.push_back(steps[i]);
  }
  return out;
}

void CollectHandlerNames(const json& v, std::set<std::string>* out) {
  if (v.is_object()) {
    if (v.contains("handler") && v["handler"].is_string() && v.size() == 1) {
      out->insert(v["handler"].get<std::string>());
    }
    for (const auto& [k, item] : v.items()) CollectHandlerNames(item, out);
  } else if (v.is_array()) {
    for (const json& item : v) CollectHandlerNames(item, out);
  }
}

// Simpler forms of one argument.
std::vector<json> SimplerArguments(const json& arg) {
  std::vector<json> out;
  if (arg.is_string()) {
    std::string s = arg;
    if (s.rfind("@SIG", 0) == 0 && s.rfind("@SIG_", 0) != 0 && s != "@SIGUSR1") {
      out.push_back("@SIGUSR1");
    }
  }
  const json* items = nullptr;
  std::string kind;
  if (arg.is_array()) {
    items = &arg;
  } else if (arg.is_object() && arg.contains("set")) {
    items = &arg["set"];
    kind = "set";
  }
  if (items && items->is_array()) {
    for (size_t i = 0; i < items->size(); i++) {
      json fewer = json::array();
      for (size_t j = 0; j < items->size(); j++) {
        if (j != i) fewer.push_back((*items)[j]);
      }
      out.push_back(kind.empty() ? fewer : json{{kind, fewer}});
    }
  }
  return out;
}

}  // namespace

json DropUnusedHandlers(const json& doc) {
  if (!doc.contains("handlers") || !doc.contains("steps")) return doc;
  std::set<std::string> used;
  CollectHandlerNames(doc["steps"], &used);
  json out = doc;
  json kept = json::object();
  for (const auto& [name, h] : doc["handlers"].items()) {
    if (used.count(name)) kept[name] = h;
  }
  out["handlers"] = kept;
  if (kept.empty()) out.erase("handlers");
  return Valid(out) ? out : doc;
}

std::vector<json> ShrinkCandidates(const json& doc) {
  std::vector<json> out;
  auto add = [&](json candidate) {
    if (candidate != doc && Valid(candidate)) out.push_back(std::move(candidate));
  };
  const json& steps = doc["steps"];
  size_t n = steps.size();
  // Runs of steps: halves, quarters, ..., then single steps, last first (later steps depend
  // on earlier ones, so removing from the end succeeds more often).
  for (size_t chunk = n / 2; chunk >= 1; chunk /= 2) {
    for (size_t from = n >= chunk ? n - chunk : 0;; from = from >= chunk ? from - chunk : 0) {
      json c = doc;
      c["steps"] = WithoutRange(steps, from, from + chunk);
      if (!c["steps"].empty()) add(c);
      if (from == 0) break;
    }
    if (chunk == 1) break;
  }
  if (doc.contains("parent")) {
    json c = doc;
    c.erase("parent");
    add(c);
    for (const char* key : {"pending", "ignore", "block"}) {
      if (!doc["parent"].contains(key)) continue;
      const json& list = doc["parent"][key];
      for (size_t i = 0; i < list.size(); i++) {
        json p = doc["parent"];
        json fewer = json::array();
        for (size_t j = 0; j < list.size(); j++) {
          if (j != i) fewer.push_back(list[j]);
        }
        if (fewer.empty()) {
          p.erase(key);
        } else {
          p[key] = fewer;
        }
        if (std::string(key) == "block" && p.contains("pending")) {
          json pending = json::array();
          for (const json& s : p["pending"]) {
            if (s != list[i]) pending.push_back(s);
          }
          if (pending.empty()) {
            p.erase("pending");
          } else {
            p["pending"] = pending;
          }
        }
        json c2 = doc;
        if (p.empty()) {
          c2.erase("parent");
        } else {
          c2["parent"] = p;
        }
        add(c2);
      }
    }
  }
  if (doc.contains("handlers")) {
    for (const auto& [name, h] : doc["handlers"].items()) {
      for (const char* key : {"raise", "restore"}) {
        if (!h.contains(key)) continue;
        json c = doc;
        c["handlers"][name].erase(key);
        add(c);
      }
    }
  }
  for (size_t i = 0; i < n; i++) {
    const json& step = steps[i];
    if (step.contains("args") && step["args"].is_array()) {
      for (size_t a = 0; a < step["args"].size(); a++) {
        for (const json& simpler : SimplerArguments(step["args"][a])) {
          json c = doc;
          c["steps"][i]["args"][a] = simpler;
          add(c);
        }
      }
    }
    if (step.contains("kwargs") && step["kwargs"].is_object()) {
      for (const auto& [k, v] : step["kwargs"].items()) {
        for (const json& simpler : SimplerArguments(v)) {
          json c = doc;
          c["steps"][i]["kwargs"][k] = simpler;
          add(c);
        }
      }
    }
    if (step.contains("sig")) {
      for (const json& simpler : SimplerArguments(step["sig"])) {
        json c = doc;
        c["steps"][i]["sig"] = simpler;
        add(c);
      }
    }
  }
  return out;
}

json Shrink(const json& doc, const DivergesBatch& diverges, size_t batch,
            size_t max_evaluations, ShrinkStats* stats) {
  ShrinkStats local;
  ShrinkStats& s = stats ? *stats : local;
  if (batch == 0) batch = 1;
  json current = doc;
  for (;;) {
    std::vector<json> candidates = ShrinkCandidates(current);
    bool accepted = false;
    for (size_t start = 0; start < candidates.size() && !accepted; start += batch) {
      if (s.evaluated >= max_evaluations) {
        s.exhausted = true;
        return DropUnusedHandlers(current);
      }
      size_t count = std::min(batch, std::min(candidates.size() - start, max_evaluations - s.evaluated));
      std::vector<json> slice(candidates.begin() + static_cast<long>(start),
                              candidates.begin() + static_cast<long>(start + count));
      std::vector<bool> answers = diverges(slice);
      s.evaluated += count;
      for (size_t i = 0; i < count && i < answers.size(); i++) {
        if (answers[i]) {
          current = slice[i];
          s.rounds++;
          accepted = true;
          break;
        }
      }
    }
    if (!accepted) return DropUnusedHandlers(current);
  }
}

}  // namespace sigconform

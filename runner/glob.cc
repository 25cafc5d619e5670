#include "glob.h"

#include <bitset>
#include <vector>

namespace sigconform {
namespace {

// One element of a compiled pattern.
struct Token {
  enum Kind { kStar, kOne, kSet } kind = kOne;
  std::bitset<256> members;  // kOne: one member; kSet: the class (negation already applied)
};

std::vector<Token> Compile(const std::string& p) {
  std::vector<Token> tokens;
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(p[i]); };
  size_t i = 0;
  while (i < p.size()) {
    Token t;
    const char c = p[i];
    if (c == '*') {
      t.kind = Token::kStar;
      ++i;
      // Consecutive stars are one star.
      if (!tokens.empty() && tokens.back().kind == Token::kStar) continue;
    } else if (c == '?') {
      t.kind = Token::kSet;
      t.members.set();
      ++i;
    } else if (c == '\\' && i + 1 < p.size()) {
      t.members.set(byte(i + 1));
      i += 2;
    } else if (c == '[') {
      // Find the closing bracket; a ']' first in the class (after an optional negation) is a
      // member. Without a closing bracket the '[' is an ordinary character.
      size_t j = i + 1;
      const bool negate = j < p.size() && (p[j] == '!' || p[j] == '^');
      if (negate) ++j;
      const size_t first = j;
      if (j < p.size() && p[j] == ']') ++j;
      while (j < p.size() && p[j] != ']') ++j;
      if (j >= p.size()) {
        t.members.set(byte(i));
        ++i;
      } else {
        t.kind = Token::kSet;
        for (size_t k = first; k < j; ++k) {
          if (k + 2 < j && p[k + 1] == '-') {
            for (unsigned v = byte(k); v <= byte(k + 2); ++v) t.members.set(v);
            k += 2;
          } else {
            t.members.set(byte(k));
          }
        }
        if (negate) t.members.flip();
        i = j + 1;
      }
    } else {
      t.members.set(byte(i));
      ++i;
    }
    tokens.push_back(t);
  }
  return tokens;
}

}  // namespace

bool GlobMatches(const std::string& pattern, const std::string& id) {
  const std::vector<Token> tokens = Compile(pattern);
  // Wildcard matching with one backtrack point (the last star): every other token matches
  // exactly one character, so retrying from the last star alone is enough and stays
  // quadratic at worst.
  size_t t = 0, s = 0, star = std::string::npos, mark = 0;
  while (s < id.size()) {
    if (t < tokens.size() && tokens[t].kind == Token::kStar) {
      star = t++;
      mark = s;
    } else if (t < tokens.size() && tokens[t].members.test(static_cast<unsigned char>(id[s]))) {
      ++t;
      ++s;
    } else if (star != std::string::npos) {
      t = star + 1;
      s = ++mark;
    } else {
      return false;
    }
  }
  while (t < tokens.size() && tokens[t].kind == Token::kStar) ++t;
  return t == tokens.size();
}

bool IsGlob(const std::string& pattern) {
  return pattern.find_first_of("*?[\\") != std::string::npos;
}

}  // namespace sigconform

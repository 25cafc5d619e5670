// A small, portable pseudo-random generator for exploration: the same seed gives the same
// numbers on every machine and standard library (std::uniform_int_distribution does not promise
// that, so it is not used).
#ifndef SIGCONFORM_RUNNER_EXPLORE_RNG_H_
#define SIGCONFORM_RUNNER_EXPLORE_RNG_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sigconform {

// splitmix64: a full-period 64-bit generator with a one-word state.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  // The seed of program `index` of the exploration seeded with `seed`: programs are generated
  // independently, so program N is the same whatever the budget or how many ran before it.
  static uint64_t ProgramSeed(uint64_t seed, uint64_t index) {
    Rng mix(seed ^ (0x9e3779b97f4a7c15ULL * (index + 1)));
    mix.Next();
    return mix.Next();
  }

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // A number in [0, n); 0 when n is 0. The tiny modulo bias does not matter here.
  size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(Next() % n); }

  // True with probability percent/100.
  bool Chance(unsigned percent) { return Below(100) < percent; }

  // An index chosen with the given weights (all zero: 0).
  size_t Weighted(const std::vector<unsigned>& weights) {
    uint64_t total = 0;
    for (unsigned w : weights) total += w;
    if (total == 0) return 0;
    uint64_t r = Next() % total;
    for (size_t i = 0; i < weights.size(); i++) {
      if (r < weights[i]) return i;
      r -= weights[i];
    }
    return weights.size() - 1;
  }

  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[Below(items.size())];
  }

 private:
  uint64_t state_;
};

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_EXPLORE_RNG_H_

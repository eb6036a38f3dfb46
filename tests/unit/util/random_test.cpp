#include <catch2/catch.hpp>
#include <set>

#include "dialerd/util/random.hpp"

using dialerd::util::Random;

TEST_CASE("random: a seed repeats the sequence and seed 0 draws a fresh one") {
  Random a(42), b(42), c(43);
  std::vector<double> xa, xb, xc;
  for (int i = 0; i < 5; ++i) {
    xa.push_back(a.uniform());
    xb.push_back(b.uniform());
    xc.push_back(c.uniform());
  }
  CHECK(xa == xb);
  CHECK(xa != xc);
  std::set<std::uint32_t> unseeded;
  for (int i = 0; i < 8; ++i) unseeded.insert(Random(0).bits32());
  CHECK(unseeded.size() > 1);
}

TEST_CASE("random: draws stay in range") {
  Random r(7);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 2000; ++i) {
    double u = r.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    auto k = r.below(5);
    REQUIRE(k < 5);
    seen.insert(k);
  }
  CHECK(seen.size() == 5);
  CHECK(r.below(1) == 0);
}

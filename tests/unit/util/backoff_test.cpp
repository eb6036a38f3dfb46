#include <catch2/catch.hpp>

#include "dialerd/util/backoff.hpp"

using dialerd::util::Backoff;
using dialerd::util::backoff_ms;

TEST_CASE("backoff: the wait grows by the factor up to the cap") {
  Backoff b{1000, 2.0, 10000, 0, 0};
  CHECK(backoff_ms(b, 1, 0.5) == 1000);
  CHECK(backoff_ms(b, 2, 0.5) == 2000);
  CHECK(backoff_ms(b, 4, 0.5) == 8000);
  CHECK(backoff_ms(b, 5, 0.5) == 10000);
  CHECK(backoff_ms(b, 400, 0.5) == 10000);  // no overflow past the cap
  CHECK(backoff_ms(b, 0, 0.5) == 1000);     // 0 failures counts as the first
  b.factor = 3.0;
  CHECK(backoff_ms(b, 3, 0.5) == 9000);
}

TEST_CASE("backoff: jitter spreads the wait and never passes the cap") {
  Backoff symmetric{1000, 2.0, 10000, 0.2, 0.2};
  CHECK(backoff_ms(symmetric, 1, 0.0) == 800);
  CHECK(backoff_ms(symmetric, 1, 0.5) == 1000);
  CHECK(backoff_ms(symmetric, 1, 0.999999) == Approx(1200).margin(1));
  CHECK(backoff_ms(symmetric, 20, 0.999999) == 10000);  // at the cap, jitter only shortens the wait
  CHECK(backoff_ms(symmetric, 20, 0.0) == 8000);
  Backoff equal{1000, 2.0, 8000, 0.5, 0};  // "equal jitter": [w/2, w]
  CHECK(backoff_ms(equal, 3, 0.0) == 2000);
  CHECK(backoff_ms(equal, 3, 0.999999) == Approx(4000).margin(1));
}

TEST_CASE("backoff: never negative") {
  CHECK(backoff_ms(Backoff{0, 2.0, 100, 0.2, 0.2}, 3, 0.0) == 0);
  CHECK(backoff_ms(Backoff{100, 2.0, -5, 0, 0}, 1, 0.5) == 0);
  CHECK(backoff_ms(Backoff{100, 2.0, 1000, 2.0, 0}, 1, 0.0) == 0);  // a jitter share above 1 is clamped
}

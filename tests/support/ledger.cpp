#include "support/ledger.hpp"

#include <catch2/catch.hpp>

namespace dialerd::testing {

void check_counters_and_integrity(store::sqlite::Db& db, long completed, long held, long total) {
  auto& counters = db.cached(R"sql(
    SELECT (SELECT n FROM campaign_counters WHERE state = 'completed'), (SELECT n FROM campaign_counters WHERE state = 'held'),
           (SELECT n FROM campaign_counters WHERE state = 'called'), (SELECT count(*) FROM calls WHERE attempts > 0),
           (SELECT sum(n) FROM campaign_counters WHERE state <> 'called'))sql");
  REQUIRE(counters.step());
  CHECK(counters.int64(0) == completed);
  CHECK(counters.int64(1) == held);
  CHECK(counters.int64(2) == counters.int64(3));
  CHECK(counters.int64(4) == total);
  counters.reset();
  auto& integrity = db.cached("PRAGMA integrity_check");
  REQUIRE(integrity.step());
  CHECK(integrity.text(0) == "ok");
  integrity.reset();
}

}  // namespace dialerd::testing

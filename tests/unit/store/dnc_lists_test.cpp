// The DNC lists role over SQLite: lists per owner, imports that append or replace (a replace switching at
// once, its old numbers retired and purged in slices), a half-filled set retired at start-up, the lists a
// campaign honours, and the claim's lookup.
#include <catch2/catch.hpp>

#include "dialerd/store/store.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd;
using namespace dialerd::domain;
using dialerd::store::Store;

namespace {

DncList named(const std::string& owner, const std::string& name, std::optional<int> max_age = std::nullopt) {
  DncList l;
  l.workspace = owner;
  l.name = name;
  l.max_age_days = max_age;
  l.created_at = 1000;
  return l;
}

CampaignSpec spec_honouring(std::vector<std::string> lists, const std::string& workspace = "acme") {
  CampaignSpec s;
  s.workspace = workspace;
  s.name = "dnc";
  s.agent_id = "agent_1";
  s.provider = "acme";
  s.from_number = "+14155550100";
  s.dnc_lists = std::move(lists);
  return s;
}

}  // namespace

TEST_CASE("store dnc: lists per owner - a name once per owner - global lists listed after the workspace's") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  REQUIRE(s.create_dnc_list(named("acme", "registry", 31)));
  REQUIRE(s.create_dnc_list(named(kGlobalList, "registry")));
  REQUIRE(s.create_dnc_list(named("other", "mine")));
  CHECK_FALSE(s.create_dnc_list(named("acme", "registry")));
  auto seen = s.dnc_lists("acme");
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].workspace == "acme");
  CHECK(seen[0].max_age_days == 31);
  CHECK_FALSE(seen[0].as_of);
  CHECK(seen[1].global());
  CHECK(s.dnc_lists("other").size() == 2);  // its own and the global one
}

TEST_CASE("store dnc: append adds new numbers only - replace switches the whole set at once and retires the old") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto list = *s.create_dnc_list(named("acme", "registry", 31));
  std::vector<std::int64_t> first = {12025550103, 12025550101, 12025550102, 12025550101};
  CHECK(s.add_dnc_numbers(list.set_id, first) == 3);
  CHECK(s.dnc_list("acme", "registry")->numbers == 3);  // counted with the numbers, before the import ends
  s.finish_dnc_append(list.id, std::nullopt, 2000);
  list = *s.dnc_list("acme", "registry");
  CHECK(list.numbers == 3);
  CHECK(list.updated_at == 2000);
  CHECK_FALSE(list.as_of);  // an append without as_of leaves it
  CHECK(s.dnc_holds(list, 12025550102));

  // A replace fills a new set; until it commits the list is the old one.
  auto set = s.begin_dnc_set(list.id, 3000);
  std::vector<std::int64_t> second = {12025550109, 12025550102};
  CHECK(s.add_dnc_numbers(set, second) == 2);
  CHECK(s.dnc_holds(*s.dnc_list("acme", "registry"), 12025550101));
  CHECK(s.dnc_list("acme", "registry")->numbers == 3);  // a loading set counts for no list
  s.commit_dnc_set(list.id, set, 2, 5000, 5000);
  list = *s.dnc_list("acme", "registry");
  CHECK(list.numbers == 2);
  CHECK(list.as_of == 5000);
  CHECK_FALSE(s.dnc_holds(list, 12025550101));
  CHECK(s.dnc_numbers(list, 0, 10) == std::vector<std::int64_t>{12025550102, 12025550109});
  CHECK(s.dnc_numbers(list, 12025550102, 10) == std::vector<std::int64_t>{12025550109});

  // The old set is purged a slice at a time, then the purge finds nothing.
  int rounds = 0;
  while (s.purge_dnc_sets(1)) ++rounds;
  CHECK(rounds >= 3);
  CHECK(s.dnc_numbers(list, 0, 10).size() == 2);

  CHECK(s.remove_dnc_number(list, 12025550109, 6000));
  CHECK_FALSE(s.remove_dnc_number(list, 12025550109, 6000));
  CHECK(s.dnc_list("acme", "registry")->numbers == 1);
}

TEST_CASE("store dnc: an import left loading by a stopped daemon is retired at start-up - the list keeps its copy") {
  testing::TempDir dir;
  std::int64_t set = 0;
  {
    Store s({dir.file("q.db")});
    auto list = *s.create_dnc_list(named("acme", "registry"));
    std::vector<std::int64_t> keep = {12025550101};
    s.add_dnc_numbers(list.set_id, keep);
    set = s.begin_dnc_set(list.id, 2000);
    std::vector<std::int64_t> half = {12025550199};
    s.add_dnc_numbers(set, half);
  }
  Store s({dir.file("q.db")});
  s.retire_loading_dnc_sets();
  while (s.purge_dnc_sets(1000)) {
  }
  auto list = *s.dnc_list("acme", "registry");
  CHECK(s.dnc_holds(list, 12025550101));
  DncList ghost = list;
  ghost.set_id = set;
  CHECK_FALSE(s.dnc_holds(ghost, 12025550199));
}

TEST_CASE("store dnc: a campaign honours its workspace's and the global list of each name - the claim looks them up") {
  testing::TempDir dir;
  Store s({dir.file("q.db")});
  auto own = *s.create_dnc_list(named("acme", "registry"));
  auto global = *s.create_dnc_list(named(kGlobalList, "registry"));
  s.create_dnc_list(named("other", "state-fl"));
  std::vector<std::int64_t> a = {12025550101}, b = {12025550102};
  s.add_dnc_numbers(own.set_id, a);
  s.add_dnc_numbers(global.set_id, b);
  auto id = s.create_campaign(spec_honouring({"registry", "state-fl"}), {}, 1000);
  auto honoured = s.dnc_lists_of(*s.campaign(id));
  REQUIRE(honoured.lists.size() == 2);
  CHECK(honoured.missing == std::vector<std::string>{"state-fl"});  // another workspace's list is not ours
  auto& h = s.history();
  CHECK(h.dnc_listed("+12025550101", honoured.lists)->workspace == "acme");
  CHECK(h.dnc_listed("+12025550102", honoured.lists)->global());
  CHECK_FALSE(h.dnc_listed("+12025550103", honoured.lists));

  CHECK(s.campaigns_honouring("acme", "registry") == std::vector<CampaignId>{id});
  CHECK(s.campaigns_honouring(kGlobalList, "registry") == std::vector<CampaignId>{id});
  CHECK(s.campaigns_honouring("other", "registry").empty());
  s.cancel_campaign(id, "done", 2000);
  CHECK(s.campaigns_honouring("acme", "registry").empty());
}

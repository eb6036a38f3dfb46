// Phone numbers through libphonenumber, made cheap enough for bulk ingest without changing any answer.
//
// The plain path is Parse + IsValidNumber + Format (normalize_phone_reference). Each of those runs ICU
// regexes, about 20 us a number, which made number checking a third of the ingest cost. The fast path
// computes the same answer from the same data: (1) for input shapes where every step of Parse provably
// does nothing ("+<digits>", or national digits with " -()." in a region), it builds the PhoneNumber
// directly; (2) it decides IsValidNumber with deterministic automata compiled from libphonenumber's own
// metadata patterns, which use only a regular subset (digits, classes, groups, |, ?, {n,m}) where a DFA
// and ICU's matches()/lookingAt() agree. Any pattern outside that subset keeps its calling code on the
// reference path; a self-check against the reference at first use disables the fast path entirely if the
// installed library disagrees (dialerd logs that at start); tests/unit/domain/phone_test.cpp compares both
// paths on tens of thousands of generated inputs. About 0.2-0.3 us a number (docs/PERFORMANCE.md).
#include "dialerd/domain/phone.hpp"

#include <fmt/format.h>
#include <phonenumbers/phonemetadata.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <list>
#include <map>
#include <string>
#include <vector>

// Exported by libphonenumber.so but not declared in its installed headers: the compiled-in metadata blob
// that PhoneNumberUtil::GetInstance() itself parses. (ParseFromArray below needs -lprotobuf at link time.)
namespace i18n::phonenumbers {
int metadata_size();
const void* metadata_get();
}  // namespace i18n::phonenumbers

namespace dialerd::domain {

using i18n::phonenumbers::PhoneMetadata;
using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberDesc;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

bool all_digits(std::string_view s) {
  return s.find_first_not_of("0123456789") == std::string_view::npos;
}

// ---- Exact matcher for libphonenumber's metadata patterns ------------------------------------------------
// The metadata patterns use only digits, \d, [digit classes], (...), (?:...), |, ? and {n}/{n,m}. With no lazy
// or possessive quantifiers, anchors, lookaround or backreferences, ICU's matches() / lookingAt() decide plain
// membership of the input (resp. of one of its prefixes) in the pattern's regular language, which a DFA over
// the digits 0-9 decides too. Anything outside that subset is refused, and its calling code keeps using
// libphonenumber, so a metadata update cannot silently change a result.
class DigitDfa {
 public:
  bool compile(std::string_view p) {
    pat_ = p;
    pos_ = 0;
    ok_ = true;
    Node ast = parse_alt();
    if (!ok_ || pos_ != pat_.size()) return false;
    auto [s, e] = emit(ast);
    final_ = e;
    bool built = ok_ && build(s);
    std::vector<NState>().swap(nfa_);  // frees it (`nfa_ = {}` would only clear it and keep its capacity)
    return built;
  }
  bool full_match(std::string_view d) const {  // ICU matches()
    int st = 0;
    for (char c : d)
      if ((st = next_[st][c - '0']) == kDead) return false;
    return accept_[st];
  }
  bool prefix_match(std::string_view d) const {  // ICU lookingAt(): some prefix, possibly empty, matches
    int st = 0;
    if (accept_[st]) return true;
    for (char c : d) {
      if ((st = next_[st][c - '0']) == kDead) return false;
      if (accept_[st]) return true;
    }
    return false;
  }

 private:
  struct Node {
    enum K { Set, Cat, Alt, Rep } k = Cat;
    uint16_t mask = 0;
    int lo = 0, hi = 0;
    std::vector<Node> kids;
  };
  struct NState {
    uint16_t mask = 0;
    int out = -1;
    std::vector<int> eps;
  };
  std::string_view pat_;
  size_t pos_ = 0;
  bool ok_ = true;
  std::vector<NState> nfa_;
  int final_ = -1;
  // Kept for the daemon's life, one table per pattern (thousands): 16-bit states (build() stops at
  // kMaxStates) and no spare capacity keep them to a few MiB.
  static constexpr std::uint16_t kDead = 0xFFFF;
  static constexpr size_t kMaxStates = 50000;
  std::vector<std::array<std::uint16_t, 10>> next_;
  std::vector<uint8_t> accept_;

  static bool dig(char c) { return c >= '0' && c <= '9'; }
  char peek() const { return pos_ < pat_.size() ? pat_[pos_] : '\0'; }
  char get() { return pos_ < pat_.size() ? pat_[pos_++] : '\0'; }
  bool eat(char c) { return peek() == c && c && (++pos_, true); }
  int number() {
    int n = 0, k = 0;
    for (; dig(peek()) && k < 3; ++k) n = n * 10 + (get() - '0');
    if (!k || dig(peek())) ok_ = false;
    return n;
  }
  Node parse_alt() {
    Node n;
    n.k = Node::Alt;
    n.kids.push_back(parse_cat());
    while (ok_ && eat('|')) n.kids.push_back(parse_cat());
    return n;
  }
  Node parse_cat() {
    Node n;
    while (ok_ && pos_ < pat_.size() && peek() != '|' && peek() != ')') n.kids.push_back(parse_rep());
    return n;
  }
  Node parse_rep() {
    Node a = parse_atom();
    int lo, hi;
    if (eat('?'))
      lo = 0, hi = 1;
    else if (eat('{')) {
      lo = number();
      hi = eat(',') ? number() : lo;  // "{n,}" is refused by number()
      if (!eat('}') || lo > hi || hi > 64) ok_ = false;
    } else
      return a;
    if (peek() == '?' || peek() == '+' || peek() == '*' || peek() == '{') ok_ = false;  // lazy/possessive
    Node r;
    r.k = Node::Rep, r.lo = lo, r.hi = hi;
    r.kids.push_back(std::move(a));
    return r;
  }
  Node parse_atom() {
    Node n;
    n.k = Node::Set;
    char c = get();
    if (dig(c))
      n.mask = uint16_t(1u << (c - '0'));
    else if (c == '\\' && eat('d'))
      n.mask = 0x3ff;  // \p{Nd}; an NSN only ever holds ASCII digits
    else if (c == '[') {
      if (peek() == '^' || peek() == ']') ok_ = false;
      while (ok_ && !eat(']')) {
        char a = get(), b;
        if (a == '\\' && eat('d')) {
          n.mask |= 0x3ff;
          continue;
        }
        b = a;
        if (peek() == '-' && pos_ + 1 < pat_.size() && pat_[pos_ + 1] != ']') get(), b = get();
        if (!dig(a) || !dig(b) || b < a) {
          ok_ = false;
          break;
        }
        for (char x = a; x <= b; ++x) n.mask |= uint16_t(1u << (x - '0'));
      }
    } else if (c == '(') {
      if (eat('?') && !eat(':')) ok_ = false;
      n = parse_alt();
      if (!eat(')')) ok_ = false;
    } else
      ok_ = false;
    return n;
  }
  int add() {
    nfa_.emplace_back();
    return int(nfa_.size()) - 1;
  }
  std::pair<int, int> emit(const Node& n) {  // Thompson construction; {n,m} expands into copies
    if (nfa_.size() > 200000) ok_ = false;
    if (!ok_) {
      int s = add();
      return {s, s};
    }
    int s = add(), e = s;
    switch (n.k) {
      case Node::Set:
        e = add();
        nfa_[s].mask = n.mask;
        nfa_[s].out = e;
        break;
      case Node::Cat:
        for (auto& k : n.kids) {
          auto [ks, ke] = emit(k);
          nfa_[e].eps.push_back(ks);
          e = ke;
        }
        break;
      case Node::Alt:
        e = add();
        for (auto& k : n.kids) {
          auto [ks, ke] = emit(k);
          nfa_[s].eps.push_back(ks);
          nfa_[ke].eps.push_back(e);
        }
        break;
      case Node::Rep:
        for (int i = 0; i < n.hi; ++i) {
          auto [ks, ke] = emit(n.kids[0]);
          int after = add();
          nfa_[e].eps.push_back(ks);
          nfa_[ke].eps.push_back(after);
          if (i >= n.lo) nfa_[e].eps.push_back(after);  // copies past the minimum are optional
          e = after;
        }
        break;
    }
    return {s, e};
  }
  void closure(std::vector<int>& set) const {
    std::vector<char> seen(nfa_.size(), 0);
    std::vector<int> stack;
    stack.swap(set);
    while (!stack.empty()) {
      int s = stack.back();
      stack.pop_back();
      if (seen[s]) continue;
      seen[s] = 1;
      set.push_back(s);
      for (int t : nfa_[s].eps) stack.push_back(t);
    }
    std::sort(set.begin(), set.end());
  }
  bool build(int start) {  // subset construction
    std::map<std::vector<int>, int> ids;
    std::vector<std::vector<int>> sets{{start}};
    closure(sets[0]);
    ids.emplace(sets[0], 0);
    for (size_t i = 0; i < sets.size(); ++i) {
      if (sets.size() > kMaxStates) return false;
      std::array<std::uint16_t, 10> row;
      for (int d = 0; d < 10; ++d) {
        std::vector<int> nx;
        for (int s : sets[i])
          if (nfa_[s].out >= 0 && (nfa_[s].mask >> d & 1)) nx.push_back(nfa_[s].out);
        row[d] = kDead;
        if (nx.empty()) continue;
        closure(nx);
        auto [it, fresh] = ids.emplace(nx, int(sets.size()));
        if (fresh) sets.push_back(std::move(nx));
        row[d] = static_cast<std::uint16_t>(it->second);
      }
      next_.push_back(row);
      accept_.push_back(std::binary_search(sets[i].begin(), sets[i].end(), final_));
    }
    next_.shrink_to_fit();
    accept_.shrink_to_fit();
    return true;
  }
};

// Mirrors PhoneNumberUtil::IsNumberMatchingDesc: possible_length filter, empty pattern never matches.
struct DescM {
  std::vector<int> lens;
  bool has_pattern = false;
  DigitDfa dfa;
  bool init(const PhoneNumberDesc& d) {
    lens.assign(d.possible_length().begin(), d.possible_length().end());
    has_pattern = !d.national_number_pattern().empty();
    return !has_pattern || dfa.compile(d.national_number_pattern());
  }
  bool match(std::string_view nsn) const {
    if (!lens.empty() && std::find(lens.begin(), lens.end(), int(nsn.size())) == lens.end()) return false;
    return has_pattern && dfa.full_match(nsn);
  }
};

// Mirrors PhoneNumberUtil::GetNumberTypeHelper(nsn, metadata) != UNKNOWN.
struct RegionM {
  DescM general, premium, toll_free, shared, voip, personal, pager, uan, voicemail, fixed, mobile;
  bool same_mobile_fixed = false, has_ld = false;
  DigitDfa ld;
  bool init(const PhoneMetadata& m) {
    same_mobile_fixed = m.same_mobile_and_fixed_line_pattern();
    has_ld = m.has_leading_digits();
    return general.init(m.general_desc()) && premium.init(m.premium_rate()) && toll_free.init(m.toll_free()) &&
           shared.init(m.shared_cost()) && voip.init(m.voip()) && personal.init(m.personal_number()) &&
           pager.init(m.pager()) && uan.init(m.uan()) && voicemail.init(m.voicemail()) && fixed.init(m.fixed_line()) &&
           mobile.init(m.mobile()) && (!has_ld || ld.compile(m.leading_digits()));
  }
  bool known_type(std::string_view n) const {
    return general.match(n) && (premium.match(n) || toll_free.match(n) || shared.match(n) || voip.match(n) ||
                                personal.match(n) || pager.match(n) || uan.match(n) || voicemail.match(n) ||
                                fixed.match(n) || (!same_mobile_fixed && mobile.match(n)));
  }
};

struct CcInfo {
  bool known = false;       // GetRegionCodeForCountryCode(cc) != "ZZ" (what Parse's ExtractCountryCode tests)
  bool fast_parse = false;  // national_prefix_for_parsing (npfp) of the metadata Parse uses is "" or compiled
  bool has_npfp = false;
  DigitDfa npfp;                 // Parse strips a national prefix only where npfp lookingAt()-matches
  bool fast_valid = false;       // every region's patterns compiled
  std::vector<RegionM> regions;  // GetRegionCodesForCountryCallingCode order (main region first)

  // == IsValidForRegion(GetRegionCodeForNumber(n)), i.e. IsValidNumber, given cc and the NSN.
  bool valid(std::string_view nsn) const {
    size_t r = 0;
    if (regions.size() > 1) {  // GetRegionCodeForNumberFromRegionList
      while (r < regions.size() && !(regions[r].has_ld ? regions[r].ld.prefix_match(nsn) : regions[r].known_type(nsn)))
        ++r;
      if (r == regions.size()) return false;  // "ZZ": IsValidNumberForRegion is false
    }
    return regions[r].known_type(nsn);
  }
};

struct RegionInfo {  // for national-format input read in a default region
  int cc = 0;
  std::string cc_str;
  bool fast = false;  // idd compiled (non-empty) and npfp is "" or compiled
  bool has_npfp = false;
  DigitDfa idd, npfp;
};

struct Tables {
  std::array<CcInfo, 1000> cc;
  std::map<std::string, RegionInfo, std::less<>> region;
  bool enabled = false;
  Tables();
};

std::variant<std::string, PhoneError> invalid(std::string_view in) {
  return PhoneError{fmt::format("'{}' is not a valid phone number", in)};
}

// Exactly util.IsValidNumber(number), without regexes when the calling code's patterns compiled.
bool is_valid(const Tables& t, const PhoneNumber& number) {
  int c = number.country_code();
  int zeros = number.italian_leading_zero() ? std::max(number.number_of_leading_zeros(), 0) : 0;
  if (!t.enabled || c <= 0 || c >= 1000 || !t.cc[c].fast_valid || zeros > 20)
    return PhoneNumberUtil::GetInstance()->IsValidNumber(number);
  char buf[48];  // GetNationalSignificantNumber: leading zeros + national_number
  std::fill(buf, buf + zeros, '0');
  char* end = std::to_chars(buf + zeros, buf + sizeof buf, number.national_number()).ptr;
  return t.cc[c].valid(std::string_view(buf, end - buf));
}

std::variant<std::string, PhoneError> normalize(const Tables& t, std::string_view input,
                                                std::string_view default_region, bool use_fast) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  if (input.empty()) return PhoneError{"is empty"};
  if (input.size() > 64) return PhoneError{"is too long to be a phone number"};

  // Work out (calling code, NSN) exactly as Parse would, but only for input shapes where every Parse step is
  // provably trivial; anything else takes the reference path below.
  int cc = 0;
  std::string_view nsn;
  std::string digits;
  if (!use_fast || !t.enabled) {
  } else if (input[0] == '+') {
    // "+<digits>": no extension / RFC3966 / alpha handling applies, and the calling code is the first 1..3
    // digit prefix Parse's ExtractCountryCode accepts. A '0' after '+' makes Parse retry via the IDD -> slow.
    std::string_view d = input.substr(1);
    if (d.size() >= 3 && d[0] != '0' && all_digits(d)) {
      for (size_t i = 1; i <= 3 && !cc; ++i) {
        int c = 0;
        std::from_chars(d.data(), d.data() + i, c);
        if (t.cc[c].known) cc = c, nsn = d.substr(i);
      }
      // Parse also tries national-prefix stripping after "+cc" ("+114155551234" is +1 4155551234): go fast
      // only when the national prefix pattern provably cannot match (it is only tried with lookingAt).
      if (cc && (!t.cc[cc].fast_parse || (t.cc[cc].has_npfp && t.cc[cc].npfp.prefix_match(nsn)))) cc = 0;
    }
  } else if (auto r = t.region.find(default_region); r != t.region.end() && r->second.fast) {
    // National format of ASCII digits and " -().": Parse drops the punctuation, finds no extension, and keeps
    // the digits as the NSN unless they start with an IDD, the region's calling code or a national prefix.
    const RegionInfo& ri = r->second;
    if (input.find_first_not_of("0123456789 -().") == std::string_view::npos) {
      for (char ch : input)
        if (ch >= '0' && ch <= '9') digits.push_back(ch);
      if (digits.size() >= 3 && !ri.idd.prefix_match(digits) && !digits.starts_with(ri.cc_str) &&
          !(ri.has_npfp && ri.npfp.prefix_match(digits)))
        cc = ri.cc, nsn = digits;
    }
  }

  if (cc && nsn.size() >= 2 && nsn.size() <= 17) {  // kMinLengthForNsn..kMaxLengthForNsn, else Parse errors
    // Same fields Parse would set, SetItalianLeadingZerosForPhoneNumber included.
    PhoneNumber number;
    number.set_country_code(cc);
    uint64_t nn = 0;
    std::from_chars(nsn.data(), nsn.data() + nsn.size(), nn);
    number.set_national_number(nn);
    if (nsn[0] == '0') {
      number.set_italian_leading_zero(true);
      size_t z = 1;
      while (z < nsn.size() - 1 && nsn[z] == '0') ++z;
      if (z != 1) number.set_number_of_leading_zeros(int(z));
    }
    if (!is_valid(t, number)) return invalid(input);
    // Format(E164) is "+" + cc + NSN, and the NSN (leading zeros + national_number) equals nsn.
    return "+" + std::to_string(cc) + std::string(nsn);
  }

  PhoneNumber number;
  auto rc = util.Parse(std::string(input), std::string(default_region), &number);
  if (rc != PhoneNumberUtil::NO_PARSING_ERROR) return PhoneError{fmt::format("'{}' is not a phone number", input)};
  if (!(use_fast ? is_valid(t, number) : util.IsValidNumber(number))) return invalid(input);
  std::string e164;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

Tables::Tables() {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  i18n::phonenumbers::PhoneMetadataCollection coll;
  if (!coll.ParseFromArray(i18n::phonenumbers::metadata_get(), i18n::phonenumbers::metadata_size())) return;
  std::map<std::string, const PhoneMetadata*> geo;
  std::map<int, const PhoneMetadata*> nongeo;
  for (const PhoneMetadata& m : coll.metadata()) (m.id() == "001" ? nongeo[m.country_code()] : geo[m.id()]) = &m;
  for (int c = 1; c < 1000; ++c) {
    std::list<std::string> regions;
    util.GetRegionCodesForCountryCallingCode(c, &regions);
    if (regions.empty()) continue;
    CcInfo& ci = cc[c];
    ci.known = true;
    ci.fast_valid = true;
    for (const std::string& r : regions) {
      const PhoneMetadata* m = r == "001" ? nongeo[c] : geo[r];
      ci.regions.emplace_back();
      if (!m || !ci.regions.back().init(*m)) ci.fast_valid = false;
    }
    if (!ci.fast_valid) ci.regions.clear();
    if (const PhoneMetadata* m = regions.front() == "001" ? nongeo[c] : geo[regions.front()]) {
      const std::string& p = m->national_prefix_for_parsing();  // "" -> Parse never strips
      ci.has_npfp = !p.empty();
      // With default_region "001" Parse uses no metadata (no stripping): equal only if npfp is empty.
      ci.fast_parse = !ci.has_npfp || (regions.front() != "001" && ci.npfp.compile(p));
    }
  }
  for (const auto& [id, m] : geo) {
    if (id == "ZZ") continue;
    RegionInfo& r = region[id];
    r.cc = m->country_code();
    r.cc_str = std::to_string(r.cc);
    r.has_npfp = !m->national_prefix_for_parsing().empty();
    // An empty IDD pattern would match everywhere (and Parse treats that specially): keep those slow.
    r.fast = r.cc > 0 && r.cc < 1000 && cc[r.cc].known && !m->international_prefix().empty() &&
             r.idd.compile(m->international_prefix()) &&
             (!r.has_npfp || r.npfp.compile(m->national_prefix_for_parsing()));
  }
  // Self-check against the reference on the example numbers of a spread of regions (shared calling codes,
  // leading digits, Italian zeros, non-geographic): if an installed libphonenumber ever parses or validates
  // differently from what the tables assume, everything stays on the reference path.
  enabled = true;
  static constexpr std::string_view kCheck[] = {"US", "CA", "JM", "PR", "GB", "JE", "IM", "DE", "FR", "IT", "VA",
                                                "IN", "BR", "RU", "KZ", "AU", "CX", "MX", "AR", "CN", "JP", "001"};
  for (const PhoneMetadata& m : coll.metadata()) {
    if (std::find(std::begin(kCheck), std::end(kCheck), m.id()) == std::end(kCheck)) continue;
    for (const PhoneNumberDesc* d : {&m.fixed_line(), &m.mobile(), &m.toll_free(), &m.voip()}) {
      if (!d->has_example_number()) continue;
      const std::string& ex = d->example_number();
      std::string e164 = "+" + std::to_string(m.country_code()) + ex;
      std::string probes[][2] = {{e164, "US"}, {e164 + "9", "US"}, {ex, m.id()}, {m.national_prefix() + ex, m.id()}};
      for (auto& [in, reg] : probes) {
        auto a = normalize(*this, in, reg, true), b = normalize(*this, in, reg, false);
        bool same = a.index() == b.index() && (a.index() == 0 ? std::get<0>(a) == std::get<0>(b)
                                                              : std::get<1>(a).message == std::get<1>(b).message);
        if (!same) {
          enabled = false;
          return;
        }
      }
    }
  }
}

const Tables& tables() {
  static const Tables t;  // ~3 MB of automata; built and self-checked on first use (~65 ms)
  return t;
}

}  // namespace

std::variant<std::string, PhoneError> normalize_phone(std::string_view input, std::string_view default_region) {
  return normalize(tables(), input, default_region, true);
}

std::variant<std::string, PhoneError> normalize_phone_reference(std::string_view input,
                                                                std::string_view default_region) {
  return normalize(tables(), input, default_region, false);
}

bool phone_fast_path_enabled() {
  return tables().enabled;
}

bool is_known_region(std::string_view region) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  return util.GetCountryCodeForRegion(std::string(region)) != 0;
}

}  // namespace dialerd::domain

// Phone numbers through libphonenumber, made cheap enough for bulk ingest without changing any answer.
//
// The plain path is Parse + IsValidNumber + Format (normalize_phone_reference). Each of those runs ICU
// regexes, which made number checking the largest share of ingest (docs/PERFORMANCE.md). The fast path
// computes the same answer from the same data: (1) for input shapes where every step of Parse provably
// does nothing ("+<digits>", or national digits with " -()." in a region), it builds the PhoneNumber
// directly; (2) it decides IsValidNumber by running libphonenumber's own metadata patterns with RE2 instead
// of ICU, restricted to a regular subset (digits, classes, groups, |, ?, *, +, {n,m}, $) where both engines
// decide the same membership. Any pattern outside that subset keeps its calling code on the reference
// path; a self-check against the reference at first use disables the fast path entirely if the installed
// library disagrees (dialerd logs that at start); tests/unit/domain/phone_test.cpp compares both paths on
// tens of thousands of generated inputs. Costs: docs/PERFORMANCE.md, "The phone-number check".
#include "dialerd/domain/phone.hpp"

#include <fmt/format.h>
#include <phonenumbers/phonemetadata.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
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

// ---- libphonenumber's metadata patterns, run by RE2 ------------------------------------------------------
// The metadata patterns use digits, \d, [digit classes], (...), (?:...), |, ?, *, +, {n}/{n,m}/{n,} and $. In
// that subset ICU's matches() / lookingAt() decide plain membership of the input (resp. of one of its
// prefixes) in the pattern's regular language, which is what RE2 decides with ANCHOR_BOTH / ANCHOR_START.
// A pattern using anything else (lazy or possessive quantifiers, '^', '.', other escapes, lookaround,
// nested classes) is refused, and its calling code keeps using libphonenumber, so a metadata update cannot
// silently change a result.
class DigitPattern {
 public:
  static constexpr std::int64_t kMaxMem = 1 << 20;     // one pattern
  static constexpr std::int64_t kMaxSetMem = 8 << 20;  // a calling code's set: up to a few hundred patterns

  bool compile(const std::string& pattern) {
    if (!in_subset(pattern)) return false;
    re_ = std::make_unique<RE2>(pattern, options());
    return re_->ok();
  }
  bool full_match(std::string_view d) const {  // ICU matches()
    return re_->Match(d, 0, d.size(), RE2::ANCHOR_BOTH, nullptr, 0);
  }
  bool prefix_match(std::string_view d) const {  // ICU lookingAt(): some prefix, possibly empty, matches
    return re_->Match(d, 0, d.size(), RE2::ANCHOR_START, nullptr, 0);
  }

  static RE2::Options options(std::int64_t max_mem = kMaxMem) {
    RE2::Options o;
    o.set_encoding(RE2::Options::EncodingLatin1);  // an NSN is ASCII digits
    o.set_never_capture(true);
    o.set_log_errors(false);
    // For the program and the lazily built DFA, which live for the daemon's life. A DFA that outgrows it
    // makes RE2 fall back to a slower engine (one pattern) or report an error (a set).
    o.set_max_mem(max_mem);
    return o;
  }

  static bool in_subset(std::string_view p) {
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    bool in_class = false, after_atom = false;
    for (std::size_t i = 0; i < p.size(); ++i) {
      char c = p[i];
      if (c == '\\') {  // \d is the only escape
        if (i + 1 >= p.size() || p[i + 1] != 'd') return false;
        ++i;
        after_atom = !in_class;
      } else if (in_class) {
        if (c == ']') {
          in_class = false;
          after_atom = true;
        } else if (!digit(c) && c != '-' && !(c == '^' && p[i - 1] == '[')) {
          return false;  // nested classes and set operations read differently in ICU and RE2
        }
      } else if (digit(c) || c == ')') {
        after_atom = true;
      } else if (c == '[') {
        in_class = true;
      } else if (c == '(') {
        if (i + 1 < p.size() && p[i + 1] == '?') {
          if (i + 2 >= p.size() || p[i + 2] != ':') return false;
          i += 2;
        }
        after_atom = false;
      } else if (c == '|' || c == '$') {  // '$': the end of the input in both engines (digits hold no newline)
        after_atom = false;
      } else if (c == '?' || c == '*' || c == '+' || c == '{') {
        if (!after_atom) return false;  // a quantifier on a quantifier: lazy or possessive
        if (c == '{') {
          std::size_t close = p.find('}', i);
          if (close == std::string_view::npos) return false;
          for (std::size_t k = i + 1; k < close; ++k)
            if (!digit(p[k]) && p[k] != ',') return false;
          i = close;
        }
        after_atom = false;
      } else {
        return false;
      }
    }
    return !in_class;
  }

 private:
  std::unique_ptr<RE2> re_;
};

// One region's part of its calling code's pattern set (CcInfo below).
struct RegionM {
  // The number patterns of PhoneNumberUtil::GetNumberTypeHelper, and the region's leading digits.
  enum Part { general, premium, toll_free, shared, voip, personal, pager, uan, voicemail, fixed, mobile, leading };
  static constexpr int kDescs = leading;
  std::array<std::vector<int>, kDescs> lens;  // possible lengths per number pattern; empty = any
  bool same_mobile_fixed = false, has_ld = false;

  // Mirrors GetNumberTypeHelper(nsn, metadata) != UNKNOWN, given which of the region's patterns fully
  // matched the NSN (bit per Part): each one's possible_length filter (IsNumberMatchingDesc) applies after.
  bool known_type(std::uint16_t matched, std::size_t length) const {
    auto hit = [&](Part p) {
      const auto& l = lens[p];
      return (matched >> p & 1) && (l.empty() || std::find(l.begin(), l.end(), int(length)) != l.end());
    };
    return hit(general) && (hit(premium) || hit(toll_free) || hit(shared) || hit(voip) || hit(personal) || hit(pager) ||
                            hit(uan) || hit(voicemail) || hit(fixed) || (!same_mobile_fixed && hit(mobile)));
  }
};

struct CcInfo {
  bool known = false;       // GetRegionCodeForCountryCode(cc) != "ZZ" (what Parse's ExtractCountryCode tests)
  bool fast_parse = false;  // national_prefix_for_parsing (npfp) of the metadata Parse uses is "" or compiled
  bool has_npfp = false;
  DigitPattern npfp;             // Parse strips a national prefix only where npfp lookingAt()-matches
  bool fast_valid = false;       // every region's patterns compiled
  std::vector<RegionM> regions;  // GetRegionCodesForCountryCallingCode order (main region first)
  // Every pattern of every region, run as one RE2::Set: a single pass over the NSN tells which of them
  // match. Leading digits (ICU lookingAt) go in as "(?:ld)\d*", the same test on an all-digit NSN.
  std::unique_ptr<RE2::Set> set;
  std::vector<std::pair<std::uint8_t, std::uint8_t>> part_of;  // the set's pattern index -> (region, Part)

  bool add_region(const PhoneMetadata& m) {
    if (!set) set = std::make_unique<RE2::Set>(DigitPattern::options(DigitPattern::kMaxSetMem), RE2::ANCHOR_BOTH);
    if (regions.size() >= 64) return false;
    auto r = static_cast<std::uint8_t>(regions.size());
    RegionM& region = regions.emplace_back();
    region.same_mobile_fixed = m.same_mobile_and_fixed_line_pattern();
    region.has_ld = m.has_leading_digits();
    const PhoneNumberDesc* descs[RegionM::kDescs] = {
        &m.general_desc(), &m.premium_rate(), &m.toll_free(), &m.shared_cost(), &m.voip(),  &m.personal_number(),
        &m.pager(),        &m.uan(),          &m.voicemail(), &m.fixed_line(),  &m.mobile()};
    auto add = [&](const std::string& pattern, std::uint8_t part) {
      if (!DigitPattern::in_subset(pattern) || set->Add(pattern, nullptr) < 0) return false;
      part_of.emplace_back(r, part);
      return true;
    };
    for (int d = 0; d < RegionM::kDescs; ++d) {
      region.lens[d].assign(descs[d]->possible_length().begin(), descs[d]->possible_length().end());
      const std::string& pattern = descs[d]->national_number_pattern();
      if (!pattern.empty() && !add(pattern, static_cast<std::uint8_t>(d))) return false;  // empty never matches
    }
    return !region.has_ld ||
           (DigitPattern::in_subset(m.leading_digits()) && add("(?:" + m.leading_digits() + ")\\d*", RegionM::leading));
  }

  // == IsValidForRegion(GetRegionCodeForNumber(n)), i.e. IsValidNumber, given cc and the NSN: 1 or 0; -1
  // when RE2 could not decide (its DFA outgrew its memory): then libphonenumber decides.
  int valid(std::string_view nsn) const {
    thread_local std::vector<int> hits;
    thread_local std::vector<std::uint16_t> matched;
    hits.clear();
    RE2::Set::ErrorInfo error{};
    if (!set->Match(nsn, &hits, &error)) return error.kind == RE2::Set::kNoError ? 0 : -1;
    matched.assign(regions.size(), 0);
    for (int i : hits) matched[part_of[i].first] |= static_cast<std::uint16_t>(1u << part_of[i].second);
    size_t r = 0;
    if (regions.size() > 1) {  // GetRegionCodeForNumberFromRegionList
      while (r < regions.size() && !(regions[r].has_ld ? (matched[r] >> RegionM::leading & 1)
                                                       : regions[r].known_type(matched[r], nsn.size())))
        ++r;
      if (r == regions.size()) return 0;  // "ZZ": IsValidNumberForRegion is false
    }
    return regions[r].known_type(matched[r], nsn.size());
  }
};

struct RegionInfo {  // for national-format input read in a default region
  int cc = 0;
  std::string cc_str;
  bool fast = false;  // idd compiled (non-empty) and npfp is "" or compiled
  bool has_npfp = false;
  DigitPattern idd, npfp;
};

struct Tables {
  std::array<CcInfo, 1000> cc;
  std::map<std::string, RegionInfo, std::less<>> region;
  bool enabled = false;
  Tables();
};

util::Failure<PhoneError> invalid(std::string_view in) {
  return util::fail(PhoneError{fmt::format("'{}' is not a valid phone number", in)});
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
  int valid = t.cc[c].valid(std::string_view(buf, end - buf));
  return valid < 0 ? PhoneNumberUtil::GetInstance()->IsValidNumber(number) : valid == 1;
}

util::Result<std::string, PhoneError> normalize(const Tables& t, std::string_view input,
                                                std::string_view default_region, bool use_fast) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  if (input.empty()) return util::fail(PhoneError{"is empty"});
  if (input.size() > 64) return util::fail(PhoneError{"is too long to be a phone number"});

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
    return fmt::format("+{}{}", cc, nsn);
  }

  PhoneNumber number;
  auto rc = util.Parse(std::string(input), std::string(default_region), &number);
  if (rc != PhoneNumberUtil::NO_PARSING_ERROR)
    return util::fail(PhoneError{fmt::format("'{}' is not a phone number", input)});
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
      if (!m || !ci.add_region(*m)) ci.fast_valid = false;
    }
    if (ci.fast_valid) ci.fast_valid = ci.set->Compile();
    if (!ci.fast_valid) ci.regions.clear(), ci.set.reset(), ci.part_of.clear();
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
      std::string e164 = fmt::format("+{}{}", m.country_code(), ex);
      std::string probes[][2] = {{e164, "US"}, {e164 + "9", "US"}, {ex, m.id()}, {m.national_prefix() + ex, m.id()}};
      for (auto& [in, reg] : probes) {
        auto a = normalize(*this, in, reg, true), b = normalize(*this, in, reg, false);
        bool same = a.has_value() == b.has_value() && (a ? *a == *b : a.error().message == b.error().message);
        if (!same) {
          enabled = false;
          return;
        }
      }
    }
  }
}

const Tables& tables() {
  static const Tables t;  // built and self-checked on first use
  return t;
}

}  // namespace

util::Result<std::string, PhoneError> normalize_phone(std::string_view input, std::string_view default_region) {
  return normalize(tables(), input, default_region, true);
}

util::Result<std::string, PhoneError> normalize_phone_reference(std::string_view input,
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

#pragma once
// The shape of a config table (Redis style): one row per key with its default, whether a reload may change
// it, its documentation, and the function that checks a value and stores it. src/app/config.cpp holds the
// daemon's keys and the keys every provider shares; a provider kind's own keys are in its folder
// (src/providers/<kind>/kind.cpp) and fill the kind's typed settings (KindSettings).
#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <vector>

#include <nlohmann/json.hpp>

#include "dialerd/util/result.hpp"

namespace dialerd::config {

// Checks one value and stores it in `Target`; fails with the problem when the value is not good.
template <class Target>
using Apply = std::function<util::Check(const nlohmann::json&, Target&)>;

template <class Target>
struct Key {
  std::string path;              // dotted, relative to its section ("backoff.min_ms")
  nlohmann::json default_value;  // null: no default (the key is required, or unset means "the kind decides")
  bool reloadable;               // a reload may change it; otherwise a changed value waits for a restart
  std::string doc;
  Apply<Target> apply;
};

// "integer" for an integer, else nlohmann's name of the type ("string", "array", ...).
inline std::string type_name(const nlohmann::json& v) {
  return v.is_number_integer() ? "integer" : std::string(v.type_name());
}

// A string with no control character (values end up in request headers and log lines), optionally one of
// `allowed`.
template <class T>
Apply<T> string_key(std::string T::*field, std::vector<std::string> allowed = {}) {
  return [field, allowed](const nlohmann::json& v, T& target) -> util::Check {
    if (!v.is_string()) return util::fail("must be a string, got " + type_name(v));
    auto s = v.get<std::string>();
    for (char c : s)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return util::fail("must not contain control characters");
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      return util::fail("must be one of " + list + ", got \"" + s + "\"");
    }
    target.*field = s;
    return util::ok();
  };
}

// An integer within [min, max].
template <class T, class Int>
Apply<T> int_key(Int T::*field, std::int64_t min, std::int64_t max) {
  return [field, min, max](const nlohmann::json& v, T& target) -> util::Check {
    if (!v.is_number_integer()) return util::fail("must be an integer, got " + type_name(v));
    auto n = v.get<std::int64_t>();
    if (n < min || n > max)
      return util::fail("must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                        std::to_string(n));
    target.*field = static_cast<Int>(n);
    return util::ok();
  };
}

// A number (integer or not) within [min, max].
inline util::Check number_into(const nlohmann::json& v, double& out, double min, double max) {
  if (!v.is_number()) return util::fail("must be a number, got " + type_name(v));
  double d = v.get<double>();
  if (d < min || d > max)
    return util::fail("must be between " + nlohmann::json(min).dump() + " and " + nlohmann::json(max).dump() +
                      ", got " + v.dump());
  out = d;
  return util::ok();
}

// The settings a provider kind reads from its own keys, whatever their type (veritus::Settings, ...):
// config::ProviderConfig holds them without knowing the kind. Copies share the value until one is changed.
class KindSettings {
 public:
  KindSettings() = default;  // none: a kind with no keys of its own
  template <class T>
  static KindSettings of(T value) {
    KindSettings s;
    s.held_ = std::make_shared<Held<T>>(std::move(value));
    return s;
  }
  bool empty() const { return !held_; }
  // The settings as the kind's type. A provider built without its kind's settings is a broken invariant.
  template <class T>
  const T& get() const {
    if (auto* held = dynamic_cast<const Held<T>*>(held_.get())) return held->value;
    throw std::logic_error(std::string("provider settings are not of type ") + typeid(T).name());
  }
  // The same, to change (the value is copied first if another ProviderConfig shares it).
  template <class T>
  T& get_mutable() {
    get<T>();
    if (held_.use_count() > 1) held_ = held_->clone();
    return static_cast<Held<T>&>(*held_).value;
  }
  bool operator==(const KindSettings& other) const {
    if (!held_ || !other.held_) return !held_ && !other.held_;
    return held_->equals(*other.held_);
  }

 private:
  struct Base {
    virtual ~Base() = default;
    virtual std::shared_ptr<Base> clone() const = 0;
    virtual bool equals(const Base& other) const = 0;
  };
  template <class T>
  struct Held final : Base {
    explicit Held(T v) : value(std::move(v)) {}
    std::shared_ptr<Base> clone() const override { return std::make_shared<Held>(value); }
    bool equals(const Base& other) const override {
      auto* o = dynamic_cast<const Held*>(&other);
      return o && o->value == value;
    }
    T value;
  };
  std::shared_ptr<Base> held_;
};

// A kind's typed key table as rows the config loader can walk without knowing the type.
template <class T>
std::vector<Key<KindSettings>> kind_keys(std::vector<Key<T>> typed) {
  std::vector<Key<KindSettings>> out;
  for (auto& k : typed)
    out.push_back({std::move(k.path), std::move(k.default_value), k.reloadable, std::move(k.doc),
                   [apply = std::move(k.apply)](const nlohmann::json& v, KindSettings& s) {
                     return apply(v, s.get_mutable<T>());
                   }});
  return out;
}

}  // namespace dialerd::config

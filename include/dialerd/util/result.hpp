#pragma once
// The one convention for an expected failure (docs/ARCHITECTURE.md, "Errors"): a function that can fail in a way
// its caller must handle (bad input, an unreadable answer, a refused connection) returns Result<T, E>, a
// value or an error, like C++23's std::expected. A broken invariant (a bug, a corrupt stored row) is an
// exception instead, and so is what the caller cannot handle where it is (the store's StorageError).
//
//   util::Result<Table> parse(std::string_view text) {
//     if (text.empty()) return util::fail("the body is empty");  // E = std::string by default
//     return Table{...};
//   }
//   auto t = parse(body);
//   if (!t) return bad_request(t.error());
//   use(*t);
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace dialerd::util {

// The error side, wrapped so that a Result<std::string, std::string> still knows which one it holds.
template <class E>
struct Failure {
  E error;
};
template <class E>
Failure<std::decay_t<E>> fail(E&& error) {
  return {std::forward<E>(error)};
}
inline Failure<std::string> fail(const char* error) {
  return {std::string(error)};
}

template <class T, class E = std::string>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit, as expected's
  template <class F, class = std::enable_if_t<std::is_constructible_v<E, F>>>
  Result(Failure<F> f) : v_(std::in_place_index<1>, E(std::move(f.error))) {}  // NOLINT

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  // The value; asking for it when there is none is a bug (std::logic_error).
  T& value() & { return std::get<0>(checked()); }
  const T& value() const& { return std::get<0>(checked()); }
  T&& value() && { return std::get<0>(std::move(checked())); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // The error; asking for it when there is a value is a bug.
  const E& error() const {
    if (has_value()) throw std::logic_error("Result::error() on a value");
    return std::get<1>(v_);
  }

 private:
  std::variant<T, E>& checked() {
    if (!has_value()) throw std::logic_error("Result::value() on an error");
    return v_;
  }
  const std::variant<T, E>& checked() const {
    if (!has_value()) throw std::logic_error("Result::value() on an error");
    return v_;
  }
  std::variant<T, E> v_;
};

// A check that has nothing to return: success, or what is wrong.
template <class E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  template <class F, class = std::enable_if_t<std::is_constructible_v<E, F>>>
  Result(Failure<F> f) : failed_(true), error_(std::move(f.error)) {}  // NOLINT

  bool has_value() const { return !failed_; }
  explicit operator bool() const { return has_value(); }
  const E& error() const {
    if (!failed_) throw std::logic_error("Result::error() on success");
    return error_;
  }

 private:
  bool failed_ = false;
  E error_{};
};

using Check = Result<void>;
inline Check ok() {
  return {};
}

}  // namespace dialerd::util

// Statement: a borrowed handle to one of a Connection's cached prepared
// statements. Binding, stepping and reading columns; on destruction it resets
// the statement and clears its bindings, so that a read that stops early ends
// its implicit read transaction.
//
// Move-only; used on the thread that uses its Connection, and must not
// outlive it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "plugwatch/core/error.h"

struct sqlite3_stmt;

namespace plugwatch::store::sqlite {

class Connection;

namespace internal {
template <class T>
inline constexpr bool kIsOptional = false;
template <class T>
inline constexpr bool kIsOptional<std::optional<T>> = true;
}  // namespace internal

class Statement {
 public:
  Statement(Connection* conn, sqlite3_stmt* stmt) : conn_(conn), stmt_(stmt) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  ~Statement();

  // Binds parameters 1..N in order. Integers, bools, doubles and strings bind
  // as themselves; std::nullopt and empty optionals bind NULL. Text is copied.
  template <class... Args>
  Statement& Bind(const Args&... args) {
    int i = 0;
    (BindOne(++i, args), ...);
    return *this;
  }

  // Advances to the next row: true when a row is ready, false when done.
  // Fails with kIo (see Connection::ErrorFor), also for an earlier bind error.
  Result<bool> Step();
  // Steps to completion, for statements that return no rows, and leaves the
  // statement ready to be bound and run again.
  Result<void> Run();

  bool IsNull(int col) const;
  long long Int(int col) const;
  double Real(int col) const;
  std::string Text(int col) const;
  std::optional<long long> OptInt(int col) const;
  std::optional<double> OptReal(int col) const;

 private:
  template <class T>
  void BindOne(int i, const T& v) {
    if constexpr (std::is_same_v<T, std::nullopt_t>) {
      BindNull(i);
    } else if constexpr (internal::kIsOptional<T>) {
      if (v) {
        BindOne(i, *v);
      } else {
        BindNull(i);
      }
    } else if constexpr (std::is_same_v<T, bool>) {
      BindInt(i, v ? 1 : 0);
    } else if constexpr (std::is_integral_v<T>) {
      BindInt(i, static_cast<long long>(v));
    } else if constexpr (std::is_floating_point_v<T>) {
      BindReal(i, static_cast<double>(v));
    } else {
      BindText(i, std::string_view(v));
    }
  }
  void BindNull(int i);
  void BindInt(int i, long long v);
  void BindReal(int i, double v);
  void BindText(int i, std::string_view v);
  void Check(int rc);

  Connection* conn_;
  sqlite3_stmt* stmt_;
  int bind_rc_ = 0;  // first failed bind, reported by Step
};

}  // namespace plugwatch::store::sqlite

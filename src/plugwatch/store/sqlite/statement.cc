#include "plugwatch/store/sqlite/statement.h"

#include <sqlite3.h>

#include <utility>

#include "plugwatch/store/sqlite/connection.h"

namespace plugwatch::store::sqlite {

Statement::Statement(Statement&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)),
      stmt_(std::exchange(other.stmt_, nullptr)),
      bind_rc_(other.bind_rc_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_) conn_->Release(stmt_);
    conn_ = std::exchange(other.conn_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_rc_ = other.bind_rc_;
  }
  return *this;
}

Statement::~Statement() {
  if (stmt_) conn_->Release(stmt_);
}

void Statement::Check(int rc) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Statement::BindNull(int i) { Check(sqlite3_bind_null(stmt_, i)); }
void Statement::BindInt(int i, long long v) { Check(sqlite3_bind_int64(stmt_, i, v)); }
void Statement::BindReal(int i, double v) { Check(sqlite3_bind_double(stmt_, i, v)); }
void Statement::BindText(int i, std::string_view v) {
  Check(sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}

Result<bool> Statement::Step() {
  if (bind_rc_ != SQLITE_OK) return Fail(conn_->ErrorFor(bind_rc_, "binding a parameter"));
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Fail(conn_->ErrorFor(rc, ""));
}

Result<void> Statement::Run() {
  Result<void> r;
  for (;;) {
    auto row = Step();
    if (!row) {
      r = Fail(row.error());
      break;
    }
    if (!*row) break;
  }
  // Ready to be bound and run again (a batch reuses one statement per row).
  sqlite3_reset(stmt_);
  bind_rc_ = SQLITE_OK;
  return r;
}

bool Statement::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
long long Statement::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
double Statement::Real(int col) const { return sqlite3_column_double(stmt_, col); }

std::string Statement::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
}

std::optional<long long> Statement::OptInt(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Int(col);
}

std::optional<double> Statement::OptReal(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Real(col);
}

}  // namespace plugwatch::store::sqlite

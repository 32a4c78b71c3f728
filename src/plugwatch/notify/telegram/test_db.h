// TestDb: a real SQLite database in a fresh temporary directory, removed at
// the end — for the bot's unit tests (subscribers, commands, the loop).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>

#include "plugwatch/store/store.h"

namespace plugwatch::notify::telegram {

class TestDb {
 public:
  TestDb() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "plugwatch-bot-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    path_ = (dir_ / "plugwatch.db").string();
    Reopen();
  }
  ~TestDb() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  store::Store& store() { return *store_; }
  const std::string& path() const { return path_; }
  void Reopen() {
    store_.reset();
    auto s = store::OpenSqlite(path_);
    if (!s) throw std::runtime_error(s.error().context);
    store_ = std::move(*s);
  }

 private:
  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace plugwatch::notify::telegram

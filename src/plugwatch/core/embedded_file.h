// EmbeddedFile: a file compiled into the binary by cmake/embed_files.cmake
// (the OpenAPI document, later the dashboard's assets and templates), so the
// service is one file. Each embedding declares its accessor here.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace plugwatch::embedded {

struct EmbeddedFile {
  std::string_view name;   // the file's name, without directories
  std::string_view bytes;  // its content, unchanged
};

// docs/openapi.json.
std::span<const EmbeddedFile> ApiDocuments();

// store/sqlite/migrations/NNN_name.sql: the schema (store::sqlite::Migrate).
std::span<const EmbeddedFile> SchemaMigrations();

// data/notify/<lang>.toml: notification texts (notify::Catalog).
std::span<const EmbeddedFile> NotifyTexts();

// data/telegram/<lang>.toml: the Telegram bot's texts (notify::telegram::BotTexts).
std::span<const EmbeddedFile> TelegramTexts();

// The web dashboard built from web/ (cmake/dashboard.cmake): index.html,
// app.js, app.css, favicon.svg.
std::span<const EmbeddedFile> DashboardAssets();

// The file called `name` in `files`, if any.
inline std::optional<std::string_view> Find(std::span<const EmbeddedFile> files,
                                            std::string_view name) {
  for (const auto& f : files)
    if (f.name == name) return f.bytes;
  return std::nullopt;
}

}  // namespace plugwatch::embedded

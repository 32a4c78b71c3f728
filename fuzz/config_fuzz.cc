// A config file as a user (or a typo) writes it. Properties: loading never
// crashes; a rejected config says why; an accepted config, printed with
// Describe() and loaded again, loads and prints the same (secrets print as
// the mask, so the second load sees the mask as the secret).
#include <string>
#include <string_view>

#include "fuzz_target.h"
#include "plugwatch/config/config.h"

using namespace plugwatch;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // ${NAME} resolves to a fixed value: the fuzzer must not read this
  // process's environment, and must get the same answer every time.
  const config::EnvLookup env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "UNSET") return std::nullopt;
    return std::string("value-of-") + std::string(name);
  };
  auto cfg = config::LoadString(text, "fuzz.toml", env);
  if (!cfg) {
    PW_FUZZ_CHECK(!cfg.error().context.empty(), "a rejected config without a message");
    return 0;
  }
  const std::string described = config::Describe(*cfg);
  auto again = config::LoadString(described, "fuzz.toml", env);
  PW_FUZZ_CHECK(again.has_value(), "Describe() printed a config that does not load");
  const std::string described_again = config::Describe(*again);
  if (described_again != described)
    std::fprintf(stderr, "--- first:\n%s\n--- second:\n%s\n", described.c_str(),
                 described_again.c_str());
  PW_FUZZ_CHECK(described_again == described, "Describe() is not stable");
  return 0;
}

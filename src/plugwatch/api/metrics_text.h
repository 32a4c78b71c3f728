// MetricsText: writes the Prometheus text exposition format (0.0.4): a HELP
// and TYPE line per metric family, then its samples with escaped label
// values. Families must be written whole, one after another. Pure.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace plugwatch::api {

using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

class MetricsText {
 public:
  // type: "gauge", "counter" or "histogram".
  void Family(std::string_view name, std::string_view type, std::string_view help);
  void Sample(std::string_view name, const Labels& labels, double value);
  // A histogram from cumulative counts per upper bound (+Inf = count).
  void Histogram(std::string_view name, const Labels& labels, const std::vector<double>& bounds,
                 const std::vector<long long>& cumulative, long long count, double sum);
  const std::string& text() const { return out_; }

 private:
  std::string out_;
};

// \ → \\, " → \", newline → \n (label values); the HELP text escapes \ and newline.
std::string EscapeLabelValue(std::string_view v);

}  // namespace plugwatch::api

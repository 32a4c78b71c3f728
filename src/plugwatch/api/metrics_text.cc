#include "plugwatch/api/metrics_text.h"

#include <fmt/format.h>

#include <cmath>

namespace plugwatch::api {
namespace {

std::string Number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

}  // namespace

std::string EscapeLabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

void MetricsText::Family(std::string_view name, std::string_view type, std::string_view help) {
  std::string h;
  for (char c : help) h += c == '\n' ? std::string("\\n") : c == '\\' ? "\\\\" : std::string(1, c);
  out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, h, name, type);
}

void MetricsText::Sample(std::string_view name, const Labels& labels, double value) {
  out_ += name;
  if (!labels.empty()) {
    out_ += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (i) out_ += ',';
      out_ += fmt::format("{}=\"{}\"", labels[i].first, EscapeLabelValue(labels[i].second));
    }
    out_ += '}';
  }
  out_ += ' ';
  out_ += Number(value);
  out_ += '\n';
}

void MetricsText::Histogram(std::string_view name, const Labels& labels,
                            const std::vector<double>& bounds,
                            const std::vector<long long>& cumulative, long long count, double sum) {
  const std::string bucket = fmt::format("{}_bucket", name);
  for (std::size_t i = 0; i < bounds.size() && i < cumulative.size(); ++i) {
    const std::string le = Number(bounds[i]);
    Labels with = labels;
    with.emplace_back("le", le);
    Sample(bucket, with, static_cast<double>(cumulative[i]));
  }
  Labels inf = labels;
  inf.emplace_back("le", "+Inf");
  Sample(bucket, inf, static_cast<double>(count));
  Sample(fmt::format("{}_sum", name), labels, sum);
  Sample(fmt::format("{}_count", name), labels, static_cast<double>(count));
}

}  // namespace plugwatch::api

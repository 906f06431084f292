#include "cli/progress.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace tongban::cli {
namespace {

// Units done per second, or a negative number while it cannot be known.
double Rate(const ProgressState& s) {
  const double f = std::clamp(s.fraction, 0.0, 1.0);
  if (s.total <= 0 || f <= 0 || s.seconds <= 0) return -1;
  return f * static_cast<double>(s.total) / s.seconds;
}

// Seconds left at the pace so far, or a negative number while it cannot be known.
double Eta(const ProgressState& s) {
  const double f = std::clamp(s.fraction, 0.0, 1.0);
  if (f <= 0 || s.seconds <= 0) return -1;
  return s.seconds * (1 - f) / f;
}

std::string Grouped(int64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string EtaText(double eta) {
  if (eta < 0) return "--";
  const auto secs = static_cast<int64_t>(std::ceil(eta));
  if (secs < 60) return fmt::format("{} s", secs);
  return fmt::format("{}:{:02d}", secs / 60, secs % 60);
}

}  // namespace

std::string RenderProgressBar(const ProgressState& s, int width) {
  const double f = std::clamp(s.fraction, 0.0, 1.0);
  const int filled = static_cast<int>(f * width);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(static_cast<size_t>(std::max(width, 0)), '.');
  const double rate = Rate(s);
  return fmt::format("[{}] {:3d}%  {} {}/s  eta {}  {}", bar, static_cast<int>(f * 100),
                     rate < 0 ? "--" : Grouped(std::llround(rate)), s.unit, EtaText(Eta(s)),
                     s.stage);
}

std::string RenderProgressLine(const ProgressState& s) {
  const double f = std::clamp(s.fraction, 0.0, 1.0);
  const double rate = Rate(s);
  std::string done =
      s.total > 0 ? fmt::format(" {}/{} {}", std::llround(f * s.total), s.total, s.unit) : "";
  return fmt::format("progress {}% {}{} {} {}/s eta {}", static_cast<int>(f * 100), s.stage, done,
                     rate < 0 ? "--" : std::to_string(std::llround(rate)), s.unit, EtaText(Eta(s)));
}

ProgressReporter::ProgressReporter(std::FILE* out, bool terminal, std::function<double()> seconds,
                                   std::string unit, double redraw_seconds)
    : out_(out),
      terminal_(terminal),
      seconds_(std::move(seconds)),
      unit_(std::move(unit)),
      redraw_seconds_(redraw_seconds) {}

void ProgressReporter::Update(std::string_view stage, double fraction, int64_t total) {
  const ProgressState s{
      .stage = stage, .fraction = fraction, .total = total, .seconds = seconds_(), .unit = unit_};
  const bool new_stage = stage != stage_;
  stage_ = stage;
  if (terminal_) {
    if (!new_stage && fraction < 1 && drawn_at_ >= 0 && s.seconds - drawn_at_ < redraw_seconds_) {
      return;
    }
    drawn_at_ = s.seconds;
    // Back to the line's start, the line, the rest of the old one erased.
    std::fprintf(out_, "\r%s\x1b[K", RenderProgressBar(s).c_str());
    std::fflush(out_);
    open_line_ = true;
    return;
  }
  const int tenth = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * 10);
  if (!new_stage && tenth == tenth_) return;
  tenth_ = tenth;
  std::fprintf(out_, "%s\n", RenderProgressLine(s).c_str());
}

void ProgressReporter::Finish() {
  if (open_line_) std::fprintf(out_, "\n");
  open_line_ = false;
}

}  // namespace tongban::cli

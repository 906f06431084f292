// Progress of a long command (`tongban match`): on a terminal one line redrawn in place (bar,
// percent, persons per second, time left); otherwise plain lines a log can keep, one per stage
// and per tenth of the work.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

namespace tongban::cli {

struct ProgressState {
  std::string_view stage{};
  double fraction = 0;  // of the whole work, 0..1
  int64_t total = 0;    // units of the whole work (persons), 0 while unknown
  double seconds = 0;   // since the work started
  std::string_view unit = "persons";
};

// The terminal line: "[########......................]  27%  812,345 persons/s  eta 3 s  match".
// The rate is the units done so far (fraction of total) per second; rate and eta read "--"
// until they can be known (no total yet, nothing done, no time elapsed).
std::string RenderProgressBar(const ProgressState& s, int width = 30);

// The plain line: "progress 27% match 2700000/10000000 persons 812345 persons/s eta 3 s".
std::string RenderProgressLine(const ProgressState& s);

class ProgressReporter {
 public:
  // `seconds` gives the time since the work started (injected: tests use a fake). On a
  // terminal the line is redrawn at most every `redraw_seconds`, and always on a new stage.
  ProgressReporter(std::FILE* out, bool terminal, std::function<double()> seconds,
                   std::string unit = "persons", double redraw_seconds = 0.1);
  void Update(std::string_view stage, double fraction, int64_t total);
  // Ends the terminal line (a newline after the last redraw); nothing otherwise.
  void Finish();

 private:
  std::FILE* out_;
  bool terminal_;
  std::function<double()> seconds_;
  std::string unit_;
  double redraw_seconds_;
  std::string stage_{};
  int tenth_ = -1;
  double drawn_at_ = -1;
  bool open_line_ = false;
};

}  // namespace tongban::cli

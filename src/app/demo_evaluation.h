// The demo's 好差评: ratings on the demo cases (mostly good, a bad one per locality with its
// rectification item in a different state in each), so that the statistics are not empty.
#pragma once

#include "cases/service.h"
#include "devices/rating_device.h"
#include "evaluation/service.h"
#include "store/database.h"

namespace tongban::app {

struct DemoEvaluations {
  bool already_there = false;  // the database held ratings: nothing was added
  int ratings = 0;
  int rectifications = 0;
  double seconds = 0;
};

// Per demo locality: the concluded case rated online (非常满意), the refused one rated bad
// online, and window visits of the approved, denied and under-review cases rated on the
// simulated device or by QR code (good). The bad ratings' items are, locality by locality:
// open; called back, rectified and rated by the applicant; called back and explained; appealed;
// appealed and voided by the supervisor. The withdrawn cases stay unrated. Only into a database
// without ratings; `device` may be null (no visit ratings then).
Result<DemoEvaluations> LoadDemoEvaluations(store::Database& db, cases::CaseService& cases,
                                            evaluation::EvaluationService& evaluation,
                                            devices::SimulatedRatingDevice* device);

}  // namespace tongban::app
